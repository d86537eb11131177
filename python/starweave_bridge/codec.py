"""The Starweave wire format in Python: msgpack with the extension table of
docs/wire-format.md, shared with ``@starweave/actors``.

``encode`` checks the value first and names the path of anything it cannot carry. ``decode``
raises ``DecodeError`` on bytes that are not exactly one valid value.
"""

import datetime

import msgpack
import numpy as np

from .arrays import decode_array, encode_array
from .errors import DecodeError, EncodeError, FrameTooLargeError, RemoteError
from .values import Pid, Ref

#: Extension type numbers; docs/wire-format.md describes each payload.
EXT_PID = 0x10
EXT_REF = 0x11
EXT_NDARRAY = 0x12
EXT_ERROR = 0x13
EXT_BIGINT = 0x14
EXT_MAP = 0x15
EXT_SET = 0x16

#: The format version that ``encode_versioned`` writes.
WIRE_FORMAT_VERSION = 1
#: The first byte of a versioned blob; msgpack never uses 0xc1.
VERSIONED_MARKER = 0xC1

#: The default size limit, in bytes, of an encoded value: 64 MiB, as the bridge's frames.
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
#: The default deepest nesting of containers.
DEFAULT_MAX_DEPTH = 512

_INT64_MIN = -(2**63)
_UINT64_MAX = 2**64 - 1
_PLAIN = (str, float, bool, type(None), bytes)
_PLAIN_SET = frozenset(_PLAIN)


def _pack(value):
    return msgpack.packb(value, use_bin_type=True, datetime=True)


