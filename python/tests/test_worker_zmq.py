"""The worker over real ZeroMQ: the worker's DEALER connects to a ROUTER bound on loopback TCP
or an ipc path, and carries the same frames as the pipes."""

import struct

import numpy as np
import pytest

from harness import now_ms
from starweave_bridge import encode


@pytest.fixture(params=["tcp", "ipc"])
def zmq_worker(request, start_worker, tmp_path):
    endpoint = "tcp://127.0.0.1:*" if request.param == "tcp" else f"ipc://{tmp_path}/bridge.sock"
    process = start_worker("--heartbeat-ms", "0", "--name", "zmq-worker", zmq_endpoint=endpoint)
    process.hello = process.handshake()
    return process


def test_zmq_hello_and_call(zmq_worker):
    assert zmq_worker.hello["worker"] == "zmq-worker"
    assert zmq_worker.call("echo", {"over": "zmq"})["result"] == {"over": "zmq"}


def test_zmq_numpy_round_trip(zmq_worker):
    array = np.arange(1000, dtype=np.int64).reshape(10, 100)
    result = zmq_worker.call("double", array)["result"]
    assert result.shape == (10, 100)
    assert np.array_equal(result, array * 2)


def test_zmq_call_fails_after_deadline(zmq_worker):
    frame = zmq_worker.call("sleep", {"seconds": 5}, deadline=now_ms() + 200)
    assert frame["code"] == "ERR_DEADLINE"


def test_zmq_garbage_is_reported_and_worker_goes_on(zmq_worker):
    zmq_worker.send_raw(b"\x00\x00\x00\x03\xc1\xc1\xc1")
    frame = zmq_worker.receive()
    assert frame["code"] == "ERR_DECODE"
    assert zmq_worker.call("echo", "still alive", request_id=2)["result"] == "still alive"


def test_zmq_wrong_header_length_is_garbage(zmq_worker):
    body = encode({"type": "heartbeat", "seq": 1})
    zmq_worker.send_raw(struct.pack(">I", len(body) + 5) + body)
    assert zmq_worker.receive()["code"] == "ERR_DECODE"
    assert zmq_worker.call("echo", 3)["result"] == 3


def test_zmq_shutdown_exits_zero(zmq_worker):
    zmq_worker.send({"type": "shutdown", "graceMs": 1000})
    assert zmq_worker.receive_until(lambda f: f["type"] == "shutdown")["cancelled"] == []
    assert zmq_worker.wait() == 0


def test_zmq_stream(zmq_worker):
    zmq_worker.request(1, "count", {"to": 3})
    frames = [zmq_worker.receive_until(lambda f: f.get("id") == 1) for _ in range(4)]
    assert [frame["type"] for frame in frames] == ["chunk", "chunk", "chunk", "end"]
