# SPDX-License-Identifier: Apache-2.0
"""minmax: min/max of doubles and the values clamped to thresholds."""

from __future__ import annotations

from ctypes import byref, c_double
from typing import Any, Sequence, Tuple

from .. import _lib
from ..error import VaccelValueError, check
from ._base import SessionBase, check_int, new_like, num_array, result


class MinmaxMixin(SessionBase):
    """Session.minmax()."""

    def minmax(self, indata: Sequence[float], low_threshold: int,
               high_threshold: int) -> Tuple[Any, float, float]:
        """Returns (outdata, min, max); outdata is `indata` clamped to
        [low_threshold, high_threshold] (a numpy array for numpy input)."""
        ctx = "minmax"
        check_int(low_threshold, "low_threshold", ctx, -2**31)
        check_int(high_threshold, "high_threshold", ctx, -2**31)
        src = num_array(indata, "d", ctx)
        if src.count == 0 or src.count >= 2**31:
            raise VaccelValueError(
                ctx, f"indata must hold 1..2^31-1 values, not {src.count}")
        out = new_like(src, src.count, "d")
        lo, hi = c_double(), c_double()
        check(_lib.load().vaccel_minmax(
            self._c(ctx), src.ptr, src.count, low_threshold, high_threshold,
            out.ptr, byref(lo), byref(hi)),
            f"vaccel_minmax(session {self.id}, {src.count} values)")
        return result(out), lo.value, hi.value
