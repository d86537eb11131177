"""The Python side of the Starweave bridge: the wire format codec, the frame protocol and the
worker that runs named handlers for ``@starweave/ml-bridge``."""

from .codec import (
    Codec,
    EXT_BIGINT,
    EXT_ERROR,
    EXT_MAP,
    EXT_NDARRAY,
    EXT_PID,
    EXT_REF,
    EXT_SET,
    WIRE_FORMAT_VERSION,
    decode,
    decode_versioned,
    encode,
    encode_versioned,
)
from .errors import (
    BridgeError,
    DecodeError,
    EncodeError,
    FrameTooLargeError,
    ProtocolError,
    RemoteError,
)
from .values import Pid, Ref

__all__ = [
    "BridgeError",
    "Codec",
    "DecodeError",
    "EXT_BIGINT",
    "EXT_ERROR",
    "EXT_MAP",
    "EXT_NDARRAY",
    "EXT_PID",
    "EXT_REF",
    "EXT_SET",
    "EncodeError",
    "FrameTooLargeError",
    "Pid",
    "ProtocolError",
    "Ref",
    "RemoteError",
    "WIRE_FORMAT_VERSION",
    "decode",
    "decode_versioned",
    "encode",
    "encode_versioned",
]
