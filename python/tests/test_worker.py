"""The worker process over real pipes on file descriptors 3 and 4: handshake, calls, errors,
deadlines, cancellation, batches, streams, heartbeats, bad frames and shutdown."""

import struct
import threading
import time

import numpy as np
import pytest

from harness import now_ms
from starweave_bridge import encode
from starweave_bridge.frames import PROTOCOL_VERSION


def test_hello_lists_handlers_and_capabilities(worker):
    hello = worker.hello
    assert hello["protocol"] == PROTOCOL_VERSION
    assert hello["maxFrameBytes"] == 64 * 1024 * 1024
    assert hello["worker"].startswith("python-")
    handlers = {entry["name"]: entry for entry in hello["handlers"]}
    expected = {"name": "echo", "batch": False, "maxBatchSize": None, "stream": False}
    assert handlers["echo"] == expected
    assert handlers["square_batch"]["batch"] is True
    assert handlers["square_batch"]["maxBatchSize"] == 64
    assert handlers["count"]["stream"] is True


def test_hello_carries_the_configured_name(start_worker):
    process = start_worker("--name", "scorer-1", "--heartbeat-ms", "0")
    assert process.handshake()["worker"] == "scorer-1"


def test_call_returns_result(worker):
    frame = worker.call("echo", {"x": [1, 2]})
    assert frame == {"type": "response", "id": 1, "result": {"x": [1, 2]}}


def test_sum_of_floats(worker):
    assert worker.call("sum", [0.5, 1.25, 2])["result"] == 3.75


def test_call_fails_with_unknown_handler(worker):
    frame = worker.call("no_such_handler", None)
    assert frame["type"] == "error"
    assert frame["code"] == "ERR_NOT_FOUND"
    assert "no_such_handler" in frame["message"]
    assert "echo" in frame["message"]


def test_handler_exception_returns_type_message_and_traceback(worker):
    frame = worker.call("fail", "bad row 7")
    assert frame["code"] == "ERR_REMOTE"
    assert frame["errorType"] == "ValueError"
    assert frame["message"] == "bad row 7"
    assert "Traceback" in frame["traceback"]
    assert "raise ValueError" in frame["traceback"]


def test_failed_request_is_logged_to_stderr(worker):
    worker.call("fail", "x")
    assert worker.stderr.wait_for(
        lambda line: "bridge.request_failed" in line and "handler=fail" in line
    )


def test_call_fails_after_deadline(worker):
    started = time.time()
    frame = worker.call("sleep", {"seconds": 5}, deadline=now_ms() + 200)
    assert frame["code"] == "ERR_DEADLINE"
    assert time.time() - started < 2


def test_expired_deadline_is_not_run(worker):
    frame = worker.call("print", {"lines": ["should not print"]}, deadline=now_ms() - 10)
    assert frame["code"] == "ERR_DEADLINE"
    time.sleep(0.2)
    assert "should not print" not in worker.stdout.lines


def test_uncooperative_handler_is_answered_at_deadline(worker):
    started = time.time()
    frame = worker.call("busy", {"seconds": 1.5}, deadline=now_ms() + 200)
    assert frame["code"] == "ERR_DEADLINE"
    assert time.time() - started < 1.2
    # The late result is dropped: the next frame for id 1 never comes.
    with pytest.raises(TimeoutError):
        worker.receive_until(lambda f: f.get("id") == 1, timeout=2)


def test_cancel_answers_at_once_and_stops_handler(worker):
    worker.request(1, "sleep", {"seconds": 5})
    time.sleep(0.1)
    started = time.time()
    worker.send({"type": "cancel", "id": 1})
    frame = worker.answer(1)
    assert frame["code"] == "ERR_CANCELLED"
    assert time.time() - started < 1
    # The cancelled thread is free again, so the worker still runs requests.
    assert worker.call("echo", 2, request_id=2)["result"] == 2


def test_cancel_of_unknown_id_is_ignored(worker):
    worker.send({"type": "cancel", "id": 99})
    assert worker.call("echo", "still here")["result"] == "still here"


