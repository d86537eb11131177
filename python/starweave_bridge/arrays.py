"""numpy arrays as extension 0x12: a header of dtype and shape padded to 8 bytes, then the raw
little-endian elements in C order (see docs/wire-format.md)."""

import struct

import numpy as np

from .errors import DecodeError, EncodeError

#: The dtype names the wire format carries.
DTYPES = (
    "float32", "float64", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64",
)

#: The maximum number of dimensions a header describes, as in numpy 2.
MAX_NDIM = 64

_LITTLE = {name: np.dtype(name).newbyteorder("<") for name in DTYPES}


def _header_length(dtype_name, ndim):
    return (1 + len(dtype_name) + 1 + 4 * ndim + 7) & ~7


def encode_array(array, path):
    """Build the extension 0x12 payload of ``array``, copying the elements once."""
    name = array.dtype.name
    if name not in _LITTLE:
        raise EncodeError(
            f"cannot encode {path}: numpy dtype {array.dtype} is not one of {', '.join(DTYPES)}. "
            "Convert it with astype() first."
        )
    if array.ndim > MAX_NDIM:
        raise EncodeError(f"cannot encode {path}: {array.ndim} dimensions exceed {MAX_NDIM}.")
    if max(array.shape, default=0) > 0xFFFFFFFF:
        raise EncodeError(f"cannot encode {path}: a dimension of {array.shape} exceeds 2^32 - 1.")

    # Both calls return the array itself when it is already C-contiguous and little-endian.
    array = np.asarray(array, dtype=_LITTLE[name], order="C")

    header = bytearray(_header_length(name, array.ndim))
    header[0] = len(name)
    header[1 : 1 + len(name)] = name.encode("ascii")
    header[1 + len(name)] = array.ndim
    struct.pack_into(f"<{array.ndim}I", header, 2 + len(name), *array.shape)
    if array.size == 0:
        return bytes(header)
    return b"".join((header, memoryview(array.reshape(-1)).cast("B")))


def decode_array(payload):
    """Read an extension 0x12 payload as a read-only array that views ``payload`` in place."""
    if len(payload) < 2:
        raise DecodeError(
            f"invalid typed array (extension 0x12): {len(payload)} bytes is too short."
        )
    name_length = payload[0]
    if 2 + name_length > len(payload):
        raise DecodeError("invalid typed array (extension 0x12): the dtype runs past the payload.")
    name = bytes(payload[1 : 1 + name_length]).decode("ascii", errors="replace")
    if name not in _LITTLE:
        raise DecodeError(
            f"invalid typed array (extension 0x12): dtype {name!r} is not one of "
            f"{', '.join(DTYPES)}."
        )
    ndim = payload[1 + name_length]
    header = _header_length(name, ndim)
    if ndim > MAX_NDIM or header > len(payload):
        raise DecodeError("invalid typed array (extension 0x12): the shape runs past the payload.")
    shape = struct.unpack_from(f"<{ndim}I", payload, 2 + name_length)

    dtype = _LITTLE[name]
    size = 1
    for length in shape:
        size *= length
    if size * dtype.itemsize != len(payload) - header:
        raise DecodeError(
            f"invalid typed array (extension 0x12): shape {list(shape)} of {name} needs "
            f"{size * dtype.itemsize} bytes but {len(payload) - header} follow the header."
        )
    array = np.frombuffer(payload, dtype=dtype, count=size, offset=header)
    return array.reshape(shape)
