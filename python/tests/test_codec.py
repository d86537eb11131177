"""The Python codec: round trips of every extension type, failures, and versioned bytes."""

import datetime

import numpy as np
import pytest

from starweave_bridge import (
    Codec,
    DecodeError,
    EncodeError,
    FrameTooLargeError,
    Pid,
    Ref,
    RemoteError,
    decode,
    decode_versioned,
    encode,
    encode_versioned,
)


def round_trip(value):
    return decode(encode(value))


def test_plain_values_round_trip():
    value = {"s": "é✓", "i": -5, "f": 1.25, "b": True, "n": None, "l": [1, "x"], "by": b"\x00\x01"}
    assert round_trip(value) == value


def test_tuples_come_back_as_lists():
    assert round_trip((1, 2)) == [1, 2]


def test_pid_and_ref_round_trip():
    assert round_trip([Pid("local", 3), Ref("n", 2**40)]) == [Pid("local", 3), Ref("n", 2**40)]


def test_big_ints_use_the_bigint_extension():
    values = [2**64 - 1, -(2**63), 2**64, -(2**63) - 1, 10**40]
    assert round_trip(values) == values
    assert encode(2**64)[1] == 0x14


def test_negative_zero_stays_negative():
    assert str(round_trip(-0.0)) == "-0.0"


def test_dict_with_non_string_keys_round_trips():
    value = {1: "one", (1, 2): "pair", "s": 3}
    assert round_trip(value) == value


def test_set_round_trips():
    assert round_trip({1, "a", (2, 3)}) == {1, "a", (2, 3)}
    assert round_trip(frozenset([1])) == {1}


def test_aware_datetime_round_trips_and_naive_fails():
    when = datetime.datetime(2024, 5, 1, 12, 0, 0, 123000, tzinfo=datetime.timezone.utc)
    assert round_trip(when) == when
    with pytest.raises(EncodeError, match="naive datetime"):
        encode({"at": datetime.datetime(2024, 5, 1)})


@pytest.mark.parametrize(
    "dtype",
    ["float32", "float64", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64",
     "uint64"],
)
def test_ndarray_round_trips_every_dtype(dtype):
    array = np.arange(12).astype(dtype).reshape(3, 4)
    out = round_trip(array)
    assert out.dtype == np.dtype(dtype)
    assert out.shape == (3, 4)
    assert np.array_equal(out, array)


def test_ndarray_decodes_as_read_only_view_of_payload():
    out = round_trip(np.arange(4, dtype=np.float64))
    assert not out.flags.writeable
    assert out.base is not None


def test_ndarray_elements_are_aligned():
    out = round_trip({"pad": "x", "a": np.arange(5, dtype=np.float64)})
    assert out["a"].flags.aligned


def test_ndarray_non_contiguous_and_big_endian_are_converted():
    matrix = np.arange(12, dtype=np.int32).reshape(3, 4)
    assert np.array_equal(round_trip(matrix.T), matrix.T)
    big_endian = np.arange(3, dtype=">f8")
    out = round_trip(big_endian)
    assert out.dtype == np.dtype("<f8")
    assert out.tolist() == [0.0, 1.0, 2.0]


def test_ndarray_zero_dim_and_empty():
    assert round_trip(np.array(7, dtype=np.int64)).shape == ()
    assert round_trip(np.zeros((0, 3))).shape == (0, 3)


def test_ndarray_of_unsupported_dtype_fails_with_path():
    with pytest.raises(EncodeError, match=r"value\['mask'\].*bool"):
        encode({"mask": np.array([True, False])})


def test_numpy_scalars_become_python_numbers():
    assert round_trip([np.float32(1.5), np.int64(7), np.bool_(True)]) == [1.5, 7, True]


def test_exception_encodes_as_error_extension():
    try:
        raise KeyError("missing")
    except KeyError as error:
        out = round_trip(error)
    assert isinstance(out, RemoteError)
    assert out.name == "KeyError"
    assert "missing" in out.message
    assert "Traceback" in out.stack


def test_remote_error_round_trips_its_fields():
    error = RemoteError("StarweaveError", "gone", stack="at x", code="ERR_NOPROC", details={"a": 1})
    out = round_trip(error)
    assert (out.name, out.message, out.stack, out.code, out.details) == (
        "StarweaveError", "gone", "at x", "ERR_NOPROC", {"a": 1},
    )


def test_function_fails_with_its_path():
    with pytest.raises(EncodeError, match=r"value\['rows'\]\[1\]: it is a function"):
        encode({"rows": [1, lambda: 0]})


def test_object_fails_with_its_path():
    with pytest.raises(EncodeError, match=r"value<map value 0>: it is a object"):
        encode({1: object()})


def test_cycle_fails():
    value = []
    value.append(value)
    with pytest.raises(EncodeError, match="cyclic"):
        encode(value)


def test_shared_value_is_not_a_cycle():
    shared = [1]
    assert round_trip([shared, shared]) == [[1], [1]]


def test_depth_limit_applies():
    value = 1
    for _ in range(20):
        value = [value]
    with pytest.raises(EncodeError, match="max_depth"):
        Codec(max_depth=10).encode(value)
    assert Codec(max_depth=30).decode(Codec(max_depth=30).encode(value)) == value


def test_size_limit_applies_both_ways():
    codec = Codec(max_bytes=100)
    with pytest.raises(FrameTooLargeError):
        codec.encode("x" * 200)
    with pytest.raises(FrameTooLargeError):
        codec.decode(encode("x" * 200))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x92\x01",
        b"\x01\x02",
        b"\xd4\x20\x00",
        b"\xc7\x02\x14\x31\x78",
        b"\xd4\x10\x01",
        b"\xc7\x02\x15\x91\x01",
        b"\xc7\x01\x13\x80",
        b"\xc7\x08\x12\x03f16\x01\x00\x00\x00",
    ],
)
def test_bad_bytes_fail_with_decode_error(data):
    with pytest.raises(DecodeError):
        decode(data)


def test_random_garbage_fails_only_with_decode_error():
    generator = np.random.default_rng(42)
    print("random seed 42")
    for _ in range(2000):
        size = int(generator.integers(1, 64))
        data = generator.integers(0, 256, size=size, dtype=np.uint8).tobytes()
        try:
            decode(data)
        except DecodeError:
            pass


def test_versioned_bytes_carry_marker_and_version():
    data = encode_versioned({"a": 1})
    assert data[:2] == b"\xc1\x01"
    assert decode_versioned(data) == {"a": 1}


def test_unknown_version_fails():
    with pytest.raises(DecodeError, match="version 9"):
        decode_versioned(b"\xc1\x09\x01")


def test_versioned_decode_rejects_bare_value():
    with pytest.raises(DecodeError, match="marker"):
        decode_versioned(encode({"a": 1}))