def test_requests_run_concurrently(worker):
    started = time.time()
    for request_id in range(1, 4):
        worker.request(request_id, "sleep", {"seconds": 0.5})
    for request_id in range(1, 4):
        assert worker.answer(request_id)["result"] == 0.5
    assert time.time() - started < 1.4


def test_numpy_array_doubles_keeping_dtype_and_shape(worker):
    array = np.arange(6, dtype=np.float32).reshape(2, 3)
    result = worker.call("double", array)["result"]
    assert result.dtype == np.float32
    assert result.shape == (2, 3)
    assert np.array_equal(result, array * 2)


def test_print_goes_to_stdout_not_the_channel(worker):
    frame = worker.call("print", {"lines": ["hello from python", "second line"]})
    assert frame["result"] == 2
    assert worker.stdout.wait_for(lambda line: line == "second line")
    assert "hello from python" in worker.stdout.lines


def test_crash_exits_with_status(worker):
    worker.request(1, "crash", {"status": 13})
    assert worker.wait() == 13
    assert worker.receive(timeout=2) is None


def test_unencodable_result_names_the_path(worker):
    frame = worker.call("unencodable")
    assert frame["code"] == "ERR_ENCODE"
    assert "value['result']['callback']" in frame["message"]


def test_result_over_frame_limit_fails_that_request(start_worker):
    process = start_worker("--heartbeat-ms", "0")
    process.handshake(max_frame_bytes=10_000)
    frame = process.call("big", {"bytes": 20_000})
    assert frame["code"] == "ERR_FRAME_TOO_LARGE"
    assert process.call("big", {"bytes": 100}, request_id=2)["result"] == bytes(100)


def test_handshake_takes_the_smaller_frame_limit(start_worker):
    process = start_worker("--heartbeat-ms", "0", "--max-frame-bytes", "5000")
    hello = process.handshake(max_frame_bytes=1_000_000)
    assert hello["maxFrameBytes"] == 5000
    assert process.call("big", {"bytes": 6000})["code"] == "ERR_FRAME_TOO_LARGE"


def test_oversized_frame_is_reported_and_skipped(start_worker):
    process = start_worker("--heartbeat-ms", "0")
    process.handshake(max_frame_bytes=1000)
    body = encode({"type": "request", "id": 1, "handler": "echo", "payload": "x" * 2000})
    process.send_raw(struct.pack(">I", len(body)) + body)
    frame = process.receive()
    assert frame["type"] == "error"
    assert frame["id"] is None
    assert frame["code"] == "ERR_FRAME_TOO_LARGE"
    assert frame["details"] == {"size": len(body), "maxFrameBytes": 1000}
    assert process.call("echo", "after", request_id=2)["result"] == "after"


def test_garbage_is_reported_and_exits_nonzero(worker):
    worker.send_raw(b"\x00\x00\x00\x03\xc1\xc1\xc1")
    frame = worker.receive()
    assert frame["type"] == "error"
    assert frame["code"] == "ERR_DECODE"
    assert worker.wait() == 3
    assert worker.stderr.wait_for(lambda line: "bridge.channel_corrupt" in line)


def test_zero_length_frame_is_garbage(worker):
    worker.send_raw(b"\x00\x00\x00\x00")
    assert worker.receive()["code"] == "ERR_DECODE"
    assert worker.wait() == 3


def test_frame_of_unknown_type_is_a_protocol_error(worker):
    worker.send({"type": "launch_rockets"})
    frame = worker.receive()
    assert frame["code"] == "ERR_PROTOCOL"
    assert worker.call("echo", 1)["result"] == 1


def test_request_without_integer_id_is_a_protocol_error(worker):
    worker.send({"type": "request", "id": "one", "handler": "echo", "payload": 1})
    frame = worker.receive()
    assert frame["code"] == "ERR_PROTOCOL"
    assert frame["id"] is None


