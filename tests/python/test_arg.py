# SPDX-License-Identifier: Apache-2.0
"""Arg encoding, decoding and borrowing (the expected bytes are built here
with struct, independently of the bindings)."""

from __future__ import annotations

import array
import ctypes
import struct

import pytest

from vaccel import Arg, ArgType, OpType, VaccelTypeError, VaccelValueError


@pytest.mark.parametrize("value, raw", [
    (True, b"\x01"),
    (OpType.MINMAX, struct.pack("i", 22)),
    (5, struct.pack("i", 5)),
    (-2**31, struct.pack("i", -2**31)),
    (2**40, struct.pack("q", 2**40)),
    (1.5, struct.pack("f", 1.5)),
    ("lib.so", b"lib.so\0"),
    (b"\x01\x02", b"\x01\x02"),
    ([1, 2], struct.pack("2i", 1, 2)),
    ([1, 2**33], struct.pack("2q", 1, 2**33)),
    ([1, 2.5], struct.pack("2f", 1, 2.5)),
    ([True, False], b"\x01\x00"),
    (array.array("d", [1.0]), struct.pack("d", 1.0)),
])
def test_raw_encodes_by_python_type(value, raw):
    a = Arg(value)
    assert a.type == ArgType.RAW
    assert a.to_bytes() == raw
    assert a.size == len(raw)
    v = a.value
    assert (v.size, v.type, v.custom_type_id) == (len(raw), 0, 0)
    assert ctypes.string_at(v.buf, v.size) == raw


@pytest.mark.parametrize("value", [True, 7, -3, 2**40, 0.5, "text",
                                   [1, 2, 3], [0.5, 1.5], [True, False]])
def test_raw_decodes_to_the_same_kind(value):
    assert Arg(value).buf == value


@pytest.mark.parametrize("t, value, raw", [
    (ArgType.INT8, -3, struct.pack("b", -3)),
    (ArgType.UINT16, 65535, struct.pack("H", 65535)),
    (ArgType.INT64, -2**62, struct.pack("q", -2**62)),
    (ArgType.FLOAT32, 0.5, struct.pack("f", 0.5)),
    (ArgType.FLOAT64, 0.1, struct.pack("d", 0.1)),
    (ArgType.UINT64, 2**64 - 1, struct.pack("Q", 2**64 - 1)),
    (ArgType.UINT8, OpType.EXEC, b"\x01"),
    (ArgType.BOOL, True, b"\x01"),
    (ArgType.STRING, "abc", b"abc\0"),
    (ArgType.UINT8_ARRAY, [1, 2, 3], b"\x01\x02\x03"),
    (ArgType.FLOAT32_ARRAY, [1.0, 2.0], struct.pack("2f", 1.0, 2.0)),
    (ArgType.INT64_ARRAY, [1, -1], struct.pack("2q", 1, -1)),
])
def test_typed(t, value, raw):
    a = Arg(value, t)
    assert a.type == t
    assert a.to_bytes() == raw
    assert a.buf == value


def test_char_and_custom():
    assert Arg("x", ArgType.CHAR).buf == ord("x")
    a = Arg(b"\x05\x06", ArgType.CUSTOM, custom_type_id=77)
    assert a.custom_type_id == 77 and a.value.custom_type_id == 77
    assert a.to_bytes() == b"\x05\x06"


def test_borrowed_buffers_are_not_copied():
    buf = bytearray(b"abcd")
    a = Arg(buf)
    assert a.buf is buf
    assert not a.readonly
    assert a.value.buf == ctypes.addressof(
        (ctypes.c_char * 4).from_buffer(buf))
    assert Arg(b"xy").readonly


def test_output_buffers():
    assert Arg.buffer(8, ArgType.FLOAT64).buf == 0.0
    assert Arg.buffer(16, ArgType.INT32_ARRAY).buf == [0, 0, 0, 0]
    assert Arg.buffer(3).buf == b"\0\0\0"
    assert Arg.buffer(4, ArgType.STRING).buf == ""


def test_numpy_args_borrowed():
    np = pytest.importorskip("numpy")
    x = np.arange(4, dtype=np.float32)
    for a in (Arg(x), Arg(x, ArgType.FLOAT32_ARRAY)):
        assert a.value.buf == x.ctypes.data
        assert a.buf is x
    with pytest.raises(VaccelTypeError):
        Arg(x, ArgType.INT32_ARRAY)


@pytest.mark.parametrize("args, exc", [
    ((None,), VaccelTypeError),
    (([],), VaccelValueError),
    (({"a": 1},), VaccelTypeError),
    (([1, "x"],), VaccelTypeError),
    (([True, 2],), VaccelTypeError),
    ((300, ArgType.UINT8), VaccelValueError),
    (("a\0b",), VaccelValueError),
    ((1.5, ArgType.INT32), VaccelValueError),
    ((object(), ArgType.STRING), VaccelTypeError),
    ((b"abc", ArgType.INT32), VaccelValueError),
    ((array.array("d", [1.0]), ArgType.INT32_ARRAY), VaccelTypeError),
    ((1, 999), VaccelValueError),
    ((1, ArgType.RAW, -1), VaccelValueError),
    ((Arg(1),), VaccelTypeError),
])
def test_bad_args(args, exc):
    with pytest.raises(exc) as e:
        Arg(*args)
    assert e.value.code == 22
    assert e.value.name == "VACCEL_EINVAL"


def test_bad_output_buffers():
    with pytest.raises(VaccelValueError):
        Arg.buffer(3, ArgType.INT32)
    with pytest.raises(VaccelValueError):
        Arg.buffer(-1)