class Codec:
    """Encode values to the wire format and back, with a size and a depth limit."""

    def __init__(self, max_bytes=DEFAULT_MAX_BYTES, max_depth=DEFAULT_MAX_DEPTH):
        if not isinstance(max_bytes, int) or max_bytes <= 0:
            raise ValueError(f"invalid max_bytes: expected a positive int, received {max_bytes!r}")
        if not isinstance(max_depth, int) or max_depth <= 0:
            raise ValueError(f"invalid max_depth: expected a positive int, received {max_depth!r}")
        self.max_bytes = max_bytes
        self.max_depth = max_depth

    # Encoding ---------------------------------------------------------------------------------

    def encode(self, value):
        """Encode ``value`` as msgpack bytes.

        Raises ``EncodeError`` naming the path of a part the format cannot carry, and
        ``FrameTooLargeError`` when the bytes exceed ``max_bytes``.
        """
        # A value with nothing to replace is packed as it is: the same bytes, without
        # rebuilding every container on the way.
        prepared = value if _is_plain(value, self.max_depth) else self.prepare(value)
        try:
            data = _pack(prepared)
        except (TypeError, ValueError, OverflowError) as error:
            raise EncodeError(f"cannot encode the value: {error}") from error
        if len(data) > self.max_bytes:
            raise FrameTooLargeError(
                f"encoded value is {len(data)} bytes, over the maximum of {self.max_bytes}. "
                "Send less at once or raise max_bytes.",
                len(data),
                self.max_bytes,
            )
        return data

    def prepare(self, value):
        """Return ``value`` with every extension type replaced by its ``msgpack.ExtType``."""
        return self._prepare(value, "value", 0, set())

    def _prepare(self, value, path, depth, ancestors):
        kind = type(value)
        if kind in _PLAIN:
            return value
        if kind is int:
            if _INT64_MIN <= value <= _UINT64_MAX:
                return value
            return msgpack.ExtType(EXT_BIGINT, str(value).encode("ascii"))
        if isinstance(value, np.ndarray):
            return msgpack.ExtType(EXT_NDARRAY, encode_array(value, path))
        if isinstance(value, (Pid, Ref)):
            if not isinstance(value.node, str) or not isinstance(value.id, int) or value.id < 0:
                raise EncodeError(
                    f"cannot encode {path}: {value!r} needs a str node and an id >= 0."
                )
            code = EXT_PID if kind is Pid else EXT_REF
            return msgpack.ExtType(code, _pack([value.node, value.id]))
        if isinstance(value, datetime.datetime):
            if value.tzinfo is None:
                raise EncodeError(
                    f"cannot encode {path}: it is a naive datetime. Attach a timezone, for "
                    "example value.replace(tzinfo=datetime.timezone.utc)."
                )
            return value
        if isinstance(value, np.generic):
            return self._prepare(_numpy_scalar(value, path), path, depth, ancestors)
        if isinstance(value, (bytearray, memoryview)):
            return bytes(value)
        for base in (bool, int, float, str):
            # Subclasses such as IntEnum travel as their base value.
            if isinstance(value, base):
                return self._prepare(base(value), path, depth, ancestors)

        if id(value) in ancestors:
            raise EncodeError(
                f"cannot encode {path}: it is a cyclic reference. The format encodes trees; "
                "break the cycle first."
            )
        if depth >= self.max_depth:
            raise EncodeError(
                f"cannot encode {path}: nesting deeper than max_depth {self.max_depth}."
            )
        ancestors.add(id(value))
        try:
            return self._prepare_container(value, path, depth + 1, ancestors)
        finally:
            ancestors.discard(id(value))

    def _prepare_container(self, value, path, depth, ancestors):
        prepare = self._prepare
        if isinstance(value, (list, tuple)):
            # Plain items skip the call, which keeps long lists of numbers fast.
            return [
                item if type(item) in _PLAIN
                else prepare(item, f"{path}[{index}]", depth, ancestors)
                for index, item in enumerate(value)
            ]
        if isinstance(value, dict):
            if all(type(key) is str for key in value):
                return {
                    key: item if type(item) in _PLAIN
                    else prepare(item, f"{path}[{key!r}]", depth, ancestors)
                    for key, item in value.items()
                }
            flat = []
            for index, (key, item) in enumerate(value.items()):
                flat.append(prepare(key, f"{path}<map key {index}>", depth, ancestors))
                flat.append(prepare(item, f"{path}<map value {index}>", depth, ancestors))
            return msgpack.ExtType(EXT_MAP, _pack(flat))
        if isinstance(value, (set, frozenset)):
            members = [
                prepare(item, f"{path}<set member {index}>", depth, ancestors)
                for index, item in enumerate(value)
            ]
            return msgpack.ExtType(EXT_SET, _pack(members))
        if isinstance(value, BaseException):
            fields = _error_fields(value)
            return msgpack.ExtType(EXT_ERROR, _pack(prepare(fields, path, depth, ancestors)))
        raise EncodeError(
            f"cannot encode {path}: it is a {type(value).__qualname__}, which the wire format "
            "does not carry. Send dicts, lists, numbers, strings, bytes or numpy arrays."
        )

    # Decoding ---------------------------------------------------------------------------------

    def decode(self, data):
        """Decode exactly one msgpack value from ``data``; raise ``DecodeError`` otherwise."""
        if len(data) > self.max_bytes:
            raise FrameTooLargeError(
                f"cannot decode {len(data)} bytes, over the maximum of {self.max_bytes}.",
                len(data),
                self.max_bytes,
            )
        if len(data) == 0:
            raise DecodeError("cannot decode 0 bytes: expected one msgpack value.")
        try:
            return msgpack.unpackb(
                data,
                raw=False,
                ext_hook=self._ext_hook,
                timestamp=3,
                strict_map_key=True,
            )
        except DecodeError:
            raise
        except (ValueError, msgpack.UnpackException) as error:
            raise DecodeError(f"invalid msgpack bytes: {type(error).__name__}: {error}") from error

    def _ext_hook(self, code, payload):
        if code == EXT_NDARRAY:
            return decode_array(payload)
        if code == EXT_BIGINT:
            text = payload.decode("ascii", errors="replace")
            if not text.lstrip("-").isdigit() or text.count("-") > 1 or "-" in text[1:]:
                raise DecodeError(f"invalid bigint (extension 0x14): {text[:40]!r} is not decimal.")
            return int(text)
        if code in (EXT_PID, EXT_REF):
            inner = self.decode(payload)
            if (
                not isinstance(inner, list)
                or len(inner) != 2
                or not isinstance(inner[0], str)
                or type(inner[1]) is not int
                or inner[1] < 0
            ):
                raise DecodeError(f"invalid pid or ref (extension {code:#x}): expected [node, id].")
            return (Pid if code == EXT_PID else Ref)(inner[0], inner[1])
        if code == EXT_MAP:
            inner = self.decode(payload)
            if not isinstance(inner, list) or len(inner) % 2:
                raise DecodeError("invalid Map (extension 0x15): expected keys and values in turn.")
            try:
                return {_hashable(inner[i]): inner[i + 1] for i in range(0, len(inner), 2)}
            except TypeError as error:
                raise DecodeError(
                    f"invalid Map (extension 0x15): a key is unhashable: {error}"
                ) from error
        if code == EXT_SET:
            inner = self.decode(payload)
            if not isinstance(inner, list):
                raise DecodeError("invalid Set (extension 0x16): expected an array of members.")
            try:
                return {_hashable(item) for item in inner}
            except TypeError as error:
                raise DecodeError(
                    f"invalid Set (extension 0x16): a member is unhashable: {error}"
                ) from error
        if code == EXT_ERROR:
            return _build_error(self.decode(payload))
        raise DecodeError(f"unknown extension type {code:#x}")

    # Versioned --------------------------------------------------------------------------------

    def encode_versioned(self, value):
        """Encode ``value`` for storage: 0xc1, the format version, then the msgpack value."""
        return bytes((VERSIONED_MARKER, WIRE_FORMAT_VERSION)) + self.encode(value)

    def decode_versioned(self, data):
        """Decode bytes written by ``encode_versioned``; raise ``DecodeError`` on other versions."""
        if len(data) < 3 or data[0] != VERSIONED_MARKER:
            raise DecodeError(
                "invalid versioned value: expected the marker byte 0xc1 and a version first. "
                "Use decode for bytes written by encode."
            )
        if data[1] != WIRE_FORMAT_VERSION:
            raise DecodeError(
                f"cannot decode wire format version {data[1]}: this codec reads version "
                f"{WIRE_FORMAT_VERSION}. Upgrade starweave_bridge to read newer data."
            )
        return self.decode(memoryview(data)[2:])


