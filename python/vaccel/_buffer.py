# SPDX-License-Identifier: Apache-2.0
"""Pointers into Python buffers, without copying where the layout allows.

Any object with the buffer protocol (bytes, bytearray, memoryview,
array.array, numpy arrays) is accepted. C-contiguous buffers are passed to C
in place: read-only ones (bytes) for inputs, writable ones (bytearray, numpy
arrays) for inputs and outputs, which libvaccel then fills in place.
Non-contiguous inputs are copied once; non-contiguous outputs are refused.
"""

from __future__ import annotations

import ctypes
from typing import Any, NamedTuple

from .error import VaccelTypeError, VaccelValueError


class CBuffer(NamedTuple):
    """A pointer to `size` bytes, valid while `keep` is alive."""

    ptr: int
    size: int
    keep: Any
    writable: bool
    itemsize: int
    fmt: str


def is_buffer(obj: Any) -> bool:
    """True for objects with the buffer protocol (but not str)."""
    if isinstance(obj, str):
        return False
    try:
        memoryview(obj).release()
    except TypeError:
        return False
    return True


def _address(mv: memoryview, writable: bool):
    """(pointer, keep-alive) for a C-contiguous memoryview."""
    flat = mv.cast("B") if mv.ndim != 1 or mv.format != "B" else mv
    n = flat.nbytes
    if n == 0:
        return 0, flat
    if not mv.readonly:
        arr = (ctypes.c_char * n).from_buffer(flat)
        return ctypes.addressof(arr), arr
    obj = mv.obj
    if isinstance(obj, bytes) and len(obj) == n:
        # bytes are immutable and contiguous: their storage can be passed
        # as it is to C functions that only read it.
        ptr = ctypes.cast(ctypes.c_char_p(obj), ctypes.c_void_p).value
        return ptr, obj
    # Another read-only exporter: one copy.
    copy = ctypes.create_string_buffer(flat.tobytes(), n)
    return ctypes.addressof(copy), copy


def get(obj: Any, context: str, writable: bool = False) -> CBuffer:
    """A CBuffer over `obj`.

    With `writable`, the buffer must be writable and C-contiguous so that C
    can fill it in place; otherwise VaccelValueError names the problem.
    """
    try:
        mv = memoryview(obj)
    except TypeError:
        raise VaccelTypeError(
            context, f"expected a bytes-like object or array, not "
            f"{type(obj).__name__}") from None
    if writable and mv.readonly:
        raise VaccelValueError(
            context, f"output buffer of type {type(obj).__name__} is "
            "read-only (use a bytearray or a writable array)")
    if not mv.c_contiguous:
        if writable:
            raise VaccelValueError(
                context, "output buffer is not C-contiguous")
        mv = memoryview(mv.tobytes())
    try:
        ptr, keep = _address(mv, writable)
    except (TypeError, ValueError) as e:
        # For instance formats memoryview.cast() cannot handle.
        raise VaccelTypeError(context, f"unsupported buffer: {e}") from None
    return CBuffer(ptr or 0, mv.nbytes, (obj, keep), not mv.readonly,
                   mv.itemsize, mv.format)


def zeroed(size: int, context: str) -> ctypes.Array:
    """A zeroed, writable C buffer of `size` bytes."""
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise VaccelValueError(
            context, f"size must be a non-negative int, not {size!r}")
    return (ctypes.c_char * size)()
