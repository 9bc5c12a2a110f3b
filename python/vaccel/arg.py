# SPDX-License-Identifier: Apache-2.0
"""Arg: one typed argument (struct vaccel_arg) for exec and genop.

Arg(data, type_=ArgType.RAW, custom_type_id=0). The C type tag is `type_`;
the bytes are an encoding of `data`:

  - with a numeric type (INT32, FLOAT32_ARRAY, ...) `data` is packed as
    that C type; STRING is NUL-terminated text; BUFFER/CUSTOM/RAW take
    bytes-like objects;
  - with RAW (the default) the encoding follows the Python type, as
    upstream's bindings do: int -> int32 (int64 when out of range),
    float -> float32, bool -> C bool, str / path -> NUL-terminated string,
    lists of them -> C arrays of the same element types, bytes-like objects
    and numpy arrays -> their own bytes;
  - bytearray, memoryview, array.array and numpy arrays are borrowed in
    place, so an output Arg over a numpy array fills that array; bytes are
    borrowed for reading and copied once when used as an output.

After an op, Arg.buf decodes the current bytes back into the kind of value
the Arg was made from (a list stays a list, a borrowed object is returned
itself).
"""

from __future__ import annotations

import ctypes
import os
import struct
from enum import IntEnum
from typing import Any, List, Optional, Sequence, Union

from . import _buffer
from ._lib import CArg
from ._validate import enum_arg
from .error import VaccelTypeError, VaccelValueError


class ArgType(IntEnum):
    """vaccel_arg_type_t: the type tag of an Arg."""

    RAW = 0
    INT8 = 1
    INT8_ARRAY = 2
    INT16 = 3
    INT16_ARRAY = 4
    INT32 = 5
    INT32_ARRAY = 6
    INT64 = 7
    INT64_ARRAY = 8
    UINT8 = 9
    UINT8_ARRAY = 10
    UINT16 = 11
    UINT16_ARRAY = 12
    UINT32 = 13
    UINT32_ARRAY = 14
    UINT64 = 15
    UINT64_ARRAY = 16
    FLOAT32 = 17
    FLOAT32_ARRAY = 18
    FLOAT64 = 19
    FLOAT64_ARRAY = 20
    BOOL = 21
    BOOL_ARRAY = 22
    CHAR = 23
    CHAR_ARRAY = 24
    UCHAR = 25
    UCHAR_ARRAY = 26
    STRING = 27
    BUFFER = 28
    CUSTOM = 29


# struct format of every numeric scalar type; its _ARRAY twin (the next
# value) shares it.
_SCALAR_FMT = {
    ArgType.INT8: "b", ArgType.INT16: "h", ArgType.INT32: "i",
    ArgType.INT64: "q", ArgType.UINT8: "B", ArgType.UINT16: "H",
    ArgType.UINT32: "I", ArgType.UINT64: "Q", ArgType.FLOAT32: "f",
    ArgType.FLOAT64: "d", ArgType.BOOL: "?", ArgType.CHAR: "b",
    ArgType.UCHAR: "B",
}
_ARRAY_FMT = {ArgType(t + 1): f for t, f in _SCALAR_FMT.items()}
_BYTE_TYPES = frozenset((ArgType.RAW, ArgType.BUFFER, ArgType.CUSTOM))

# Buffer format kind and item size -> the element format it holds.
_KIND_FMT = {
    ("i", 1): "b", ("i", 2): "h", ("i", 4): "i", ("i", 8): "q",
    ("u", 1): "B", ("u", 2): "H", ("u", 4): "I", ("u", 8): "Q",
    ("f", 4): "f", ("f", 8): "d", ("?", 1): "?",
}


def _format_kind(fmt: str) -> str:
    """'i' signed, 'u' unsigned, 'f' float, '?' bool, '' other."""
    c = fmt.lstrip("@=<>!")
    if c in ("b", "h", "i", "l", "q", "n"):
        return "i"
    if c in ("B", "H", "I", "L", "Q", "N"):
        return "u"
    if c in ("f", "d"):
        return "f"
    if c == "?":
        return "?"
    return ""


def _python_fmt(value: Any) -> str:
    """The C encoding upstream's bindings give a Python scalar."""
    if isinstance(value, bool):
        return "?"
    if isinstance(value, int):
        return "i" if -2**31 <= value < 2**31 else "q"
    if isinstance(value, float):
        return "f"
    return ""


def _list_fmt(values: Sequence[Any], ctx: str) -> str:
    if not values:
        raise VaccelValueError(
            ctx, "an empty list has no element type; pass type_=")
    fmts = {_python_fmt(v) for v in values}
    if "" in fmts:
        raise VaccelTypeError(ctx, "lists must hold only ints, floats or "
                              "bools")
    if fmts == {"?"}:
        return "?"
    if "?" in fmts:
        raise VaccelTypeError(ctx, "lists must not mix bools and numbers")
    if "f" in fmts:
        return "f"
    return "q" if "q" in fmts else "i"


