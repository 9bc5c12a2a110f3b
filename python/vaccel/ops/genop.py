# SPDX-License-Identifier: Apache-2.0
"""The generic op: any op as argument lists (see docs/arguments.md)."""

from __future__ import annotations

from typing import Optional, Sequence

from .. import _lib
from ..arg import ArgLike, c_array, to_args
from ..error import VaccelValueError, check
from ._base import SessionBase


class GenopMixin(SessionBase):
    """Session.genop()."""

    def genop(self, arg_read: Sequence[ArgLike],
              arg_write: Optional[Sequence[ArgLike]] = None) -> None:
        """Runs the op named by arg_read[0] (an OpType, as
        Arg(op, ArgType.UINT8)). The write Args are filled in place: read
        them with Arg.buf."""
        ctx = "genop"
        rd = to_args(arg_read, ctx)
        wr = to_args(arg_write, ctx, write=True)
        if not rd:
            raise VaccelValueError(
                ctx, "arg_read must start with the OpType")
        check(_lib.load().vaccel_genop(self._c(ctx), c_array(rd), len(rd),
                                       c_array(wr), len(wr)),
              f"vaccel_genop(session {self.id}, {len(rd)} read, "
              f"{len(wr)} write args)")
