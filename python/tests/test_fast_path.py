"""The per-request fast path: inline handlers, the handler threads, the lazy request context and
the codec's plain-value shortcut, each checked against the behaviour it must keep."""

import datetime
import enum
import struct
import threading
import time

import msgpack
import pytest
from harness import now_ms

from starweave_bridge import Codec, EncodeError
from starweave_bridge.codec import EXT_BIGINT, EXT_MAP
from starweave_bridge.context import Cancelled, RequestContext
from starweave_bridge.handler_threads import HandlerThreads
from starweave_bridge.registry import handler

INLINE = "inline_handlers,starweave_bridge.examples"


class Level(enum.IntEnum):
    HIGH = 3


def _slow_encode(codec, value):
    return msgpack.packb(codec.prepare(value), use_bin_type=True, datetime=True)


# Codec --------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [
    {"type": "response", "id": 7, "result": {"y": 1.5}},
    [1, -2, 2**64 - 1, -(2**63), 0.5, True, None, "text", b"\x00\x01"],
    (1, (2, [3, {"a": (4,)}])),
    {"nested": [{"deep": [[[]]]}], "empty": {}},
    {"bigint": 2**70, "negative": -(2**64)},
    {1: "int key", "b": 2},
    {"level": Level.HIGH},
    {"when": datetime.datetime(2026, 1, 2, tzinfo=datetime.timezone.utc)},
    {"members": {1, 2}},
])
def test_encode_gives_the_bytes_of_the_prepared_value(value):
    codec = Codec()
    assert codec.encode(value) == _slow_encode(codec, value)


def test_encode_keeps_extension_types_for_non_plain_values():
    codec = Codec()
    assert codec.decode(codec.encode({1: "a"})) == {1: "a"}
    assert msgpack.unpackb(codec.encode({1: "a"})).code == EXT_MAP
    assert msgpack.unpackb(codec.encode(2**70)).code == EXT_BIGINT


def test_encode_of_a_lone_surrogate_fails_with_encode_error():
    with pytest.raises(EncodeError):
        Codec().encode({"text": "\ud800"})


def test_encode_still_enforces_the_depth_limit_and_rejects_cycles():
    codec = Codec(max_depth=3)
    assert codec.decode(codec.encode([[[1]]])) == [[[1]]]
    with pytest.raises(EncodeError, match="max_depth 3"):
        codec.encode([[[[1]]]])
    cycle = []
    cycle.append(cycle)
    with pytest.raises(EncodeError, match="cyclic"):
        Codec().encode({"cycle": cycle})


# Request context ----------------------------------------------------------------------------


def test_sleep_raises_at_once_when_cancelled_before_it():
    context = RequestContext("h", [1], None)
    context.cancel()
    started = time.time()
    with pytest.raises(Cancelled):
        context.sleep(5)
    assert time.time() - started < 0.5


def test_cancel_from_another_thread_wakes_a_sleep():
    context = RequestContext("h", [1], None)
    threading.Timer(0.1, context.cancel).start()
    started = time.time()
    with pytest.raises(Cancelled):
        context.sleep(5)
    assert time.time() - started < 1


def test_context_logger_is_the_handler_logger():
    context = RequestContext("model", [1], now_ms() + 1000)
    assert context.logger.name.endswith(".model")
    assert context.logger is context.logger
    assert not context.cancelled()


# Registry -----------------------------------------------------------------------------------


def test_inline_batch_or_stream_handler_is_rejected():
    with pytest.raises(ValueError, match="cannot be inline and batch"):
        handler("b", batch=True, inline=True)(lambda payloads: payloads)

    def generate(payload):
        yield payload

    with pytest.raises(ValueError, match="cannot be inline and stream"):
        handler("s", inline=True)(generate)


# Handler threads ----------------------------------------------------------------------------


def test_handler_threads_run_tasks_in_order_and_survive_a_failing_task():
    seen = []
    done = threading.Event()

    def run(task):
        if task == "fail":
            raise RuntimeError("task failed")
        seen.append((task, threading.current_thread().name))
        if task == 2:
            done.set()

    threads = HandlerThreads(1, run)
    for task in (1, "fail", 2):
        threads.submit(task)
    assert done.wait(5)
    threads.shutdown()
    assert seen == [(1, "handler_0"), (2, "handler_0")]


def test_handler_threads_drop_queued_tasks_on_shutdown():
    release = threading.Event()
    ran = []

    def run(task):
        ran.append(task)
        release.wait(5)

    threads = HandlerThreads(1, run)
    threads.submit(1)
    threads.submit(2)
    time.sleep(0.1)
    threads.shutdown()
    release.set()
    time.sleep(0.2)
    assert ran == [1]


# Worker -------------------------------------------------------------------------------------


def test_inline_handler_runs_on_the_reading_thread(start_worker):
    worker = start_worker("--heartbeat-ms", "0", handlers=INLINE)
    worker.handshake()
    assert worker.call("inline_thread", 4)["result"] == {"thread": "MainThread", "payload": 4}
    assert worker.call("pooled_thread", None, request_id=2)["result"].startswith("handler_")


def test_inline_handler_past_its_deadline_is_answered_on_time(start_worker):
    worker = start_worker("--heartbeat-ms", "0", handlers=INLINE)
    worker.handshake()
    started = time.time()
    frame = worker.call("inline_busy", {"seconds": 1.5}, deadline=now_ms() + 200)
    assert frame["code"] == "ERR_DEADLINE"
    assert time.time() - started < 1.2
    # Once it returns, the reading thread takes the next request, and the late result is dropped.
    assert worker.call("inline_thread", 5, request_id=2)["result"]["payload"] == 5
    with pytest.raises(TimeoutError):
        worker.receive_until(lambda f: f.get("id") == 1, timeout=0.5)


@pytest.mark.parametrize("frame", [
    {"type": "request", "id": 3, "handler": "echo", "payload": 1, "deadline": True},
    {"type": "request", "id": 3, "handler": "echo", "payload": 1, "deadline": "soon"},
    {"type": "request", "id": True, "handler": "echo", "payload": 1},
])
def test_request_that_leaves_the_short_path_is_still_a_protocol_error(worker, frame):
    worker.send(frame)
    assert worker.receive()["code"] == "ERR_PROTOCOL"
    assert worker.call("echo", 2, request_id=4)["result"] == 2


def test_frame_cut_short_by_end_of_file_is_reported(worker):
    body = worker.codec.encode({"type": "request", "id": 1, "handler": "echo", "payload": 1})
    worker.send_raw(struct.pack(">I", len(body)) + body[:3])
    worker._writer.close()
    frame = worker.receive()
    assert frame["code"] == "ERR_DECODE"
    assert f"after 3 of {len(body)} bytes" in frame["message"]
    assert worker.wait() != 0


def test_records_of_a_handler_logger_travel_before_any_context_asks_for_it(start_worker):
    worker = start_worker("--heartbeat-ms", "0", handlers=INLINE)
    worker.handshake()
    worker.request(1, "log_by_name", 7)
    frame = worker.receive_until(lambda f: f["type"] == "log")
    assert frame["message"] == "named 7"
    assert worker.answer(1)["result"] is True
