"""Runs one task in a pool thread: a plain call, a batch or a stream, and turns the outcome
into final frames through the in-flight table."""

import logging
import traceback

from .errors import EncodeError, FrameTooLargeError
from .frames import error_frame
from .inflight import encode_error_frame
from .logs import log_event


def run_task(task, inflight):
    """Run ``task`` and send the final frame of each of its ids that still waits for one."""
    if not inflight.pending_ids(task):
        return
    spec = task.spec
    try:
        if spec.stream:
            _run_stream(task, inflight)
            return
        # A batch handler always receives a list, even from a single request frame.
        argument = task.payloads if spec.batch else task.payloads[0]
        result = spec.call(argument, task.context)
        if spec.batch:
            _answer_batch(task, result, inflight)
        else:
            request_id = task.ids[0]
            inflight.answer(request_id, {"type": "response", "id": request_id, "result": result})
    except BaseException as error:  # noqa: BLE001 - sys.exit() in a handler fails the request too
        fail_task(task, error, inflight)


def _answer_batch(task, results, inflight):
    if not isinstance(results, (list, tuple)) or len(results) != len(task.payloads):
        count = len(results) if isinstance(results, (list, tuple)) else type(results).__name__
        message = (f"batch handler {task.spec.name!r} returned {count} results for "
                   f"{len(task.payloads)} payloads; return a list of one result per payload")
        log_event(logging.WARNING, "bridge.request_failed", handler=task.spec.name,
                  ids=task.ids, code="ERR_BAD_RETURN")
        for request_id in task.ids:
            inflight.answer(request_id,
                            error_frame(request_id, "ERR_BAD_RETURN", "TypeError", message))
        return
    for request_id, result in zip(task.ids, results):
        if isinstance(result, BaseException):
            # An exception in place of a result fails that id alone.
            inflight.answer(request_id, exception_frame(task, request_id, result))
        else:
            inflight.answer(request_id, {"type": "response", "id": request_id, "result": result})


def _run_stream(task, inflight):
    request_id = task.ids[0]
    iterator = task.spec.call(task.payloads[0], task.context)
    sequence = 0
    try:
        for chunk in iterator:
            frame = {"type": "chunk", "id": request_id, "seq": sequence, "data": chunk}
            try:
                # Under the table's lock, so no chunk can follow the request's final frame.
                with inflight.lock:
                    if inflight.find_unlocked(request_id) is None:
                        return
                    inflight.channel.send(frame)
            except (EncodeError, FrameTooLargeError) as error:
                inflight.answer(request_id, encode_error_frame(request_id, error))
                return
            sequence += 1
            if task.context.cancelled():
                return
        inflight.answer(request_id, {"type": "end", "id": request_id, "count": sequence})
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()


def fail_task(task, error, inflight):
    """Send the error frame of ``error`` for every waiting id of ``task``."""
    pending = inflight.pending_ids(task)
    if not pending:
        return
    log_event(logging.WARNING, "bridge.request_failed", handler=task.spec.name, ids=pending,
              error_type=type(error).__name__, error=error)
    for request_id in pending:
        inflight.answer(request_id, _error_frame_of(request_id, error))


def exception_frame(task, request_id, error):
    """Log ``error`` as the failure of one id of a batch and return its error frame."""
    log_event(logging.WARNING, "bridge.request_failed", handler=task.spec.name, ids=[request_id],
              error_type=type(error).__name__, error=error)
    return _error_frame_of(request_id, error)


def _error_frame_of(request_id, error):
    code = getattr(error, "code", None)
    code = code if isinstance(code, str) and code.startswith("ERR_") else "ERR_REMOTE"
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return error_frame(request_id, code, type(error).__name__, str(error), text)
