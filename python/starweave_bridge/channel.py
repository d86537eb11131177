"""Channels that carry frames: a pair of pipes on file descriptors 3 and 4, or a ZeroMQ DEALER
socket that connects to Node's ROUTER. Both send from any thread and receive on one."""

import os
import queue
import threading

from .codec import Codec
from .errors import DecodeError, FrameTooLargeError, ProtocolError
from .frames import HEADER_BYTES, decode_frame, pack_header, unpack_header

_DISCARD_CHUNK = 1024 * 1024


class ChannelCorrupt(Exception):
    """The bytes on the channel are not a frame; ``cause`` is the underlying error."""

    def __init__(self, message, cause=None):
        super().__init__(message)
        self.cause = cause


class OversizedFrame(Exception):
    """A received frame was over the limit and has been discarded."""

    def __init__(self, size, max_bytes):
        super().__init__(f"frame of {size} bytes is over the maximum of {max_bytes}")
        self.size = size
        self.max_bytes = max_bytes


class Channel:
    """Common parts: the codec, whose ``max_bytes`` is the agreed frame limit."""

    #: True when a bad frame leaves the framing intact, so the worker may go on.
    keeps_framing = False

    def __init__(self, max_frame_bytes):
        self.codec = Codec(max_bytes=max_frame_bytes)
        self._send_lock = threading.Lock()

    @property
    def max_frame_bytes(self):
        """The frame size limit in bytes."""
        return self.codec.max_bytes

    def set_max_frame_bytes(self, max_frame_bytes):
        """Use the limit agreed in the handshake from now on."""
        self.codec = Codec(max_bytes=max_frame_bytes)

    def send(self, frame):
        """Encode and send one frame; raise ``EncodeError`` or ``FrameTooLargeError``
        without sending anything when the frame cannot be encoded within the limit."""
        body = self.codec.encode(frame)
        with self._send_lock:
            self._write(pack_header(len(body)), body)

    def _parse(self, body):
        try:
            return decode_frame(body, self.codec)
        except ProtocolError:
            raise
        except (DecodeError, FrameTooLargeError) as error:
            raise ChannelCorrupt(f"frame body is not a msgpack map: {error}", error) from error


class PipeChannel(Channel):
    """Frames on two file descriptors: read from ``read_fd`` (3), write to ``write_fd`` (4)."""

    def __init__(self, read_fd=3, write_fd=4, max_frame_bytes=None):
        from .frames import DEFAULT_MAX_FRAME_BYTES

        super().__init__(max_frame_bytes or DEFAULT_MAX_FRAME_BYTES)
        # Buffered, so a burst of frames costs one read call rather than two per frame.
        self._reader = os.fdopen(read_fd, "rb", buffering=1 << 16)
        self._writer = os.fdopen(write_fd, "wb")

    def receive(self):
        """Return the next frame, or None at end of file.

        Raises ``OversizedFrame`` (bytes discarded, framing intact), ``ProtocolError`` (a map
        with a bad ``type``) or ``ChannelCorrupt``.
        """
        header = self._read_exactly(HEADER_BYTES)
        if header is None:
            return None
        length = unpack_header(header)
        if length == 0:
            raise ChannelCorrupt("invalid frame length 0: a frame contains one msgpack map")
        if length > self.max_frame_bytes:
            self._discard(length)
            raise OversizedFrame(length, self.max_frame_bytes)
        body = self._read_exactly(length)
        if body is None:
            raise ChannelCorrupt(f"end of file inside a frame of {length} bytes")
        return self._parse(body)

    def _read_exactly(self, length):
        # A buffered read of n bytes returns fewer only at end of file.
        data = self._reader.read(length)
        if len(data) < length:
            if not data:
                return None
            raise ChannelCorrupt(f"end of file after {len(data)} of {length} bytes")
        return data

    def _discard(self, length):
        remaining = length
        while remaining > 0:
            chunk = self._reader.read(min(remaining, _DISCARD_CHUNK))
            if not chunk:
                raise ChannelCorrupt(f"end of file inside an oversized frame of {length} bytes")
            remaining -= len(chunk)

    def _write(self, header, body):
        self._writer.write(header)
        self._writer.write(body)
        self._writer.flush()

    def close(self):
        """Close both descriptors."""
        for stream in (self._writer, self._reader):
            try:
                stream.close()
            except OSError:
                pass


