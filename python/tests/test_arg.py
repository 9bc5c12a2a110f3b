# SPDX-License-Identifier: Apache-2.0
"""Arg encoding, decoding and borrowing."""

from __future__ import annotations

import array
import struct

import pytest

from vaccel import Arg, ArgType, OpType, VaccelTypeError, VaccelValueError


@pytest.mark.parametrize("value, type_, raw", [
    (True, ArgType.BOOL, b"\x01"),
    (OpType.MINMAX, ArgType.UINT8, b"\x16"),
    (5, ArgType.INT32, struct.pack("i", 5)),
    (2**40, ArgType.INT64, struct.pack("q", 2**40)),
    (1.5, ArgType.FLOAT64, struct.pack("d", 1.5)),
    ("lib.so", ArgType.STRING, b"lib.so\0"),
    (b"\x01\x02", ArgType.BUFFER, b"\x01\x02"),
    ([1, 2], ArgType.INT32_ARRAY, struct.pack("2i", 1, 2)),
    ([1, 2**33], ArgType.INT64_ARRAY, struct.pack("2q", 1, 2**33)),
    ([1, 2.5], ArgType.FLOAT64_ARRAY, struct.pack("2d", 1, 2.5)),
    ([True, False], ArgType.BOOL_ARRAY, b"\x01\x00"),
    (array.array("f", [1.0]), ArgType.FLOAT32_ARRAY, struct.pack("f", 1.0)),
])
def test_inference(value, type_, raw):
    a = Arg(value)
    assert a.type == type_
    assert a.to_bytes() == raw
    assert a.size == len(raw)


def test_explicit_types_round_trip():
    for t, v in ((ArgType.INT8, -3), (ArgType.UINT16, 65535),
                 (ArgType.INT64, -2**62), (ArgType.FLOAT32, 0.5),
                 (ArgType.UINT64, 2**64 - 1), (ArgType.CHAR, "x")):
        a = Arg(v, t)
        assert a.value == (ord(v) if isinstance(v, str) else v)
    assert Arg([1, 2, 3], ArgType.UINT8_ARRAY).value == [1, 2, 3]
    assert Arg("abc").value == "abc"


def test_borrowed_buffers_are_not_copied():
    buf = bytearray(b"abcd")
    a = Arg(buf)
    assert a.value is buf
    assert not a.readonly
    assert Arg(b"xy").readonly


def test_output_buffers():
    a = Arg.buffer(8, ArgType.FLOAT64)
    assert a.value == 0.0
    b = Arg.buffer(16, ArgType.INT32_ARRAY)
    assert b.value == [0, 0, 0, 0]
    assert Arg.buffer(3).value == b"\0\0\0"


def test_numpy_args_borrowed():
    np = pytest.importorskip("numpy")
    x = np.arange(4, dtype=np.float32)
    a = Arg(x)
    assert a.type == ArgType.FLOAT32_ARRAY
    assert a._ptr == x.ctypes.data
    assert a.value is x


@pytest.mark.parametrize("args, exc", [
    ((), VaccelValueError),
    (([],), VaccelValueError),
    (({"a": 1},), VaccelTypeError),
    (([1, "x"],), VaccelTypeError),
    ((300, ArgType.UINT8), VaccelValueError),
    (("a\0b",), VaccelValueError),
    ((1.5, ArgType.INT32), VaccelValueError),
    ((object(), ArgType.STRING), VaccelTypeError),
    ((b"abc", ArgType.INT32), VaccelValueError),
    ((array.array("d", [1.0]), ArgType.INT32_ARRAY), VaccelTypeError),
    ((1, 999), VaccelValueError),
    ((None, ArgType.INT32, 3), VaccelValueError),
    ((None, ArgType.BUFFER, -1), VaccelValueError),
])
def test_bad_args(args, exc):
    with pytest.raises(exc) as e:
        Arg(*args)
    assert e.value.code == 22
    assert e.value.name == "VACCEL_EINVAL"
