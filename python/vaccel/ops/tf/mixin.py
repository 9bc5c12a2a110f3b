# SPDX-License-Identifier: Apache-2.0
"""TensorFlow model ops: tf_model_load, tf_model_unload, tf_model_run.

No TensorFlow plugin ships with this project; the calls reach the C API,
which runs them on whichever loaded plugin implements them (the noop plugin
does) or raises VaccelNotImplementedError.
"""

from __future__ import annotations

import ctypes
from typing import TYPE_CHECKING, Any, List, Optional, Sequence, Tuple

from ... import _lib
from ...error import VaccelTypeError, VaccelValueError, check
from .._base import SessionBase, resource_ptr
from .._options import c_options
from .._tensor import c_inputs, c_outputs, model_inputs, take_outputs
from .buffer import Buffer
from .node import Node
from .status import Status
from .tensor import Tensor

if TYPE_CHECKING:
    from ...resource import Resource


def _nodes(nodes: Sequence[Node], what: str, ctx: str) -> Any:
    if isinstance(nodes, (str, Node)) or not isinstance(nodes, Sequence) \
            or not all(isinstance(n, Node) for n in nodes):
        raise VaccelTypeError(ctx, f"{what} must be a list of tf.Node")
    arr = (_lib.CTfNode * max(len(nodes), 1))(*[n.value for n in nodes])
    return arr


class TFMixin(SessionBase):
    """Session.tf_model_load/unload/run()."""

    def _tf_status_op(self, fn: str, resource: "Resource") -> Status:
        ctx = f"tf_model_{fn}"
        status = _lib.CTfStatus()
        try:
            check(getattr(_lib.load(), f"vaccel_tf_model_{fn}")(
                self._c(ctx), resource_ptr(resource, ctx),
                ctypes.byref(status)),
                f"vaccel_tf_model_{fn}(session {self.id}, resource "
                f"{resource.id})")
        finally:
            result = Status._from_c(status)
        return result

    def tf_model_load(self, resource: "Resource") -> Status:
        """Loads a TensorFlow MODEL resource; returns the plugin's Status."""
        return self._tf_status_op("load", resource)

    def tf_model_unload(self, resource: "Resource") -> Status:
        """Unloads a TensorFlow model; returns the plugin's Status."""
        return self._tf_status_op("unload", resource)

    def tf_model_run(self, resource: "Resource", in_nodes: Sequence[Node],
                     in_tensors: Sequence[Any], out_nodes: Sequence[Node],
                     run_options: Optional[Buffer] = None
                     ) -> Tuple[List[Tensor], Status]:
        """Runs the graph: one input tensor per in_nodes entry (Tensors or
        numpy arrays), one output per out_nodes entry.

        Returns (output Tensors, Status).
        """
        ctx = "tf_model_run"
        model = resource_ptr(resource, ctx)
        c_in_nodes = _nodes(in_nodes, "in_nodes", ctx)
        c_out_nodes = _nodes(out_nodes, "out_nodes", ctx)
        tensors = model_inputs(Tensor, in_tensors, ctx)
        if len(tensors) != len(in_nodes):
            raise VaccelValueError(
                ctx, f"{len(tensors)} in_tensors for {len(in_nodes)} "
                "in_nodes")
        if not out_nodes:
            raise VaccelValueError(ctx, "out_nodes is empty")
        opts = c_options(run_options, Buffer, ctx)
        c_out = c_outputs(Tensor, len(out_nodes))
        status = _lib.CTfStatus()
        try:
            check(_lib.load().vaccel_tf_model_run(
                self._c(ctx), model,
                ctypes.byref(opts) if opts is not None else None,
                c_in_nodes, c_inputs(Tensor, tensors), len(tensors),
                c_out_nodes, c_out, len(out_nodes), ctypes.byref(status)),
                f"vaccel_tf_model_run(session {self.id}, resource "
                f"{resource.id}, {len(tensors)} in, {len(out_nodes)} out)")
        finally:
            result = Status._from_c(status)
        return take_outputs(Tensor, c_out, len(out_nodes), ctx), result
