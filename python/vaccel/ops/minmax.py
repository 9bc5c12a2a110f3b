# SPDX-License-Identifier: Apache-2.0
"""minmax: the min and max of doubles, and the values against thresholds
(what the output holds is the plugin's business)."""

from __future__ import annotations

import ctypes
from ctypes import byref, c_double
from typing import Any, Tuple

from .. import _buffer, _lib
from .._numpy import is_ndarray
from ..error import VaccelValueError, check
from .._validate import check_int
from ._base import SessionBase

_DOUBLE = ctypes.sizeof(c_double)


class MinmaxMixin(SessionBase):
    """Session.minmax()."""

    def minmax(self, indata: Any, ndata: int, low_threshold: int,
               high_threshold: int) -> Tuple[Any, float, float]:
        """Runs minmax on the first `ndata` doubles of `indata`.

        Args:
            indata: a bytes-like object holding at least ndata C doubles
                (bytes, bytearray, array('d'), a float64 numpy array; used
                in place).
            ndata: how many doubles to read.
            low_threshold, high_threshold: the thresholds (C ints).

        Returns (outdata, min, max): outdata is bytes of ndata doubles (a
        float64 numpy array when indata is a numpy array).
        """
        ctx = "minmax"
        check_int(ndata, "ndata", ctx, 1)
        if ndata >= 2**31:
            raise VaccelValueError(ctx, f"ndata {ndata} does not fit a C int")
        for name, v in (("low_threshold", low_threshold),
                        ("high_threshold", high_threshold)):
            check_int(v, name, ctx, -2**31)
            if v >= 2**31:
                raise VaccelValueError(ctx, f"{name} {v} does not fit a C "
                                       "int")
        src = _buffer.get(indata, ctx)
        # libvaccel cannot know how long indata is: reading past it would
        # crash the interpreter.
        if src.size < ndata * _DOUBLE:
            raise VaccelValueError(
                ctx, f"indata has {src.size} bytes, {ndata} doubles need "
                f"{ndata * _DOUBLE}")
        out = _buffer.zeroed(ndata * _DOUBLE, ctx)
        lo, hi = c_double(), c_double()
        check(_lib.load().vaccel_minmax(
            self._c(ctx), src.ptr, ndata, low_threshold, high_threshold,
            out, byref(lo), byref(hi)),
            f"vaccel_minmax(session {self.id}, {ndata} values)")
        if is_ndarray(indata):
            import numpy as np
            return np.frombuffer(out, dtype=np.float64), lo.value, hi.value
        return bytes(out), lo.value, hi.value
