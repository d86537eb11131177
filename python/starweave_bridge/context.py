"""The context a handler receives: its deadline, cancellation and a logger whose records travel
to Node as ``log`` frames."""

import threading
import time

from .errors import BridgeError
from .logs import handler_logger

# Guards the lazy creation of a context's wake-up event against a concurrent cancel.
_EVENT_LOCK = threading.Lock()


class Cancelled(BridgeError):
    """The request was cancelled, or the worker is shutting down."""

    code = "ERR_CANCELLED"


class DeadlineExceeded(BridgeError):
    """The request's deadline passed."""

    code = "ERR_DEADLINE"


class RequestContext:
    """The request state a handler can query: ids, deadline and cancellation. Python cannot stop
    a thread, so a long handler should call ``check()`` or test ``cancelled()`` now and then.

    Most handlers never look at their context, so the logger and the event that wakes
    ``sleep()`` are made on first use rather than per request.
    """

    __slots__ = ("handler", "ids", "deadline_ms", "_channel", "_logger", "_flag", "_event")

    def __init__(self, handler, ids, deadline_ms, channel=None):
        self.handler = handler
        #: The request ids; one for a plain request, several for a batch.
        self.ids = tuple(ids)
        #: The deadline in epoch milliseconds, or None.
        self.deadline_ms = deadline_ms
        self._channel = channel
        self._logger = None
        self._flag = False
        self._event = None

    @property
    def logger(self):
        """A logger whose records reach Node as ``log`` frames."""
        if self._logger is None:
            self._logger = handler_logger(self.handler, self._channel)
        return self._logger

    @property
    def request_id(self):
        """The id of the first (for a plain request, the only) request."""
        return self.ids[0]

    def cancel(self):
        """Mark the request cancelled; called by the worker."""
        self._flag = True
        with _EVENT_LOCK:
            event = self._event
        if event is not None:
            event.set()

    def deadline_passed(self):
        """Return True when the deadline has passed."""
        return self.deadline_ms is not None and time.time() * 1000 >= self.deadline_ms

    def cancelled(self):
        """Return True when the handler should stop: cancelled, or past its deadline."""
        return self._flag or self.deadline_passed()

    def time_remaining(self):
        """Return the seconds left before the deadline (at least 0), or None without one."""
        if self.deadline_ms is None:
            return None
        return max(0.0, self.deadline_ms / 1000 - time.time())

    def check(self):
        """Raise ``Cancelled`` or ``DeadlineExceeded`` when the handler should stop."""
        if self._flag:
            raise Cancelled(f"request {self.request_id} to {self.handler!r} was cancelled")
        if self.deadline_passed():
            raise DeadlineExceeded(
                f"request {self.request_id} to {self.handler!r} passed its deadline"
            )

    def sleep(self, seconds):
        """Sleep up to ``seconds``, waking early to raise when the request is stopped."""
        remaining = self.time_remaining()
        wait = seconds if remaining is None else min(seconds, remaining)
        if self._wake_event().wait(wait):
            self.check()
        if wait < seconds:
            self.check()

    def _wake_event(self):
        with _EVENT_LOCK:
            if self._event is None:
                self._event = threading.Event()
                # A cancel that came before the event existed must still wake the sleep.
                if self._flag:
                    self._event.set()
            return self._event
