# SPDX-License-Identifier: Apache-2.0
"""TorchScript model ops: torch_model_load, torch_model_run."""

from __future__ import annotations

import ctypes
from typing import TYPE_CHECKING, Any, List, Optional, Sequence

from ... import _lib
from ..._numpy import is_ndarray, require_numpy
from ...error import VaccelTypeError, VaccelValueError, check
from .._base import SessionBase, resource_ptr
from .._options import c_options
from .._tensor import (c_inputs, c_outputs, check_nr_outputs, model_inputs,
                       take_outputs)
from . import params
from .buffer import Buffer
from .tensor import Tensor

if TYPE_CHECKING:
    from ...resource import Resource

_NUMPY_NAMES = {t: d.numpy for t, d in Tensor.family.dtypes.items()}


def check_input_dtypes(resource: Any, tensors: Sequence[Tensor],
                       ctx: str) -> None:
    """Refuses floating-point inputs whose dtype differs from the one the
    model's parameters are stored in (see params.py)."""
    if not any(t.data_type in params.FLOAT_TYPES for t in tensors):
        return
    found = params.model_float_type(resource)
    if found is None:
        return
    want, blob = found
    for i, t in enumerate(tensors):
        if t.data_type in params.FLOAT_TYPES and t.data_type != want:
            raise VaccelTypeError(
                ctx, f"input {i} is {_NUMPY_NAMES[t.data_type]} but the "
                f"parameters of model {blob!r} (resource {resource.id}) are "
                f"{_NUMPY_NAMES[want]}: {_NUMPY_NAMES[want]} expected "
                f"(numpy: x.astype(numpy.{_NUMPY_NAMES[want]}); "
                "check_dtypes=False sends it anyway)")


class TorchMixin(SessionBase):
    """Session.torch_model_load() and Session.torch_model_run()."""

    def torch_model_load(self, resource: "Resource") -> None:
        """Loads a TorchScript MODEL resource registered with the session
        (optional: torch_model_run loads it when needed)."""
        ctx = "torch_model_load"
        check(_lib.load().vaccel_torch_model_load(
            self._c(ctx), resource_ptr(resource, ctx)),
            f"vaccel_torch_model_load(session {self.id}, resource "
            f"{resource.id})")

    def torch_model_run(self, resource: "Resource",
                        in_tensors: Sequence[Any],
                        nr_out_tensors: int = 1,
                        run_options: Optional[Buffer] = None, *,
                        as_numpy: Optional[bool] = None,
                        check_dtypes: bool = True) -> List[Any]:
        """Runs the model's forward() on the inputs.

        Args:
            resource: the MODEL resource, registered with the session.
            in_tensors: Tensors, or numpy arrays (used in place when
                C-contiguous).
            nr_out_tensors: how many outputs to return.
            run_options: a Buffer passed to the plugin.
            as_numpy: return numpy arrays (True) or Tensors (False); None
                returns numpy arrays when every input was one, else Tensors.
            check_dtypes: refuse, before the call, floating-point inputs of
                another dtype than the model's parameters (see params.py).

        Returns the outputs; their memory is taken over from the plugin, not
        copied. Raises VaccelError with libtorch's reason when the plugin
        refuses the inputs.
        """
        ctx = "torch_model_run"
        model = resource_ptr(resource, ctx)
        check_nr_outputs(nr_out_tensors, ctx)
        tensors = model_inputs(Tensor, in_tensors, ctx)
        if not tensors:
            raise VaccelValueError(ctx, "in_tensors is empty")
        opts = c_options(run_options, Buffer, ctx)
        if as_numpy is None:
            as_numpy = all(is_ndarray(t) for t in in_tensors)
        if as_numpy:
            require_numpy(ctx)
        if check_dtypes:
            check_input_dtypes(resource, tensors, ctx)
        c_out = c_outputs(Tensor, nr_out_tensors)
        check(_lib.load().vaccel_torch_model_run(
            self._c(ctx), model,
            ctypes.byref(opts) if opts is not None else None,
            c_inputs(Tensor, tensors), len(tensors), c_out, nr_out_tensors),
            f"vaccel_torch_model_run(session {self.id}, resource "
            f"{resource.id}, {len(tensors)} in, {nr_out_tensors} out)")
        outs = take_outputs(Tensor, c_out, nr_out_tensors, ctx)
        return [t.as_numpy() for t in outs] if as_numpy else outs

    def torch_jitload_forward(self, resource: "Resource",
                              in_tensors: Sequence[Any],
                              nr_out_tensors: int = 1,
                              run_options: Optional[Buffer] = None
                              ) -> List[Tensor]:
        """upstream's former name of torch_model_run (returns Tensors)."""
        return self.torch_model_run(resource, in_tensors, nr_out_tensors,
                                    run_options, as_numpy=False)

