"""The in-flight table: every request id between arrival and its one final frame, with the
deadline watchdog that sends ``ERR_DEADLINE`` the moment a deadline passes."""

import heapq
import logging
import threading
import time

from .errors import EncodeError, FrameTooLargeError
from .frames import error_frame
from .logs import log_event, now_ms


class Task:
    """One handler call: a plain request (one id) or a batch (several)."""

    def __init__(self, spec, ids, payloads, context):
        self.spec = spec
        self.ids = ids
        self.payloads = payloads
        self.context = context


class InFlight:
    """Track requests until their final frame, so that each id gets exactly one even when a
    deadline, a cancel and the handler's own result race."""

    def __init__(self, channel):
        self.channel = channel
        self.lock = threading.Lock()
        self._tasks = {}  # request id -> Task, until its final frame is sent
        self._deadlines = []  # heap of (deadline_ms, sequence, task)
        self._sequence = 0
        self._wake = threading.Condition(self.lock)
        self._stopped = False

    def __len__(self):
        return len(self._tasks)

    def __contains__(self, request_id):
        return request_id in self._tasks

    def add(self, task):
        """Register a task's ids, and its deadline with the watchdog."""
        with self.lock:
            for request_id in task.ids:
                self._tasks[request_id] = task
            if task.context.deadline_ms is not None:
                self._sequence += 1
                entry = (task.context.deadline_ms, self._sequence, task)
                heapq.heappush(self._deadlines, entry)
                # The watchdog sleeps until the earliest deadline, so it needs waking only for a
                # new earliest one; requests that share a timeout arrive in deadline order.
                if self._deadlines[0] is entry:
                    self._wake.notify()

    def find(self, request_id):
        """Return the task of an unanswered id, or None."""
        with self.lock:
            return self._tasks.get(request_id)

    def find_unlocked(self, request_id):
        """Return the task of an unanswered id; the caller must hold ``lock``."""
        return self._tasks.get(request_id)

    def pending_ids(self, task):
        """Return the ids of ``task`` still waiting for their final frame."""
        with self.lock:
            return [request_id for request_id in task.ids if self._tasks.get(request_id) is task]

    def answer(self, request_id, frame):
        """Send the final frame of an id, unless another thread answered it already."""
        with self.lock:
            claimed = self._tasks.pop(request_id, None) is not None
        if claimed:
            self.deliver(request_id, frame)

    def deliver(self, request_id, frame):
        """Send a final frame, replacing it with an error frame when it cannot be encoded."""
        try:
            self.channel.send(frame)
        except (EncodeError, FrameTooLargeError) as error:
            log_event(logging.WARNING, "bridge.result_unencodable", id=request_id, error=error)
            self.send_safely(encode_error_frame(request_id, error))
        except OSError as error:
            log_event(logging.ERROR, "bridge.send_failed", id=request_id, error=error)

    def send_safely(self, frame):
        """Send a frame, logging instead of raising when that fails."""
        try:
            self.channel.send(frame)
        except (EncodeError, FrameTooLargeError, OSError) as error:
            log_event(logging.ERROR, "bridge.send_failed", frame_type=frame.get("type"),
                      error=error)

    def give_up_all(self, reason):
        """Cancel every unanswered id with ``ERR_CANCELLED``; return the ids, sorted."""
        with self.lock:
            tasks = dict(self._tasks)
        for request_id, task in tasks.items():
            task.context.cancel()
            frame = error_frame(request_id, "ERR_CANCELLED", "Cancelled", reason)
            self.answer(request_id, frame)
        return sorted(tasks)

    def watch_deadlines(self):
        """Answer ids whose deadline passes; runs in its own thread until ``stop``."""
        with self._wake:
            while not self._stopped:
                if not self._deadlines:
                    self._wake.wait()
                    continue
                deadline, _, task = self._deadlines[0]
                delay = deadline / 1000 - time.time()
                if delay > 0:
                    self._wake.wait(delay)
                    continue
                heapq.heappop(self._deadlines)
                expired = [rid for rid in task.ids if self._tasks.get(rid) is task]
                if expired:
                    # Sending may block on the pipe, so the table is unlocked meanwhile.
                    self._wake.release()
                    try:
                        self._expire(task, expired, deadline)
                    finally:
                        self._wake.acquire()

    def _expire(self, task, expired, deadline):
        for request_id in expired:
            log_event(logging.WARNING, "bridge.deadline_passed", id=request_id,
                      handler=task.spec.name)
            self.answer(request_id, deadline_error_frame(request_id, task.spec.name, deadline))
        task.context.cancel()

    def stop(self):
        """End the watchdog thread."""
        with self._wake:
            self._stopped = True
            self._wake.notify_all()


def deadline_error_frame(request_id, handler, deadline):
    """Build the ``ERR_DEADLINE`` answer of a request."""
    late = max(0, round(now_ms() - deadline))
    return error_frame(request_id, "ERR_DEADLINE", "DeadlineExceeded",
                       f"request {request_id} to {handler!r} passed its deadline {late} ms ago")


def encode_error_frame(request_id, error):
    """Build the answer of a request whose result could not be encoded."""
    code = getattr(error, "code", "ERR_ENCODE")
    return error_frame(request_id, code, type(error).__name__, str(error))
