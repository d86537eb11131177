"""Logging: the worker's own events go to stderr as ``LEVEL event key=value`` lines; records
that handlers write through ``ctx.logger`` travel to Node as ``log`` frames."""

import logging
import sys
import time

#: The logger of the worker's own events.
logger = logging.getLogger("starweave_bridge")

#: The parent of the per-handler loggers that ``ctx.logger`` returns.
HANDLER_LOGGER = "starweave_bridge.handlers"


def log_event(level, event, **fields):
    """Log one event with fields, such as ``log_event(logging.WARNING, 'bridge.request_failed',
    id=3)``."""
    logger.log(level, event, extra={"event": event, "fields": fields})


class EventFormatter(logging.Formatter):
    """Format a record as ``LEVEL event key=value ...``."""

    def format(self, record):
        event = getattr(record, "event", None) or record.getMessage()
        fields = getattr(record, "fields", None) or {}
        parts = [record.levelname, event]
        parts.extend(f"{key}={_quote(value)}" for key, value in fields.items())
        text = " ".join(parts)
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


def _quote(value):
    text = str(value)
    if not text or any(character.isspace() or character in "\"=" for character in text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    return text


def configure_stderr(level=logging.INFO):
    """Send the worker's events to stderr, one line each."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(EventFormatter())
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False


class FrameLogHandler(logging.Handler):
    """Send each record as a ``log`` frame; a record that cannot be sent goes to stderr."""

    def __init__(self, channel):
        super().__init__()
        self._channel = channel

    def emit(self, record):
        fields = getattr(record, "fields", None)
        frame = {
            "type": "log",
            "level": record.levelname.lower(),
            "event": getattr(record, "event", None) or "handler.log",
            "message": record.getMessage(),
            "logger": record.name,
            "fields": fields if isinstance(fields, dict) else {},
            "time": record.created * 1000,
        }
        try:
            self._channel.send(frame)
        except Exception as error:  # noqa: BLE001 - a log record must never fail the handler
            log_event(logging.WARNING, "bridge.log_frame_failed", logger=record.name, error=error)


def handler_logger(name, channel):
    """Return the logger that handlers named ``name`` write to, sending ``log`` frames."""
    handler_log = logging.getLogger(f"{HANDLER_LOGGER}.{name}")
    parent = logging.getLogger(HANDLER_LOGGER)
    if not any(isinstance(h, FrameLogHandler) for h in parent.handlers):
        parent.addHandler(FrameLogHandler(channel))
        parent.setLevel(logging.INFO)
        parent.propagate = False
    return handler_log


def now_ms():
    """Return the current time in epoch milliseconds."""
    return time.time() * 1000
