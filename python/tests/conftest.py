"""Shared fixtures: a worker over pipes, and the import path of the package under test."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Worker  # noqa: E402


@pytest.fixture
def worker():
    """A worker over pipes with the example handlers, after its handshake."""
    process = Worker(args=("--heartbeat-ms", "0"))
    process.hello = process.handshake()
    yield process
    process.close()


@pytest.fixture
def start_worker():
    """Start workers with custom arguments; each is stopped after the test."""
    started = []

    def start(*args, handlers="starweave_bridge.examples", zmq_endpoint=None):
        process = Worker(handlers=handlers, args=args, zmq_endpoint=zmq_endpoint)
        started.append(process)
        return process

    yield start
    for process in started:
        process.close()
