# SPDX-License-Identifier: Apache-2.0
"""The generic op: any op as argument lists (see docs/arguments.md)."""

from __future__ import annotations

from typing import Any, List, Sequence

from .. import _lib
from ..arg import ArgLike, c_array, to_args
from ..error import VaccelValueError, check
from ._base import SessionBase


class GenopMixin(SessionBase):
    """Session.genop()."""

    def genop(self, arg_read: Sequence[ArgLike],
              arg_write: Sequence[ArgLike] = ()) -> List[Any]:
        """Runs the op named by arg_read[0] (an OpType, sent as UINT8).

        Output Args are filled in place; returns their values.
        """
        ctx = "genop"
        rd = to_args(arg_read, ctx)
        wr = to_args(arg_write, ctx, write=True)
        if not rd:
            raise VaccelValueError(
                ctx, "arg_read must start with the OpType")
        c_rd, c_wr = c_array(rd), c_array(wr)
        check(_lib.load().vaccel_genop(self._c(ctx), c_rd, len(rd), c_wr,
                                       len(wr)),
              f"vaccel_genop(session {self.id}, {len(rd)} read, "
              f"{len(wr)} write args)")
        return [a.value for a in wr]
