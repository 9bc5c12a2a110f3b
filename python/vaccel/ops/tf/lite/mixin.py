# SPDX-License-Identifier: Apache-2.0
"""TensorFlow Lite model ops: tflite_model_load, tflite_model_unload,
tflite_model_run.

No TensorFlow Lite plugin ships with this project; the calls reach the C
API, which runs them on whichever loaded plugin implements them (the noop
plugin does) or raises VaccelNotImplementedError.
"""

from __future__ import annotations

import ctypes
from typing import TYPE_CHECKING, Any, List, Sequence, Tuple

from .... import _lib
from ....error import check
from ..._base import SessionBase, resource_ptr
from ..._tensor import (c_inputs, c_outputs, check_nr_outputs,
                        model_inputs, take_outputs)
from .tensor import Tensor

if TYPE_CHECKING:
    from ....resource import Resource


class TFLiteMixin(SessionBase):
    """Session.tflite_model_load/unload/run()."""

    def _tflite_op(self, fn: str, resource: "Resource") -> None:
        ctx = f"tflite_model_{fn}"
        check(getattr(_lib.load(), f"vaccel_tflite_model_{fn}")(
            self._c(ctx), resource_ptr(resource, ctx)),
            f"vaccel_tflite_model_{fn}(session {self.id}, resource "
            f"{resource.id})")

    def tflite_model_load(self, resource: "Resource") -> None:
        """Loads a TensorFlow Lite MODEL resource."""
        self._tflite_op("load", resource)

    def tflite_model_unload(self, resource: "Resource") -> None:
        """Unloads a TensorFlow Lite model."""
        self._tflite_op("unload", resource)

    def tflite_model_run(self, resource: "Resource",
                         in_tensors: Sequence[Any], nr_out_tensors: int = 1
                         ) -> Tuple[List[Tensor], int]:
        """Runs the model on the inputs (Tensors or numpy arrays).

        Returns (output Tensors, the interpreter's status byte).
        """
        ctx = "tflite_model_run"
        model = resource_ptr(resource, ctx)
        check_nr_outputs(nr_out_tensors, ctx)
        tensors = model_inputs(Tensor, in_tensors, ctx)
        c_out = c_outputs(Tensor, nr_out_tensors)
        status = ctypes.c_uint8(0)
        check(_lib.load().vaccel_tflite_model_run(
            self._c(ctx), model, c_inputs(Tensor, tensors), len(tensors),
            c_out, nr_out_tensors, ctypes.byref(status)),
            f"vaccel_tflite_model_run(session {self.id}, resource "
            f"{resource.id}, {len(tensors)} in, {nr_out_tensors} out)")
        return take_outputs(Tensor, c_out, nr_out_tensors, ctx), status.value
