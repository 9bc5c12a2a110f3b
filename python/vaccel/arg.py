# SPDX-License-Identifier: Apache-2.0
"""Arg: one typed argument (struct vaccel_arg) for exec and genop.

An Arg owns or borrows the memory its C struct points at:
  - Python scalars, strings and lists are packed into a buffer the Arg owns;
  - buffer objects (bytearray, numpy arrays, array.array) are borrowed in
    place, so an output Arg over a numpy array fills that array;
  - bytes are borrowed read-only, so they can only be inputs.

Type inference when `type` is not given:
  bool -> BOOL, OpType -> UINT8, other int -> INT32 (INT64 when out of
  range), float -> FLOAT64, str / os.PathLike -> STRING, bytes / bytearray ->
  BUFFER, arrays -> the matching *_ARRAY type, lists of ints / floats / bools
  -> INT32_ARRAY (INT64_ARRAY) / FLOAT64_ARRAY / BOOL_ARRAY.
"""

from __future__ import annotations

import ctypes
import enum
import os
import struct
from typing import Any, List, Optional, Sequence, Union

from . import _buffer
from ._lib import CArg
from .enums import ArgType, OpType
from .error import VaccelTypeError, VaccelValueError

# struct format of every numeric type (scalar and array share it).
_NUMERIC_FMT = {
    ArgType.INT8: "b", ArgType.INT16: "h", ArgType.INT32: "i",
    ArgType.INT64: "q", ArgType.UINT8: "B", ArgType.UINT16: "H",
    ArgType.UINT32: "I", ArgType.UINT64: "Q", ArgType.FLOAT32: "f",
    ArgType.FLOAT64: "d", ArgType.BOOL: "?", ArgType.CHAR: "b",
    ArgType.UCHAR: "B",
}
for _t in list(_NUMERIC_FMT):
    _NUMERIC_FMT[ArgType(_t + 1)] = _NUMERIC_FMT[_t]

_ARRAY_TYPES = frozenset(t for t in ArgType if t.name.endswith("_ARRAY"))
_BYTE_TYPES = frozenset((ArgType.RAW, ArgType.BUFFER, ArgType.CUSTOM))

