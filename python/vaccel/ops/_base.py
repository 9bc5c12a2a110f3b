# SPDX-License-Identifier: Apache-2.0
"""What every op mixin needs from Session, and shared array helpers."""

from __future__ import annotations

import ctypes
import struct
from typing import Any, NamedTuple, Sequence

from .. import _buffer
from .._numpy import is_ndarray
from ..error import VaccelTypeError


class SessionBase:
    """The Session members the op mixins use (see session.py)."""

    _ptr: Any

    def _c(self, ctx: str) -> int:  # pragma: no cover - Session overrides
        raise NotImplementedError

    @property
    def id(self) -> int:  # pragma: no cover - Session overrides
        raise NotImplementedError


class NumArray(NamedTuple):
    """A numeric array in C memory: `count` elements at `ptr`."""

    ptr: int
    count: int
    keep: Any
    source: Any
    is_buffer: bool


_KIND = {"f": "f", "d": "d", "i": "i", "q": "q", "l": "q"}


def num_array(obj: Any, fmt: str, ctx: str, writable: bool = False
              ) -> NumArray:
    """`obj` as C elements of struct format `fmt` ("f", "d" or "i").

    A buffer object already holding such elements (numpy array, array.array)
    is used in place; a sequence of numbers is packed into new memory.
    """
    if _buffer.is_buffer(obj) and not isinstance(obj, (bytes, bytearray)):
        mv = memoryview(obj)
        kind = mv.format.lstrip("@=<>")
        if _KIND.get(kind, kind) != fmt or \
                mv.itemsize != struct.calcsize(fmt):
            want = {"f": "float32", "d": "float64", "i": "int32"}[fmt]
            raise VaccelTypeError(
                ctx, f"array of format '{mv.format}' given where {want} "
                "elements are needed")
        buf = _buffer.get(obj, ctx, writable=writable)
        return NumArray(buf.ptr, mv.nbytes // mv.itemsize, buf.keep, obj,
                        True)
    if isinstance(obj, (str, bytes, bytearray)) or \
            not isinstance(obj, Sequence):
        raise VaccelTypeError(
            ctx, f"expected a sequence of numbers or an array, not "
            f"{type(obj).__name__}")
    ctype = {"f": ctypes.c_float, "d": ctypes.c_double,
             "i": ctypes.c_int}[fmt]
    try:
        arr = (ctype * len(obj))(*obj)
    except TypeError as e:
        raise VaccelTypeError(ctx, f"non-numeric element: {e}") from None
    return NumArray(ctypes.addressof(arr), len(obj), arr, obj, False)


def new_like(src: NumArray, count: int, fmt: str) -> NumArray:
    """A zeroed output array of `count` elements, a numpy array when the
    input was one, else C memory read back as a list."""
    if is_ndarray(src.source):
        import numpy as np
        out = np.zeros(count, dtype={"f": np.float32, "d": np.float64,
                                     "i": np.intc}[fmt])
        return NumArray(out.ctypes.data, count, out, out, True)
    ctype = {"f": ctypes.c_float, "d": ctypes.c_double,
             "i": ctypes.c_int}[fmt]
    arr = (ctype * count)()
    return NumArray(ctypes.addressof(arr), count, arr, None, False)


def result(arr: NumArray) -> Any:
    """The Python value of an output array."""
    if arr.is_buffer:
        return arr.source
    return list(arr.keep)


def resource_ptr(resource: Any, ctx: str) -> int:
    """The C pointer of an op's Resource argument."""
    from ..resource import Resource
    if not isinstance(resource, Resource):
        raise VaccelTypeError(
            ctx, f"expected a Resource, not {type(resource).__name__}")
    return resource._c(ctx)
