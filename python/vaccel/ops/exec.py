# SPDX-License-Identifier: Apache-2.0
"""Run a function of a shared library on the plugin's side."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, List, Optional, Sequence, Union

from .. import _lib
from ..arg import ArgLike, c_array, to_args
from ..error import VaccelTypeError, VaccelValueError, check
from ._base import SessionBase, resource_ptr

if TYPE_CHECKING:
    from ..resource import Resource


def _name(value: Any, what: str, ctx: str) -> bytes:
    if not isinstance(value, (str, bytes, os.PathLike)):
        raise VaccelTypeError(
            ctx, f"{what} must be a string, not {type(value).__name__}")
    raw = os.fsencode(value)
    if not raw or b"\0" in raw:
        raise VaccelValueError(ctx, f"invalid {what} {value!r}")
    return raw


class ExecMixin(SessionBase):
    """Session.exec() and Session.exec_with_resource().

    The function has the C type vaccel_exec_fn. `arg_read` are its inputs,
    `arg_write` its outputs: Arg objects or plain values (wrapped in
    Arg(value)). Outputs are filled in place; the call returns their
    decoded values (Arg.buf), or None when no arg_write list was given.
    """

    def exec(self, library: Union[str, os.PathLike], symbol: str,
             arg_read: Optional[Sequence[ArgLike]] = None,
             arg_write: Optional[Sequence[ArgLike]] = None
             ) -> Optional[List[Any]]:
        """Runs `symbol` from `library` (a path on the plugin's side)."""
        ctx = "exec"
        lib_b = _name(library, "library", ctx)
        sym_b = _name(symbol, "symbol", ctx)
        rd = to_args(arg_read, ctx)
        wr = to_args(arg_write, ctx, write=True)
        check(_lib.load().vaccel_exec(self._c(ctx), lib_b, sym_b,
                                      c_array(rd), len(rd), c_array(wr),
                                      len(wr)),
              f"vaccel_exec(session {self.id}, {os.fsdecode(lib_b)!r}, "
              f"{sym_b.decode(errors='replace')!r})")
        return None if arg_write is None else [a.buf for a in wr]

    def exec_with_resource(self, resource: "Resource", symbol: str,
                           arg_read: Optional[Sequence[ArgLike]] = None,
                           arg_write: Optional[Sequence[ArgLike]] = None
                           ) -> Optional[List[Any]]:
        """Runs `symbol` from a LIB resource registered with the session."""
        ctx = "exec_with_resource"
        res = resource_ptr(resource, ctx)
        sym_b = _name(symbol, "symbol", ctx)
        rd = to_args(arg_read, ctx)
        wr = to_args(arg_write, ctx, write=True)
        check(_lib.load().vaccel_exec_with_resource(
            self._c(ctx), res, sym_b, c_array(rd), len(rd),
            c_array(wr), len(wr)),
            f"vaccel_exec_with_resource(session {self.id}, resource "
            f"{resource.id}, {sym_b.decode(errors='replace')!r})")
        return None if arg_write is None else [a.buf for a in wr]