class Arg:
    """A typed argument for Session.exec/exec_with_resource/genop.

    Args:
        data: the value (see the module docstring).
        type_: the ArgType tag; RAW (the default) encodes by Python type.
        custom_type_id: the user type id of CUSTOM arguments.

    Raises VaccelTypeError / VaccelValueError for data that cannot be
    encoded as `type_`.
    """

    def __init__(self, data: Any, type_: ArgType = ArgType.RAW,
                 custom_type_id: int = 0):
        ctx = "Arg"
        self._type = enum_arg(ArgType, type_, "argument type", ctx)
        if isinstance(custom_type_id, bool) or \
                not isinstance(custom_type_id, int) or \
                not 0 <= custom_type_id < 2**32:
            raise VaccelValueError(
                ctx, f"custom_type_id must be a uint32, not "
                f"{custom_type_id!r}")
        if data is None or isinstance(data, Arg):
            raise VaccelTypeError(
                ctx, f"cannot make an argument of {type(data).__name__}")
        self._custom_id = custom_type_id
        self._obj: Any = None
        self._readonly = False
        self._fmt = ""
        self._encode(data, f"Arg({self._type.name})")

    @classmethod
    def buffer(cls, size: int, type_: ArgType = ArgType.BUFFER) -> "Arg":
        """An output Arg of `size` zeroed bytes, tagged `type_`."""
        self = cls.__new__(cls)
        ctx = "Arg.buffer"
        self._type = enum_arg(ArgType, type_, "argument type", ctx)
        fmt = _SCALAR_FMT.get(self._type) or _ARRAY_FMT.get(self._type, "")
        if fmt and isinstance(size, int) and size % struct.calcsize(fmt):
            raise VaccelValueError(
                ctx, f"size {size} is not a multiple of the "
                f"{self._type.name} element size {struct.calcsize(fmt)}")
        self._custom_id = 0
        self._obj = None
        self._readonly = False
        self._keep = _buffer.zeroed(size, ctx)
        self._ptr = ctypes.addressof(self._keep)
        self._size = size
        self._fmt = fmt
        if self._type == ArgType.STRING:
            self._kind = "string"
        elif self._type in _SCALAR_FMT:
            self._kind = "scalar"
        elif fmt and self._type not in (ArgType.CHAR_ARRAY,
                                        ArgType.UCHAR_ARRAY):
            self._kind = "array"
        else:
            self._kind = "bytes"
        return self

    # --- encoding --------------------------------------------------------

    def _own(self, raw: bytes, kind: str, fmt: str = "") -> None:
        self._keep = ctypes.create_string_buffer(raw, len(raw))
        self._ptr = ctypes.addressof(self._keep) if raw else 0
        self._size = len(raw)
        self._kind = kind
        self._fmt = fmt

    def _borrow(self, data: Any, ctx: str) -> None:
        buf = _buffer.get(data, ctx)
        self._keep = buf.keep
        self._ptr = buf.ptr
        self._size = buf.size
        self._readonly = not buf.writable
        self._obj = data
        self._kind = "object"

    def _pack(self, fmt: str, values: Any, ctx: str, kind: str) -> None:
        try:
            if kind == "array":
                raw = struct.pack(f"{len(values)}{fmt}", *values)
            else:
                raw = struct.pack(fmt, values)
        except struct.error as e:
            raise VaccelValueError(ctx, f"cannot pack {values!r} as C "
                                   f"'{fmt}': {e}") from None
        self._own(raw, kind, fmt)

    def _encode(self, data: Any, ctx: str) -> None:
        t = self._type
        if t == ArgType.STRING or (t == ArgType.RAW and
                                   isinstance(data, (str, os.PathLike))):
            if isinstance(data, (str, os.PathLike)):
                raw = os.fsencode(data)
            elif isinstance(data, (bytes, bytearray)):
                raw = bytes(data)
            else:
                raise VaccelTypeError(
                    ctx, f"expected str or bytes, not {type(data).__name__}")
            if b"\0" in raw:
                raise VaccelValueError(ctx, "string contains a NUL byte")
            self._own(raw + b"\0", "string")
            return
        if t in _BYTE_TYPES:
            if _buffer.is_buffer(data):
                self._borrow(data, ctx)
            elif t != ArgType.RAW:
                raise VaccelTypeError(
                    ctx, f"expected a bytes-like object, not "
                    f"{type(data).__name__}")
            elif isinstance(data, (list, tuple)):
                self._pack(_list_fmt(data, ctx), data, ctx, "array")
            elif _python_fmt(data):
                self._pack(_python_fmt(data), data, ctx, "scalar")
            else:
                raise VaccelTypeError(
                    ctx, f"cannot encode {type(data).__name__}; pass a "
                    "number, a string, a list or a bytes-like object")
            return
        if t in _ARRAY_FMT:
            fmt = _ARRAY_FMT[t]
            if _buffer.is_buffer(data):
                self._check_array_buffer(data, fmt, ctx)
                self._borrow(data, ctx)
                return
            if isinstance(data, (str, os.PathLike)) or \
                    not isinstance(data, Sequence):
                raise VaccelTypeError(
                    ctx, f"expected a sequence or an array, not "
                    f"{type(data).__name__}")
            if t in (ArgType.CHAR_ARRAY, ArgType.UCHAR_ARRAY) and \
                    isinstance(data, bytes):
                self._own(bytes(data), "bytes")
                return
            self._pack(fmt, data, ctx, "array")
            return
        # A numeric scalar.
        fmt = _SCALAR_FMT[t]
        if t == ArgType.CHAR and isinstance(data, str):
            if len(data.encode()) != 1:
                raise VaccelValueError(ctx, "expected a single character")
            data = data.encode()[0]
            fmt = "B"
        if _buffer.is_buffer(data):
            if memoryview(data).nbytes != struct.calcsize(fmt):
                raise VaccelValueError(
                    ctx, f"buffer of {memoryview(data).nbytes} bytes for a "
                    f"{struct.calcsize(fmt)}-byte scalar")
            self._borrow(data, ctx)
            return
        self._pack(fmt, data, ctx, "scalar")

    @staticmethod
    def _check_array_buffer(data: Any, fmt: str, ctx: str) -> None:
        mv = memoryview(data)
        esize = struct.calcsize(fmt)
        if mv.nbytes % esize:
            raise VaccelValueError(
                ctx, f"buffer of {mv.nbytes} bytes is not a multiple of the "
                f"element size {esize}")
        held = _KIND_FMT.get((_format_kind(mv.format), mv.itemsize))
        # Plain bytes may be reinterpreted as any element type.
        raw_bytes = mv.itemsize == 1 and mv.format in ("B", "b", "c")
        if held != fmt and not (held in ("b", "B") and fmt in ("b", "B")) \
                and not raw_bytes:
            raise VaccelTypeError(
                ctx, f"buffer of format '{mv.format}' does not hold C "
                f"'{fmt}' elements")

    def _make_writable(self) -> None:
        """Copies read-only borrowed bytes once, so C can write the
        output; .buf then returns the written bytes."""
        if self._readonly:
            self._own(ctypes.string_at(self._ptr, self._size)
                      if self._size else b"", "bytes")
            self._readonly = False
            self._obj = None

    # --- accessors -------------------------------------------------------

    @property
    def type(self) -> ArgType:
        """The argument's ArgType tag."""
        return self._type

    @property
    def size(self) -> int:
        """Size in bytes of the argument's buffer."""
        return self._size

    @property
    def custom_type_id(self) -> int:
        """The user type id (CUSTOM arguments)."""
        return self._custom_id

    @property
    def readonly(self) -> bool:
        """True when the Arg borrows read-only memory (bytes)."""
        return self._readonly

    @property
    def value(self) -> CArg:
        """The underlying struct vaccel_arg (its buf points into memory
        this Arg keeps alive)."""
        return CArg(self._ptr or None, self._size, int(self._type),
                    self._custom_id, False)

    def to_bytes(self) -> bytes:
        """A copy of the argument's current bytes."""
        if not self._size:
            return b""
        return ctypes.string_at(self._ptr, self._size)

    def to_str(self) -> str:
        """The bytes up to the first NUL, decoded as UTF-8."""
        return self.to_bytes().split(b"\0", 1)[0].decode(errors="replace")

    @property
    def buf(self) -> Any:
        """The current value, decoded like the data the Arg was made from:
        a borrowed object is returned itself, a scalar as a Python number,
        a list as a list, a string as str, other bytes as bytes."""
        if self._kind == "object":
            return self._obj
        if self._kind == "string":
            return self.to_str()
        if self._kind == "scalar":
            return struct.unpack(self._fmt, self.to_bytes())[0]
        if self._kind == "array":
            n = self._size // struct.calcsize(self._fmt)
            return list(struct.unpack(f"{n}{self._fmt}", self.to_bytes()))
        return self.to_bytes()

    def __repr__(self) -> str:
        return f"Arg(type={self._type.name}, size={self._size})"


ArgLike = Union[Arg, Any]


def to_args(values: Optional[Sequence[ArgLike]], context: str,
            write: bool = False) -> List[Arg]:
    """Wraps every value that is not an Arg yet; write arguments over
    read-only bytes get a writable copy."""
    if values is None:
        return []
    if isinstance(values, (str, bytes, Arg)) or \
            not isinstance(values, Sequence):
        raise VaccelTypeError(
            context, f"expected a list of arguments, not "
            f"{type(values).__name__}")
    args = [v if isinstance(v, Arg) else Arg(v) for v in values]
    if write:
        for a in args:
            a._make_writable()
    return args


def c_array(args: List[Arg]) -> Any:
    """A C array of struct vaccel_arg for `args` (None when empty)."""
    if not args:
        return None
    arr = (CArg * len(args))()
    for i, a in enumerate(args):
        arr[i] = a.value
    return arr
