# SPDX-License-Identifier: Apache-2.0
"""BLAS sgemm: C = alpha * A(m x k) * B(k x n) + beta * C(m x n)."""

from __future__ import annotations

from typing import Any, Optional, Sequence, Union

from .. import _lib
from ..error import VaccelTypeError, VaccelValueError, check
from .._validate import check_int
from ._base import SessionBase, new_like, num_array, result

FloatArray = Union[Sequence[float], Any]


def _need(m: int, ld: int, cols: int) -> int:
    """Elements a row-major m x cols matrix with leading dimension ld
    spans."""
    return 0 if m == 0 or cols == 0 else (m - 1) * ld + cols


class BlasMixin(SessionBase):
    """Session.sgemm()."""

    def sgemm(self, m: int, n: int, k: int, alpha: float, a: FloatArray,
              lda: int, b: FloatArray, ldb: int, beta: float,
              ldc: Optional[int] = None, *, c: Optional[FloatArray] = None
              ) -> Any:
        """Row-major single-precision matrix multiply; returns C.

        `a` and `b` are sequences of numbers or float32 arrays (numpy,
        array('f')), which are used in place. C starts as zeros and is
        returned as a list (a numpy array when `a` is one); or pass a
        writable float32 array as c= to start from it and receive the
        result in place (it is returned). ldc=None means n.
        """
        ctx = "sgemm"
        for name, v in (("m", m), ("n", n), ("k", k)):
            check_int(v, name, ctx, 0)
        ldc = n if ldc is None else ldc
        for name, v, lo in (("lda", lda, k), ("ldb", ldb, n),
                            ("ldc", ldc, n)):
            check_int(v, name, ctx, max(lo, 1))
        for name, v in (("alpha", alpha), ("beta", beta)):
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise VaccelTypeError(
                    ctx, f"{name} must be a number, not {type(v).__name__}")
        fa = num_array(a, "f", ctx + " a")
        fb = num_array(b, "f", ctx + " b")
        # Sizes are checked here: libvaccel cannot know how long the
        # arrays are, and reading past them would crash the interpreter.
        cneed = _need(m, ldc, n)
        for name, arr, need in (("a", fa, _need(m, lda, k)),
                                ("b", fb, _need(k, ldb, n))):
            if arr.count < need:
                raise VaccelValueError(
                    ctx, f"{name} has {arr.count} elements, needs {need}")
        if c is None:
            fc = new_like(fa, cneed, "f")
        else:
            fc = num_array(c, "f", ctx + " c", writable=True)
            if fc.count < cneed:
                raise VaccelValueError(
                    ctx, f"c has {fc.count} elements, needs {cneed}")
        check(_lib.load().vaccel_sgemm(
            self._c(ctx), m, n, k, float(alpha), fa.ptr, lda, fb.ptr, ldb,
            float(beta), fc.ptr, ldc),
            f"vaccel_sgemm(session {self.id}, m={m} n={n} k={k})")
        return result(fc)
