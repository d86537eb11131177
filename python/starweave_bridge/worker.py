"""The worker loop: handshake, then read frames, hand requests to the handler threads (or run
``inline`` handlers at once), and handle heartbeats, cancels and shutdown
(docs/bridge-protocol.md)."""

import logging
import os
import threading
import time

from .channel import ChannelCorrupt, OversizedFrame
from .codec import WIRE_FORMAT_VERSION
from .context import RequestContext
from .errors import ProtocolError
from .frames import PROTOCOL_VERSION, error_frame
from .handler_threads import HandlerThreads
from .inflight import InFlight, Task, deadline_error_frame
from .logs import handler_logger, log_event, now_ms
from .requests import check_request
from .runner import run_task

#: Exit statuses of the worker process.
EXIT_OK = 0
EXIT_STARTUP_FAILED = 1
EXIT_PROTOCOL_MISMATCH = 2
EXIT_CHANNEL_CORRUPT = 3

#: How long shutdown waits for requests in flight when Node gives no ``graceMs``.
DEFAULT_GRACE_MS = 5000

_BAD_FRAMES = (ChannelCorrupt, OversizedFrame, ProtocolError)
_NUMBERS = (int, float)


class Worker:
    """Serve the handlers of ``registry`` over ``channel`` until shutdown or end of file."""

    def __init__(self, registry, channel, name=None, threads=4, heartbeat_ms=5000):
        self.registry = registry
        self.channel = channel
        self.name = name or f"python-{os.getpid()}"
        self.heartbeat_ms = heartbeat_ms
        self.inflight = InFlight(channel)
        inflight = self.inflight
        self._threads = HandlerThreads(threads, lambda task: run_task(task, inflight))
        self._stopping = threading.Event()

    # Lifecycle --------------------------------------------------------------------------------

    def run(self):
        """Run the handshake and the loop; return the exit status."""
        self.inflight.send_safely({
            "type": "hello",
            "protocol": PROTOCOL_VERSION,
            "worker": self.name,
            "pid": os.getpid(),
            "handlers": self.registry.describe(),
            "maxFrameBytes": self.channel.max_frame_bytes,
            "codec": WIRE_FORMAT_VERSION,
        })
        status = self._handshake()
        if status is not None:
            return status

        # Contexts make their logger on first use; attach the log frame sender now, so that
        # records of a handler's logger reach Node even before any context asked for it.
        for name in self.registry.names():
            handler_logger(name, self.channel)
        log_event(logging.INFO, "bridge.started", worker=self.name,
                  handlers=",".join(self.registry.names()),
                  max_frame_bytes=self.channel.max_frame_bytes)
        threading.Thread(target=self.inflight.watch_deadlines, name="deadlines",
                         daemon=True).start()
        if self.heartbeat_ms > 0:
            threading.Thread(target=self._beat, name="heartbeat", daemon=True).start()
        try:
            return self._loop()
        finally:
            self._stopping.set()
            self.inflight.stop()
            log_event(logging.INFO, "bridge.stopped", worker=self.name)

    def _handshake(self):
        while True:
            try:
                frame = self.channel.receive()
            except _BAD_FRAMES as error:
                status = self._on_bad_frame(error)
                if status is not None:
                    return status
                continue
            if frame is None:
                return EXIT_OK
            if frame["type"] != "hello":
                message = f"expected a hello frame first, received {frame['type']!r}"
                self._protocol_error(message)
                continue

            protocol = frame.get("protocol")
            if protocol != PROTOCOL_VERSION:
                log_event(logging.ERROR, "bridge.protocol_mismatch", received=protocol,
                          expected=PROTOCOL_VERSION)
                self._protocol_error(
                    f"protocol version {protocol!r} is not supported: this worker speaks version "
                    f"{PROTOCOL_VERSION}. Use matching versions of @starweave/ml-bridge and "
                    "starweave_bridge."
                )
                return EXIT_PROTOCOL_MISMATCH

            limit = frame.get("maxFrameBytes")
            if type(limit) is int and 0 < limit < self.channel.max_frame_bytes:
                self.channel.set_max_frame_bytes(limit)
            return None

    def _loop(self):
        while True:
            try:
                frame = self.channel.receive()
            except _BAD_FRAMES as error:
                status = self._on_bad_frame(error)
                if status is not None:
                    return status
                continue

            if frame is None:
                log_event(logging.INFO, "bridge.channel_closed", inflight=len(self.inflight))
                self.inflight.give_up_all("the channel to Node closed")
                return EXIT_OK
            kind = frame["type"]
            if kind in ("request", "batch"):
                self._on_request(frame)
            elif kind == "cancel":
                self._on_cancel(frame)
            elif kind == "heartbeat":
                self._send_heartbeat(frame.get("seq"))
            elif kind == "shutdown":
                return self._on_shutdown(frame)
            else:
                self._protocol_error(f"a worker does not accept {kind!r} frames")

    def _on_bad_frame(self, error):
        if isinstance(error, OversizedFrame):
            log_event(logging.WARNING, "bridge.frame_too_large", size=error.size,
                      max_frame_bytes=error.max_bytes)
            details = {"size": error.size, "maxFrameBytes": error.max_bytes}
            frame = error_frame(None, "ERR_FRAME_TOO_LARGE", "FrameTooLargeError", str(error),
                                details=details)
            self.inflight.send_safely(frame)
            return None
        if isinstance(error, ProtocolError):
            self._protocol_error(str(error))
            return None

        log_event(logging.ERROR, "bridge.channel_corrupt", error=error,
                  keeps_framing=self.channel.keeps_framing)
        self.inflight.send_safely(error_frame(None, "ERR_DECODE", "DecodeError", str(error)))
        if self.channel.keeps_framing:
            return None
        self.inflight.give_up_all("the channel is corrupt")
        return EXIT_CHANNEL_CORRUPT

    def _protocol_error(self, message):
        log_event(logging.WARNING, "bridge.protocol_error", error=message)
        self.inflight.send_safely(error_frame(None, "ERR_PROTOCOL", "ProtocolError", message))

    # Requests ---------------------------------------------------------------------------------

    def _on_request(self, frame):
        if frame["type"] == "request":
            request_id = frame.get("id")
            spec = self.registry.get(frame.get("handler"))
            deadline = frame.get("deadline")
            # The common case, checked at the cost of a few comparisons: a valid request to a
            # known handler, with time left, whose id is free. Anything else takes the full path.
            if (type(request_id) is int and spec is not None
                    and (deadline is None or (type(deadline) in _NUMBERS and now_ms() < deadline))
                    and request_id not in self.inflight):
                context = RequestContext(spec.name, (request_id,), deadline, self.channel)
                self._start(Task(spec, [request_id], [frame.get("payload")], context))
                return
        self._on_any_request(frame)

    def _start(self, task):
        self.inflight.add(task)
        if task.spec.inline:
            # Declared short: running it here saves the hand-over to a handler thread. The
            # watchdog thread still answers its deadline on time; frames that arrive meanwhile,
            # a cancel of this request among them, wait until it returns.
            run_task(task, self.inflight)
        else:
            self._threads.submit(task)

    def _on_any_request(self, frame):
        problem = check_request(frame)
        if problem:
            request_id = frame.get("id") if frame["type"] == "request" else None
            request_id = request_id if type(request_id) is int else None
            self.inflight.send_safely(error_frame(request_id, "ERR_PROTOCOL", "ProtocolError",
                                                  problem))
            return

        batch_frame = frame["type"] == "batch"
        ids = frame["ids"] if batch_frame else [frame["id"]]
        payloads = frame["payloads"] if batch_frame else [frame.get("payload")]
        name = frame["handler"]
        deadline = frame.get("deadline")

        duplicates = [request_id for request_id in ids if request_id in self.inflight]
        if duplicates:
            # The id is nil so that Node cannot take this for the final frame of the first request.
            self._protocol_error(f"request ids {duplicates} are already in flight")
            return
        refusal = self._refusal(name, ids, batch_frame)
        if refusal is not None:
            code, error_type, message = refusal
            for request_id in ids:
                self.inflight.deliver(request_id,
                                      error_frame(request_id, code, error_type, message))
            return
        if deadline is not None and now_ms() >= deadline:
            for request_id in ids:
                self.inflight.deliver(request_id, deadline_error_frame(request_id, name, deadline))
            return

        spec = self.registry.get(name)
        context = RequestContext(name, ids, deadline, self.channel)
        self._start(Task(spec, list(ids), list(payloads), context))

    def _refusal(self, name, ids, batch_frame):
        """Return (code, error type, message) when the request cannot run, else None."""
        spec = self.registry.get(name)
        if spec is None:
            offered = ", ".join(self.registry.names()) or "no handlers"
            return ("ERR_NOT_FOUND", "HandlerNotFound",
                    f"handler {name!r} is not found; this worker offers {offered}")
        if batch_frame and not spec.batch:
            return ("ERR_INVALID_ARGUMENT", "ValueError",
                    f"handler {name!r} does not take batches; send one request frame per "
                    "payload, or mark the handler with @handler(batch=True)")
        if spec.max_batch_size is not None and len(ids) > spec.max_batch_size:
            return ("ERR_INVALID_ARGUMENT", "ValueError",
                    f"batch of {len(ids)} is over the maximum of {spec.max_batch_size} for "
                    f"handler {name!r}; split it")
        return None

    # Cancel, heartbeat, shutdown --------------------------------------------------------------

    def _on_cancel(self, frame):
        request_id = frame.get("id")
        task = self.inflight.find(request_id)
        if task is None:
            return
        message = f"request {request_id} was cancelled"
        self.inflight.answer(request_id,
                             error_frame(request_id, "ERR_CANCELLED", "Cancelled", message))
        if not self.inflight.pending_ids(task):
            task.context.cancel()

    def _send_heartbeat(self, sequence):
        self.inflight.send_safely({"type": "heartbeat", "seq": sequence,
                                   "inflight": len(self.inflight), "time": now_ms()})

    def _beat(self):
        while not self._stopping.wait(self.heartbeat_ms / 1000):
            self._send_heartbeat(None)

    def _on_shutdown(self, frame):
        grace = frame.get("graceMs")
        valid = isinstance(grace, (int, float)) and not isinstance(grace, bool) and grace >= 0
        grace_ms = grace if valid else DEFAULT_GRACE_MS
        log_event(logging.INFO, "bridge.shutting_down", inflight=len(self.inflight),
                  grace_ms=grace_ms)

        # No frame is read from here on, so a request sent after shutdown gets no final frame.
        give_up_at = time.time() + grace_ms / 1000
        while len(self.inflight) and time.time() < give_up_at:
            time.sleep(0.01)
        cancelled = self.inflight.give_up_all("the worker shut down before the request finished")
        self.inflight.send_safely({"type": "shutdown", "cancelled": cancelled})
        self._threads.shutdown()
        return EXIT_OK