class ZmqChannel(Channel):
    """Frames over a ZeroMQ DEALER socket that connects to ``endpoint``.

    ZeroMQ sockets must stay in one thread, so an I/O thread owns the socket: it moves received
    messages to an inbox and sends what other threads queue, woken through an inproc pair.
    """

    keeps_framing = True

    def __init__(self, endpoint, max_frame_bytes=None, identity=None):
        import zmq

        from .frames import DEFAULT_MAX_FRAME_BYTES

        super().__init__(max_frame_bytes or DEFAULT_MAX_FRAME_BYTES)
        self._zmq = zmq
        self._context = zmq.Context()
        self._socket = self._context.socket(zmq.DEALER)
        self._socket.setsockopt(zmq.LINGER, 2000)
        if identity:
            self._socket.setsockopt(zmq.IDENTITY, identity.encode())
        self._socket.connect(endpoint)
        self._wake_address = f"inproc://starweave-wake-{id(self)}"
        self._wake_receiver = self._context.socket(zmq.PULL)
        self._wake_receiver.bind(self._wake_address)
        self._wake_sender = self._context.socket(zmq.PUSH)
        self._wake_sender.connect(self._wake_address)
        self._outbox = queue.Queue()
        self._inbox = queue.Queue()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._pump, name="starweave-zmq", daemon=True)
        self._thread.start()

    def _pump(self):
        zmq = self._zmq
        poller = zmq.Poller()
        poller.register(self._socket, zmq.POLLIN)
        poller.register(self._wake_receiver, zmq.POLLIN)
        while not self._closed.is_set():
            ready = dict(poller.poll(200))
            if self._wake_receiver in ready:
                while True:
                    try:
                        self._wake_receiver.recv(zmq.NOBLOCK)
                    except zmq.Again:
                        break
            while True:
                try:
                    message = self._outbox.get_nowait()
                except queue.Empty:
                    break
                self._socket.send(message, copy=False)
            if self._socket in ready:
                while True:
                    try:
                        self._inbox.put(self._socket.recv(zmq.NOBLOCK, copy=False).buffer)
                    except zmq.Again:
                        break
        self._drain_outbox()

    def _drain_outbox(self):
        while True:
            try:
                self._socket.send(self._outbox.get_nowait(), copy=False)
            except queue.Empty:
                return

    def receive(self):
        """Return the next frame. Raises as ``PipeChannel.receive`` does, but every error
        leaves the framing intact because ZeroMQ keeps message boundaries."""
        message = self._inbox.get()
        if len(message) < HEADER_BYTES:
            raise ChannelCorrupt(f"message of {len(message)} bytes is shorter than a frame header")
        length = unpack_header(message[:HEADER_BYTES])
        if length != len(message) - HEADER_BYTES:
            raise ChannelCorrupt(
                f"frame header announces {length} bytes but the message carries "
                f"{len(message) - HEADER_BYTES}"
            )
        if length > self.max_frame_bytes:
            raise OversizedFrame(length, self.max_frame_bytes)
        if length == 0:
            raise ChannelCorrupt("invalid frame length 0: a frame contains one msgpack map")
        return self._parse(message[HEADER_BYTES:])

    def _write(self, header, body):
        self._outbox.put(header + body)
        self._wake_sender.send(b"")

    def close(self):
        """Send what is queued, then close the socket and the context."""
        self._closed.set()
        self._thread.join(timeout=5)
        self._socket.close()
        self._wake_sender.close()
        self._wake_receiver.close()
        self._context.term()
