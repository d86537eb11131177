"""Drives a real worker process for the tests: over pipes on file descriptors 3 and 4, or over
a ZeroMQ ROUTER socket on loopback or ipc."""

import fcntl
import os
import queue
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import zmq

from starweave_bridge.codec import Codec
from starweave_bridge.frames import PROTOCOL_VERSION

PYTHON_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = "starweave_bridge.examples"


def _high_fd(fd):
    """Move ``fd`` above 10 so it cannot clash with 3 and 4 in the child."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


class _Lines:
    """Collects the lines of one output stream in a thread."""

    def __init__(self, stream):
        self.lines = []
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream):
        for line in iter(stream.readline, b""):
            self.lines.append(line.decode(errors="replace").rstrip("\n"))

    def wait_for(self, predicate, timeout=5.0):
        end = time.time() + timeout
        while time.time() < end:
            if any(predicate(line) for line in self.lines):
                return True
            time.sleep(0.02)
        return False

    def join(self):
        self._thread.join(timeout=5)


class Worker:
    """A worker process plus the Node side of its channel."""

    def __init__(self, handlers=EXAMPLES, args=(), zmq_endpoint=None):
        self.codec = Codec()
        self.inbox = queue.Queue()
        self._stash = []
        command = [sys.executable, "-m", "starweave_bridge", "--handlers", handlers, *args]
        # The tests folder too, for handler modules written for the tests.
        path = os.pathsep.join((str(PYTHON_ROOT), str(Path(__file__).resolve().parent)))
        env = {**os.environ, "PYTHONPATH": path}
        self._zmq = None
        if zmq_endpoint:
            self._zmq_context = zmq.Context()
            self._zmq = self._zmq_context.socket(zmq.ROUTER)
            self._zmq.setsockopt(zmq.LINGER, 0)
            self._zmq.bind(zmq_endpoint)
            self.endpoint = self._zmq.getsockopt(zmq.LAST_ENDPOINT).decode()
            self._identity = None
            command += ["--zmq", self.endpoint]
            self.process = subprocess.Popen(
                command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
        else:
            to_worker_read, to_worker_write = (_high_fd(fd) for fd in os.pipe())
            from_worker_read, from_worker_write = (_high_fd(fd) for fd in os.pipe())

            # A small launcher moves the pipe ends to descriptors 3 and 4, as Node's stdio array
            # does, then becomes the worker.
            launcher = [
                sys.executable, "-c",
                "import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); "
                "os.close(int(sys.argv[1])); os.close(int(sys.argv[2])); "
                "os.execv(sys.argv[3], sys.argv[3:])",
                str(to_worker_read), str(from_worker_write),
            ]
            self.process = subprocess.Popen(
                launcher + command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                pass_fds=(to_worker_read, from_worker_write),
            )
            os.close(to_worker_read)
            os.close(from_worker_write)
            self._writer = os.fdopen(to_worker_write, "wb")
            self._reader = os.fdopen(from_worker_read, "rb")
            threading.Thread(target=self._read_pipe, daemon=True).start()
        self.stdout = _Lines(self.process.stdout)
        self.stderr = _Lines(self.process.stderr)

    # Channel ----------------------------------------------------------------------------------

    def _read_pipe(self):
        while True:
            header = self._reader.read(4)
            if len(header) < 4:
                self.inbox.put(None)
                return
            (length,) = struct.unpack(">I", header)
            self.inbox.put(self.codec.decode(self._reader.read(length)))

    def send_raw(self, data):
        """Write raw bytes to the worker (a whole frame, or garbage)."""
        if self._zmq is not None:
            self._zmq.send_multipart([self._identity, data])
        else:
            self._writer.write(data)
            self._writer.flush()

    def send(self, frame):
        """Send one frame."""
        body = self.codec.encode(frame)
        self.send_raw(struct.pack(">I", len(body)) + body)

    def receive(self, timeout=10.0):
        """Return the next frame from the worker; None at end of file."""
        if self._zmq is not None:
            if not self._zmq.poll(int(timeout * 1000)):
                raise TimeoutError(f"no frame within {timeout} s")
            identity, message = self._zmq.recv_multipart()
            self._identity = identity
            (length,) = struct.unpack(">I", message[:4])
            assert length == len(message) - 4
            return self.codec.decode(message[4:])
        try:
            return self.inbox.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"no frame within {timeout} s") from None

    def receive_until(self, predicate, timeout=10.0):
        """Return the first frame matching ``predicate``. Frames that do not match are kept for
        later calls, except heartbeats and logs, which are dropped."""
        for index, frame in enumerate(self._stash):
            if predicate(frame):
                return self._stash.pop(index)
        end = time.time() + timeout
        while True:
            frame = self.receive(max(0.01, end - time.time()))
            if frame is None or predicate(frame):
                return frame
            if frame["type"] not in ("heartbeat", "log"):
                self._stash.append(frame)

    def answer(self, request_id, timeout=10.0):
        """Return the final frame (response, error or end) of ``request_id``."""
        final_types = ("response", "error", "end")
        return self.receive_until(
            lambda f: f.get("id") == request_id and f["type"] in final_types, timeout
        )

    # Protocol helpers -------------------------------------------------------------------------

    def handshake(self, max_frame_bytes=None, protocol=PROTOCOL_VERSION):
        """Read the worker's hello, reply with Node's hello and return the worker's."""
        hello = self.receive(timeout=20)
        assert hello is not None and hello["type"] == "hello", hello
        reply = {"type": "hello", "protocol": protocol,
                 "maxFrameBytes": max_frame_bytes or hello["maxFrameBytes"]}
        self.send(reply)
        return hello

    def request(self, request_id, handler, payload=None, deadline=None):
        """Send a request frame."""
        self.send({"type": "request", "id": request_id, "handler": handler, "payload": payload,
                   "deadline": deadline})

    def call(self, handler, payload=None, request_id=1, deadline=None, timeout=10.0):
        """Send a request and return its final frame."""
        self.request(request_id, handler, payload, deadline)
        return self.answer(request_id, timeout)

    # Process ----------------------------------------------------------------------------------

    def wait(self, timeout=10.0):
        """Wait for the process to exit and return its status."""
        return self.process.wait(timeout=timeout)

    def close(self):
        """Stop the process if it still runs and release the channel."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=5)
        if self._zmq is not None:
            self._zmq.close()
            self._zmq_context.term()
        else:
            for stream in (self._writer, self._reader):
                try:
                    stream.close()
                except OSError:
                    pass
        self.stdout.join()
        self.stderr.join()


def now_ms():
    """Return the current time in epoch milliseconds."""
    return time.time() * 1000