def test_batch_frame_returns_one_response_per_id(worker):
    worker.send({"type": "batch", "ids": [10, 11, 12], "handler": "square_batch",
                 "payloads": [1, 2, 3], "deadline": None})
    results = {request_id: worker.answer(request_id)["result"] for request_id in (10, 11, 12)}
    assert results == {10: 1.0, 11: 4.0, 12: 9.0}


def test_batch_item_exception_fails_only_its_id(worker):
    worker.send({"type": "batch", "ids": [1, 2, 3], "handler": "reciprocal_batch",
                 "payloads": [2, 0, 4], "deadline": None})
    assert worker.answer(1)["result"] == 0.5
    failed = worker.answer(2)
    assert failed["type"] == "error"
    assert failed["code"] == "ERR_REMOTE"
    assert failed["errorType"] == "ZeroDivisionError"
    assert "ZeroDivisionError" in failed["traceback"]
    assert worker.answer(3)["result"] == 0.25


def test_batch_handler_takes_single_request(worker):
    assert worker.call("square_batch", 5)["result"] == 25.0


def test_batch_over_max_size_is_rejected(worker):
    ids = list(range(100, 165))
    worker.send({"type": "batch", "ids": ids, "handler": "square_batch", "payloads": [1] * 65})
    frame = worker.answer(100)
    assert frame["code"] == "ERR_INVALID_ARGUMENT"
    assert "maximum of 64" in frame["message"]


def test_wrong_batch_length_fails_every_id(worker):
    worker.send({"type": "batch", "ids": [1, 2], "handler": "wrong_batch", "payloads": ["a", "b"]})
    assert worker.answer(1)["code"] == "ERR_BAD_RETURN"
    assert worker.answer(2)["code"] == "ERR_BAD_RETURN"


def test_batch_cancel_of_one_id_answers_only_it(worker):
    worker.send({"type": "batch", "ids": [1, 2], "handler": "sleep_batch", "payloads": [0.4, 0.1]})
    time.sleep(0.1)
    worker.send({"type": "cancel", "id": 1})
    assert worker.answer(1)["code"] == "ERR_CANCELLED"
    assert worker.answer(2)["result"] == 0.1


def test_batch_frame_to_plain_handler_is_rejected(worker):
    worker.send({"type": "batch", "ids": [1, 2], "handler": "echo", "payloads": ["a", "b"]})
    assert worker.answer(1)["code"] == "ERR_INVALID_ARGUMENT"
    assert worker.answer(2)["code"] == "ERR_INVALID_ARGUMENT"


def test_stream_sends_chunks_then_end(worker):
    worker.request(1, "count", {"to": 4})
    frames = []
    while True:
        frame = worker.receive_until(lambda f: f.get("id") == 1)
        frames.append(frame)
        if frame["type"] != "chunk":
            break
    assert [f["data"] for f in frames[:-1]] == [0, 1, 2, 3]
    assert [f["seq"] for f in frames[:-1]] == [0, 1, 2, 3]
    assert frames[-1] == {"type": "end", "id": 1, "count": 4}


def test_stream_stops_on_cancel(worker):
    worker.request(1, "count", {"to": 1000, "pause": 0.05})
    first = worker.receive_until(lambda f: f.get("id") == 1)
    assert first["type"] == "chunk"
    worker.send({"type": "cancel", "id": 1})
    final = worker.receive_until(lambda f: f.get("id") == 1 and f["type"] != "chunk")
    assert final["code"] == "ERR_CANCELLED"
    time.sleep(0.2)
    with pytest.raises(TimeoutError):
        worker.receive_until(lambda f: f.get("id") == 1, timeout=0.3)


def test_heartbeat_is_echoed_with_its_seq(worker):
    worker.send({"type": "heartbeat", "seq": 7})
    frame = worker.receive_until(lambda f: f["type"] == "heartbeat")
    assert frame["seq"] == 7
    assert frame["inflight"] == 0