# Buffer format (kind, itemsize) -> array type, for borrowed arrays.
_BUFFER_ARRAY_TYPE = {
    ("i", 1): ArgType.INT8_ARRAY, ("i", 2): ArgType.INT16_ARRAY,
    ("i", 4): ArgType.INT32_ARRAY, ("i", 8): ArgType.INT64_ARRAY,
    ("u", 1): ArgType.UINT8_ARRAY, ("u", 2): ArgType.UINT16_ARRAY,
    ("u", 4): ArgType.UINT32_ARRAY, ("u", 8): ArgType.UINT64_ARRAY,
    ("f", 4): ArgType.FLOAT32_ARRAY, ("f", 8): ArgType.FLOAT64_ARRAY,
    ("?", 1): ArgType.BOOL_ARRAY,
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


def _elem_size(t: ArgType) -> int:
    return struct.calcsize(_NUMERIC_FMT[t]) if t in _NUMERIC_FMT else 0


class Arg:
    """A typed argument for Session.exec/exec_with_resource/genop.

    Args:
        data: the value (see the module docstring), or None with `size` to
            make an output buffer of `size` zeroed bytes.
        type: the ArgType; inferred from `data` when None.
        size: byte size of a new output buffer (only with data=None).
        custom_id: the custom type id (CUSTOM arguments).

    Raises VaccelTypeError / VaccelValueError for data that cannot be
    encoded as `type`.
    """

    def __init__(self, data: Any = None, type: Optional[ArgType] = None,
                 size: Optional[int] = None, custom_id: int = 0):
        ctx = "Arg"
        self._obj: Any = None
        self._readonly = False
        self._kind = "bytes"
        self._custom_id = int(custom_id)
        if type is not None:
            try:
                type = ArgType(int(type))
            except (TypeError, ValueError):
                raise VaccelValueError(
                    ctx, f"unknown argument type {type!r}") from None
        if data is None:
            if size is None:
                raise VaccelValueError(
                    ctx, "give data, or size for an output buffer")
            self._type = type if type is not None else ArgType.BUFFER
            esize = _elem_size(self._type)
            if esize and size % esize:
                raise VaccelValueError(
                    ctx, f"size {size} is not a multiple of the "
                    f"{self._type.name} element size {esize}")
            self._cbuf = _buffer.zeroed(size, ctx)
            self._ptr = ctypes.addressof(self._cbuf)
            self._size = size
            self._kind = ("scalar" if self._type in _NUMERIC_FMT and
                          self._type not in _ARRAY_TYPES else
                          "array" if self._type in _ARRAY_TYPES and
                          self._type not in (ArgType.UCHAR_ARRAY,
                                             ArgType.CHAR_ARRAY) else
                          "string" if self._type == ArgType.STRING else
                          "bytes")
            return
        if size is not None:
            raise VaccelValueError(ctx, "size is only for data=None")
        if isinstance(data, Arg):
            raise VaccelTypeError(ctx, "data is already an Arg")
        self._type = self._infer(data) if type is None else type
        self._encode(data, ctx)

    # --- construction helpers -------------------------------------------

    @classmethod
    def buffer(cls, size: int, type: ArgType = ArgType.BUFFER) -> "Arg":
        """An output Arg of `size` zeroed bytes."""
        return cls(None, type, size=size)

    @staticmethod
    def _infer(data: Any) -> ArgType:
        if isinstance(data, bool):
            return ArgType.BOOL
        if isinstance(data, OpType):
            return ArgType.UINT8
        if isinstance(data, enum.Enum) and isinstance(data, int):
            return ArgType.INT32
        if isinstance(data, int):
            return (ArgType.INT32 if -2**31 <= data < 2**31
                    else ArgType.INT64)
        if isinstance(data, float):
            return ArgType.FLOAT64
        if isinstance(data, (str, os.PathLike)):
            return ArgType.STRING
        if isinstance(data, (bytes, bytearray)):
            return ArgType.BUFFER
        if _buffer.is_buffer(data):
            mv = memoryview(data)
            t = _BUFFER_ARRAY_TYPE.get((_format_kind(mv.format),
                                        mv.itemsize))
            if mv.format in ("B", "c") or t is None:
                return ArgType.BUFFER
            return t
        if isinstance(data, (list, tuple)):
            if not data:
                raise VaccelValueError(
                    "Arg", "cannot infer the type of an empty list; pass "
                    "type=")
            if all(isinstance(v, bool) for v in data):
                return ArgType.BOOL_ARRAY
            if all(isinstance(v, int) and not isinstance(v, bool)
                   for v in data):
                if all(-2**31 <= v < 2**31 for v in data):
                    return ArgType.INT32_ARRAY
                return ArgType.INT64_ARRAY
            if all(isinstance(v, (int, float)) and not isinstance(v, bool)
                   for v in data):
                return ArgType.FLOAT64_ARRAY
            raise VaccelTypeError(
                "Arg", "lists must hold only ints, floats or bools")
        raise VaccelTypeError(
            "Arg", f"cannot infer an argument type for "
            f"{type(data).__name__}; pass type=")

    def _own(self, raw: bytes) -> None:
        self._cbuf = ctypes.create_string_buffer(raw, len(raw))
        self._ptr = ctypes.addressof(self._cbuf) if raw else 0
        self._size = len(raw)

    def _borrow(self, data: Any, ctx: str) -> None:
        buf = _buffer.get(data, ctx)
        self._cbuf = buf.keep
        self._ptr = buf.ptr
        self._size = buf.size
        self._readonly = not buf.writable
        self._obj = data
        self._kind = "object"

    def _encode(self, data: Any, ctx: str) -> None:
        t = self._type
        ctx = f"Arg({t.name})"
        if t == ArgType.STRING:
            if isinstance(data, (str, os.PathLike)):
                raw = os.fsencode(data)
            elif isinstance(data, (bytes, bytearray)):
                raw = bytes(data)
            else:
                raise VaccelTypeError(
                    ctx, f"expected str or bytes, not {type(data).__name__}")
            if b"\0" in raw:
                raise VaccelValueError(ctx, "string contains a NUL byte")
            self._own(raw + b"\0")
            self._kind = "string"
            return
        if t in _BYTE_TYPES:
            if isinstance(data, str):
                self._own(data.encode())
                return
            self._borrow(data, ctx)
            return
        fmt = _NUMERIC_FMT[t]
        esize = struct.calcsize(fmt)
        if t in _ARRAY_TYPES:
            if _buffer.is_buffer(data):
                buf = memoryview(data)
                if buf.nbytes % esize:
                    raise VaccelValueError(
                        ctx, f"buffer of {buf.nbytes} bytes is not a "
                        f"multiple of the element size {esize}")
                mapped = _BUFFER_ARRAY_TYPE.get(
                    (_format_kind(buf.format), buf.itemsize))
                # Plain bytes may be reinterpreted as any element type.
                raw_bytes = buf.itemsize == 1 and buf.format in ("B", "b",
                                                                  "c")
                if mapped != t and not raw_bytes:
                    raise VaccelTypeError(
                        ctx, f"buffer of format '{buf.format}' does not "
                        f"hold {t.name} elements")
                self._borrow(data, ctx)
                return
            if isinstance(data, (str, os.PathLike)) or \
                    not isinstance(data, Sequence):
                raise VaccelTypeError(
                    ctx, f"expected a sequence or an array, not "
                    f"{type(data).__name__}")
            try:
                raw = struct.pack(f"{len(data)}{fmt}", *data)
            except struct.error as e:
                raise VaccelValueError(ctx, f"cannot pack values: {e}") \
                    from None
            self._own(raw)
            self._kind = ("bytes" if t in (ArgType.CHAR_ARRAY,
                                           ArgType.UCHAR_ARRAY) and
                          isinstance(data, (bytes, bytearray)) else "array")
            return
        # A scalar.
        if t == ArgType.CHAR and isinstance(data, str):
            if len(data.encode()) != 1:
                raise VaccelValueError(ctx, "expected a single character")
            data = data.encode()[0]
            fmt = "B"
        if _buffer.is_buffer(data):
            buf = memoryview(data)
            if buf.nbytes != esize:
                raise VaccelValueError(
                    ctx, f"buffer of {buf.nbytes} bytes for a {esize}-byte "
                    "scalar")
            self._borrow(data, ctx)
            return
        try:
            raw = struct.pack(fmt, data)
        except struct.error as e:
            raise VaccelValueError(ctx, f"cannot pack {data!r}: {e}") \
                from None
        self._own(raw)
        self._kind = "scalar"

    # --- accessors -------------------------------------------------------

    @property
    def type(self) -> ArgType:
        """The argument's ArgType."""
        return self._type

    @property
    def size(self) -> int:
        """Size in bytes of the argument's buffer."""
        return self._size

    @property
    def readonly(self) -> bool:
        """True when C must not write into this argument (e.g. bytes)."""
        return self._readonly

    def to_bytes(self) -> bytes:
        """A copy of the argument's current bytes."""
        if not self._size:
            return b""
        return ctypes.string_at(self._ptr, self._size)

    def to_str(self) -> str:
        """The bytes up to the first NUL, decoded as UTF-8."""
        return self.to_bytes().split(b"\0", 1)[0].decode(errors="replace")

    @property
    def value(self) -> Any:
        """The current value, decoded by type.

        Borrowed objects (bytearray, numpy arrays) are returned themselves;
        scalars as Python numbers; arrays built from lists as lists;
        STRING as str; byte buffers as bytes.
        """
        if self._kind == "object":
            return self._obj
        if self._kind == "string":
            return self.to_str()
        if self._kind == "scalar":
            return struct.unpack(_NUMERIC_FMT[self._type], self.to_bytes())[0]
        if self._kind == "array":
            fmt = _NUMERIC_FMT[self._type]
            n = self._size // struct.calcsize(fmt)
            return list(struct.unpack(f"{n}{fmt}", self.to_bytes()))
        return self.to_bytes()

    buf = value

    def _c(self) -> CArg:
        return CArg(self._ptr or None, self._size, int(self._type),
                    self._custom_id, False)

    def __repr__(self) -> str:
        return f"Arg(type={self._type.name}, size={self._size})"


ArgLike = Union[Arg, Any]


def to_args(values: Sequence[ArgLike], context: str,
            write: bool = False) -> List[Arg]:
    """Wraps every value that is not an Arg yet (inferring its type)."""
    if values is None:
        return []
    if isinstance(values, (str, bytes, Arg)) or \
            not isinstance(values, Sequence):
        raise VaccelTypeError(
            context, f"expected a list of arguments, not "
            f"{type(values).__name__}")
    args = [v if isinstance(v, Arg) else Arg(v) for v in values]
    if write:
        for i, a in enumerate(args):
            if a.readonly:
                raise VaccelValueError(
                    context, f"write argument {i} is read-only "
                    f"({type(a._obj).__name__}); use a bytearray, a "
                    "writable array or Arg.buffer()")
    return args


def c_array(args: List[Arg]):
    """A C array of struct vaccel_arg for `args` (None when empty)."""
    if not args:
        return None
    arr = (CArg * len(args))()
    for i, a in enumerate(args):
        arr[i] = a._c()
    return arr