def _is_plain(value, depth):
    """Return True when ``value`` is a tree of exact dicts with str keys, lists, tuples and
    plain scalars, at most ``depth`` containers deep: what ``prepare`` returns unchanged."""
    kind = type(value)
    if kind in _PLAIN_SET:
        return True
    if kind is int:
        return _INT64_MIN <= value <= _UINT64_MAX
    if depth <= 0:
        # Deeper than allowed, or a cycle: ``prepare`` says which.
        return False
    depth -= 1
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                return False
            if type(item) not in _PLAIN_SET and not _is_plain(item, depth):
                return False
        return True
    if kind is list or kind is tuple:
        for item in value:
            if type(item) not in _PLAIN_SET and not _is_plain(item, depth):
                return False
        return True
    return False


def _numpy_scalar(value, path):
    if isinstance(value, (np.integer, np.floating, np.bool_)):
        return value.item()
    raise EncodeError(
        f"cannot encode {path}: numpy scalar of dtype {value.dtype} is not supported."
    )


def _hashable(value):
    """Return ``value`` usable as a dict key or set member: lists become tuples."""
    if isinstance(value, list):
        return tuple(_hashable(item) for item in value)
    hash(value)
    return value


def _error_fields(error):
    if isinstance(error, RemoteError):
        fields = {"name": error.name, "message": error.message}
        for key in ("stack", "code", "details", "cause"):
            if getattr(error, key) is not None:
                fields[key] = getattr(error, key)
        return fields
    import traceback

    fields = {
        "name": type(error).__name__,
        "message": str(error),
        "stack": "".join(traceback.format_exception(type(error), error, error.__traceback__)),
    }
    code = getattr(error, "code", None)
    if isinstance(code, str):
        fields["code"] = code
    details = getattr(error, "details", None)
    if details is not None:
        fields["details"] = details
    if error.__cause__ is not None:
        fields["cause"] = error.__cause__
    return fields


def _build_error(fields):
    if not isinstance(fields, dict):
        raise DecodeError("invalid error (extension 0x13): expected a map of name and message.")
    name, message = fields.get("name"), fields.get("message")
    if not isinstance(name, str) or not isinstance(message, str):
        raise DecodeError("invalid error (extension 0x13): name and message must be strings.")
    return RemoteError(
        name,
        message,
        stack=fields.get("stack"),
        code=fields.get("code"),
        details=fields.get("details"),
        cause=fields.get("cause"),
    )


_default = Codec()


def encode(value):
    """Encode ``value`` with the default codec (64 MiB maximum)."""
    return _default.encode(value)


def decode(data):
    """Decode one value with the default codec."""
    return _default.decode(data)


def encode_versioned(value):
    """Encode ``value`` for storage with the format version in front."""
    return _default.encode_versioned(value)


def decode_versioned(data):
    """Decode bytes written by ``encode_versioned``."""
    return _default.decode_versioned(data)