def test_unprompted_heartbeats_arrive(start_worker):
    process = start_worker("--heartbeat-ms", "100")
    process.handshake()
    frame = process.receive_until(lambda f: f["type"] == "heartbeat", timeout=2)
    assert frame["seq"] is None


def test_ctx_logger_records_travel_as_log_frames(worker):
    worker.request(1, "square_batch", 3)
    frame = worker.receive_until(lambda f: f["type"] == "log")
    assert frame["event"] == "examples.batch"
    assert frame["fields"] == {"size": 1}
    assert frame["level"] == "info"


def test_shutdown_drains_inflight_requests(worker):
    worker.request(1, "sleep", {"seconds": 0.3})
    worker.send({"type": "shutdown", "graceMs": 3000})
    assert worker.answer(1)["result"] == 0.3
    final = worker.receive_until(lambda f: f["type"] == "shutdown")
    assert final == {"type": "shutdown", "cancelled": []}
    assert worker.wait() == 0


def test_shutdown_gives_up_after_grace(worker):
    worker.request(1, "busy", {"seconds": 5})
    time.sleep(0.1)
    started = time.time()
    worker.send({"type": "shutdown", "graceMs": 200})
    assert worker.answer(1)["code"] == "ERR_CANCELLED"
    assert worker.receive_until(lambda f: f["type"] == "shutdown")["cancelled"] == [1]
    assert worker.wait() == 0
    assert time.time() - started < 2


def test_end_of_file_exits_zero(worker):
    worker._writer.close()
    assert worker.wait() == 0


def test_protocol_mismatch_fails_handshake(start_worker):
    process = start_worker("--heartbeat-ms", "0")
    process.handshake(protocol=PROTOCOL_VERSION + 1)
    frame = process.receive()
    assert frame["code"] == "ERR_PROTOCOL"
    assert "version" in frame["message"]
    assert process.wait() == 2


def test_missing_handler_module_reports_and_exits_1(start_worker):
    process = start_worker(handlers="starweave_bridge.no_such_module")
    frame = process.receive()
    assert frame["type"] == "error"
    assert frame["code"] == "ERR_NOT_FOUND"
    assert "no_such_module" in frame["message"]
    assert process.wait() == 1


def test_iris_model_predicts_probabilities_in_batches(start_worker):
    process = start_worker("--heartbeat-ms", "0", handlers="starweave_bridge.examples.iris")
    hello = process.handshake()
    assert {entry["name"] for entry in hello["handlers"]} == {"iris_classes", "iris_predict_proba"}
    assert process.call("iris_classes")["result"] == ["setosa", "versicolor", "virginica"]
    rows = [[5.1, 3.5, 1.4, 0.2], np.array([6.7, 3.0, 5.2, 2.3])]
    process.send({"type": "batch", "ids": [1, 2], "handler": "iris_predict_proba",
                  "payloads": rows})
    setosa = process.answer(1)["result"]
    virginica = process.answer(2)["result"]
    assert setosa.shape == (3,)
    assert abs(float(setosa.sum()) - 1) < 1e-9
    assert int(np.argmax(setosa)) == 0
    assert int(np.argmax(virginica)) == 2


def test_many_concurrent_clients_get_their_own_answers(worker):
    # Responses arrive in any order; each carries the id of its request.
    def send_all():
        for request_id in range(1, 101):
            worker.request(request_id, "echo", request_id)

    thread = threading.Thread(target=send_all)
    thread.start()
    answers = {}
    while len(answers) < 100:
        frame = worker.receive_until(lambda f: f["type"] == "response")
        answers[frame["id"]] = frame["result"]
    thread.join()
    assert answers == {request_id: request_id for request_id in range(1, 101)}


def test_duplicate_id_in_flight_is_a_protocol_error(worker):
    worker.request(1, "sleep", {"seconds": 0.3})
    worker.request(1, "echo", "again")
    frame = worker.receive_until(lambda f: f["type"] == "error")
    assert frame["id"] is None
    assert frame["code"] == "ERR_PROTOCOL"
    assert worker.answer(1)["result"] == 0.3
