"""Frames: a 4-byte big-endian length, then one msgpack map whose ``type`` names the frame
(docs/bridge-protocol.md lists them)."""

import struct

from .codec import Codec
from .errors import DecodeError, ProtocolError

#: The protocol version in ``hello`` frames; a peer with another version is rejected.
PROTOCOL_VERSION = 1
#: The default limit on a frame body: 64 MiB.
DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024
#: The length prefix size.
HEADER_BYTES = 4

FRAME_TYPES = frozenset(
    ("hello", "request", "batch", "response", "chunk", "end", "error", "cancel", "heartbeat",
     "log", "shutdown")
)

_HEADER = struct.Struct(">I")


def pack_header(length):
    """Return the 4-byte length prefix of a body of ``length`` bytes."""
    return _HEADER.pack(length)


def unpack_header(header):
    """Return the body length that a 4-byte prefix announces."""
    return _HEADER.unpack(header)[0]


def encode_frame(frame, codec):
    """Encode one frame map to its body bytes (without prefix) with ``codec``.

    Raises ``EncodeError`` and ``FrameTooLargeError`` as ``Codec.encode`` does.
    """
    return codec.encode(frame)


def decode_frame(body, codec):
    """Decode one frame body; raise ``DecodeError`` unless it is a msgpack map with a
    string ``type``, and ``ProtocolError`` when that type is unknown."""
    frame = codec.decode(body)
    if not isinstance(frame, dict):
        raise DecodeError(f"invalid frame: expected a msgpack map, received {type(frame).__name__}")
    kind = frame.get("type")
    if kind not in FRAME_TYPES:
        raise ProtocolError(
            f"invalid frame: unknown type {kind!r}; expected one of {sorted(FRAME_TYPES)}"
        )
    return frame


def error_frame(request_id, code, error_type, message, traceback=None, details=None):
    """Build an ``error`` frame."""
    frame = {
        "type": "error",
        "id": request_id,
        "code": code,
        "errorType": error_type,
        "message": message,
        "traceback": traceback,
    }
    if details is not None:
        frame["details"] = details
    return frame


__all__ = [
    "Codec",
    "DEFAULT_MAX_FRAME_BYTES",
    "FRAME_TYPES",
    "HEADER_BYTES",
    "PROTOCOL_VERSION",
    "decode_frame",
    "encode_frame",
    "error_frame",
    "pack_header",
    "unpack_header",
]
