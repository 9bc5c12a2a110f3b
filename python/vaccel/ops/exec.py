# SPDX-License-Identifier: Apache-2.0
"""Run a function of a shared library on the plugin's side."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, List, Sequence, Union

from .. import _lib
from ..arg import ArgLike, c_array, to_args
from ..error import VaccelTypeError, VaccelValueError, check
from ._base import SessionBase

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
    `arg_write` its outputs: Arg objects or plain values (see Arg). Output
    Args are filled in place; the call returns their values.
    """

    def exec(self, library: Union[str, os.PathLike], symbol: str,
             arg_read: Sequence[ArgLike] = (),
             arg_write: Sequence[ArgLike] = ()) -> List[Any]:
        """Runs `symbol` from `library` (a path on the plugin's side)."""
        ctx = "exec"
        lib_b = _name(library, "library", ctx)
        sym_b = _name(symbol, "symbol", ctx)
        rd = to_args(arg_read, ctx)
        wr = to_args(arg_write, ctx, write=True)
        c_rd, c_wr = c_array(rd), c_array(wr)
        check(_lib.load().vaccel_exec(self._c(ctx), lib_b, sym_b, c_rd,
                                      len(rd), c_wr, len(wr)),
              f"vaccel_exec(session {self.id}, {os.fsdecode(lib_b)!r}, "
              f"{sym_b.decode(errors='replace')!r})")
        return [a.value for a in wr]

    def exec_with_resource(self, resource: "Resource", symbol: str,
                           arg_read: Sequence[ArgLike] = (),
                           arg_write: Sequence[ArgLike] = ()) -> List[Any]:
        """Runs `symbol` from a LIB resource registered with the session."""
        from ..resource import Resource
        ctx = "exec_with_resource"
        if not isinstance(resource, Resource):
            raise VaccelTypeError(
                ctx, f"expected a Resource, not {type(resource).__name__}")
        sym_b = _name(symbol, "symbol", ctx)
        rd = to_args(arg_read, ctx)
        wr = to_args(arg_write, ctx, write=True)
        c_rd, c_wr = c_array(rd), c_array(wr)
        check(_lib.load().vaccel_exec_with_resource(
            self._c(ctx), resource._c(ctx), sym_b, c_rd, len(rd), c_wr,
            len(wr)),
            f"vaccel_exec_with_resource(session {self.id}, resource "
            f"{resource.id}, {sym_b.decode(errors='replace')!r})")
        return [a.value for a in wr]
