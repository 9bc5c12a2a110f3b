# SPDX-License-Identifier: Apache-2.0
"""The legacy FPGA demo ops (deprecated upstream, kept for
compatibility)."""

from __future__ import annotations

from typing import Any, Sequence, Tuple

from .. import _lib
from ..error import VaccelValueError, check
from ._base import SessionBase, new_like, num_array, result


class FpgaMixin(SessionBase):
    """Session.fpga_arraycopy/mmult/parallel/vadd().

    Inputs are sequences of numbers or arrays of the C element type (int
    for arraycopy, float32 otherwise), used in place; results are lists
    (numpy arrays for numpy inputs)."""

    def fpga_arraycopy(self, a: Sequence[int]) -> Any:
        """Returns a copy of `a` (C ints) made by the plugin."""
        ctx = "fpga_arraycopy"
        src = num_array(a, "i", ctx)
        out = new_like(src, src.count, "i")
        check(_lib.load().vaccel_fpga_arraycopy(
            self._c(ctx), src.ptr, out.ptr, src.count),
            f"vaccel_fpga_arraycopy(session {self.id}, {src.count})")
        return result(out)

    def _pair(self, a: Any, b: Any, ctx: str, same: bool = True):
        fa = num_array(a, "f", ctx + " a")
        fb = num_array(b, "f", ctx + " b")
        if same and fa.count != fb.count:
            raise VaccelValueError(
                ctx, f"a has {fa.count} elements, b {fb.count}")
        return fa, fb

    def fpga_mmult(self, a: Sequence[float], b: Sequence[float]) -> Any:
        """Matrix multiply of two equally long float arrays."""
        ctx = "fpga_mmult"
        fa, fb = self._pair(a, b, ctx)
        out = new_like(fa, fa.count, "f")
        check(_lib.load().vaccel_fpga_mmult(
            self._c(ctx), fa.ptr, fb.ptr, out.ptr, fa.count),
            f"vaccel_fpga_mmult(session {self.id}, {fa.count})")
        return result(out)

    def fpga_parallel(self, a: Sequence[float], b: Sequence[float]
                      ) -> Tuple[Any, Any]:
        """Returns (a + b, a * b) as the plugin computes them."""
        ctx = "fpga_parallel"
        fa, fb = self._pair(a, b, ctx)
        add = new_like(fa, fa.count, "f")
        mul = new_like(fa, fa.count, "f")
        check(_lib.load().vaccel_fpga_parallel(
            self._c(ctx), fa.ptr, fb.ptr, add.ptr, mul.ptr, fa.count),
            f"vaccel_fpga_parallel(session {self.id}, {fa.count})")
        return result(add), result(mul)

    def fpga_vadd(self, a: Sequence[float], b: Sequence[float]) -> Any:
        """Element-wise a + b (a shorter b counts as zeros)."""
        ctx = "fpga_vadd"
        fa, fb = self._pair(a, b, ctx, same=False)
        if fb.count > fa.count:
            raise VaccelValueError(
                ctx, f"b ({fb.count}) is longer than a ({fa.count})")
        out = new_like(fa, fa.count, "f")
        check(_lib.load().vaccel_fpga_vadd(
            self._c(ctx), fa.ptr, fb.ptr, out.ptr, fa.count, fb.count),
            f"vaccel_fpga_vadd(session {self.id}, {fa.count}, {fb.count})")
        return result(out)
