# SPDX-License-Identifier: Apache-2.0
"""TorchScript model ops and tensors.

Tensor memory is never copied when its layout allows it:
  - an input numpy array (or buffer) that is C-contiguous and of a
    supported dtype is handed to libvaccel in place;
  - an output tensor's memory, allocated by the plugin, is taken over
    (vaccel_torch_tensor_take_data) and exposed as it is by
    Tensor.as_numpy() / as_memoryview(); it is freed when the last Python
    view of it goes away.
"""

from __future__ import annotations

import ctypes
import struct
from ctypes import POINTER, byref, c_int64, c_size_t, c_void_p
from enum import IntEnum
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, \
    Union

from .. import _buffer, _lib
from .._numpy import is_ndarray, require_numpy
from ..error import VaccelTypeError, VaccelValueError, check
from ._base import SessionBase, check_int

if TYPE_CHECKING:
    from ..resource import Resource


class TensorType(IntEnum):
    """enum vaccel_torch_data_type (c10::ScalarType + 1)."""

    BYTE = 1
    CHAR = 2
    SHORT = 3
    INT = 4
    LONG = 5
    HALF = 6
    FLOAT = 7
    DOUBLE = 8
    BOOL = 12


# struct format, numpy dtype name.
_TYPE_INFO = {
    TensorType.BYTE: ("B", "uint8"), TensorType.CHAR: ("b", "int8"),
    TensorType.SHORT: ("h", "int16"), TensorType.INT: ("i", "int32"),
    TensorType.LONG: ("q", "int64"), TensorType.HALF: ("e", "float16"),
    TensorType.FLOAT: ("f", "float32"), TensorType.DOUBLE: ("d", "float64"),
    TensorType.BOOL: ("?", "bool"),
}
_FROM_NUMPY = {v[1]: k for k, v in _TYPE_INFO.items()}


def _tensor_type(value: Any, ctx: str) -> TensorType:
    try:
        return TensorType(int(value))
    except (TypeError, ValueError):
        raise VaccelValueError(
            ctx, f"unknown tensor type {value!r}") from None


_owned_classes: Dict[int, type] = {}


def _owned_memory(ptr: int, size: int) -> ctypes.Array:
    """A ctypes byte array over malloc'd `ptr` that frees it when the last
    reference (including numpy arrays and memoryviews over it) dies."""
    cls = _owned_classes.get(size)
    if cls is None:
        def __del__(self: Any, _free: Any = _lib.free) -> None:
            _free(ctypes.addressof(self))
        cls = type("VaccelOwnedBytes", (ctypes.c_char * size,),
                   {"__del__": __del__})
        _owned_classes[size] = cls
    return cls.from_address(ptr)


class Buffer:
    """Run options for torch_model_run (struct vaccel_torch_buffer)."""

    def __init__(self, data: Union[bytes, bytearray, str]):
        if isinstance(data, str):
            data = data.encode()
        self._buf = _buffer.get(data, "torch.Buffer")
        self.data = bytes(data)

    def _c(self) -> _lib.CTorchBuffer:
        return _lib.CTorchBuffer(self._buf.ptr or None, self._buf.size)


class Tensor:
    """A dense, row-major tensor.

    Tensor(dims, data_type, data) packs a flat sequence of numbers;
    Tensor.from_buffer() and Tensor.from_numpy() wrap existing memory
    without copying it.
    """

    def __init__(self, dims: Sequence[int], data_type: TensorType,
                 data: Sequence[Any]):
        ctx = "torch.Tensor"
        self._set_meta(dims, data_type, ctx)
        fmt = _TYPE_INFO[self.data_type][0]
        if _buffer.is_buffer(data) or isinstance(data, (str, bytes)) or \
                not isinstance(data, Sequence):
            raise VaccelTypeError(
                ctx, "data must be a flat sequence of numbers (use "
                "Tensor.from_buffer for bytes)")
        try:
            raw = struct.pack(f"{len(data)}{fmt}", *data)
        except struct.error as e:
            raise VaccelValueError(ctx, f"cannot pack data: {e}") from None
        self._set_memory(raw, ctx)

    def _set_meta(self, dims: Sequence[int], data_type: Any,
                  ctx: str) -> None:
        if isinstance(dims, (str, bytes)) or not isinstance(dims, Sequence):
            raise VaccelTypeError(ctx, "dims must be a sequence of ints")
        self.dims: List[int] = [check_int(d, "dim", ctx, 0) for d in dims]
        self.data_type = _tensor_type(data_type, ctx)

    @property
    def nr_elements(self) -> int:
        """The number of elements the dims describe."""
        n = 1
        for d in self.dims:
            n *= d
        return n

    @property
    def itemsize(self) -> int:
        """Bytes per element."""
        return struct.calcsize(_TYPE_INFO[self.data_type][0])

    def _set_memory(self, data: Any, ctx: str) -> None:
        buf = _buffer.get(data, ctx)
        want = self.nr_elements * self.itemsize
        if buf.size != want:
            raise VaccelValueError(
                ctx, f"{buf.size} bytes of data for dims {self.dims} of "
                f"{self.data_type.name} ({want} bytes)")
        self._mem = buf.keep
        self._ptr = buf.ptr
        self._size = buf.size
        self._source = data

    @classmethod
    def from_buffer(cls, dims: Sequence[int], data_type: TensorType,
                    data: Any) -> "Tensor":
        """A tensor over the bytes of `data` (no copy when C-contiguous)."""
        self = cls.__new__(cls)
        ctx = "torch.Tensor.from_buffer"
        self._set_meta(dims, data_type, ctx)
        self._set_memory(data, ctx)
        return self

    @classmethod
    def from_numpy(cls, array: Any) -> "Tensor":
        """A tensor over a numpy array's memory (copied only when the
        array is not C-contiguous)."""
        ctx = "torch.Tensor.from_numpy"
        np = require_numpy(ctx)
        if not isinstance(array, np.ndarray):
            raise VaccelTypeError(
                ctx, f"expected a numpy.ndarray, not {type(array).__name__}")
        dtype = array.dtype
        if dtype.byteorder == ">" or dtype.name not in _FROM_NUMPY:
            raise VaccelTypeError(
                ctx, f"dtype {dtype} has no vAccel tensor type (use one of "
                f"{', '.join(sorted(_FROM_NUMPY))})")
        if not array.flags.c_contiguous:
            array = np.ascontiguousarray(array)
        return cls.from_buffer(list(array.shape), _FROM_NUMPY[dtype.name],
                               array)

    @classmethod
    def _from_c(cls, t: _lib.CTorchTensor, ptr: Any) -> "Tensor":
        """Takes over an output tensor allocated by libvaccel (`ptr`)."""
        self = cls.__new__(cls)
        ctx = "torch_model_run output"
        self.dims = [int(t.dims[i]) for i in range(t.nr_dims)]
        self.data_type = _tensor_type(t.data_type, ctx)
        data, size = c_void_p(), c_size_t()
        check(_lib.load().vaccel_torch_tensor_take_data(
            ptr, byref(data), byref(size)), "vaccel_torch_tensor_take_data")
        if data.value:
            mem = _owned_memory(data.value, size.value)
            self._mem, self._ptr = mem, data.value
        else:
            mem = (ctypes.c_char * 0)()
            self._mem, self._ptr = mem, 0
        self._size = size.value
        self._source = mem
        want = self.nr_elements * self.itemsize
        if self._size != want:
            raise VaccelValueError(
                ctx, f"plugin returned {self._size} bytes for dims "
                f"{self.dims} ({want} expected)")
        return self

    def _c(self) -> _lib.CTorchTensor:
        dims = (c_int64 * max(len(self.dims), 1))(*self.dims)
        t = _lib.CTorchTensor(self._ptr or None, self._size, False,
                              len(self.dims), dims, int(self.data_type))
        # The struct points into `dims`; keep both alive together.
        t._keep = dims  # type: ignore[attr-defined]
        return t

    # --- views -----------------------------------------------------------

    def as_memoryview(self) -> memoryview:
        """A typed, shaped memoryview over the tensor's memory (no copy)."""
        mv = self.as_bytelike()
        fmt = _TYPE_INFO[self.data_type][0]
        if not self.dims or self.nr_elements == 0 or fmt == "e":
            return mv
        try:
            return mv.cast(fmt, self.dims)
        except (TypeError, ValueError):
            return mv

    def as_bytelike(self) -> memoryview:
        """The raw bytes as a flat memoryview (no copy)."""
        mv = memoryview(self._source)
        return mv if mv.format == "B" and mv.ndim == 1 else mv.cast("B")

    def to_bytes(self) -> bytes:
        """A copy of the raw bytes."""
        return ctypes.string_at(self._ptr, self._size) if self._size else b""

    @property
    def data(self) -> List[Any]:
        """The elements as a flat list of Python numbers."""
        fmt = _TYPE_INFO[self.data_type][0]
        return list(struct.unpack(f"{self.nr_elements}{fmt}",
                                  self.to_bytes()))

    def as_numpy(self) -> Any:
        """A numpy array over the tensor's memory (no copy); it keeps the
        memory alive."""
        np = require_numpy("torch.Tensor.as_numpy")
        if is_ndarray(self._source) and \
                list(self._source.shape) == self.dims:
            return self._source
        arr = np.frombuffer(self._source if self._size else b"",
                            dtype=_TYPE_INFO[self.data_type][1])
        return arr.reshape(self.dims)

    numpy = as_numpy

    def __repr__(self) -> str:
        return f"Tensor(dims={self.dims}, data_type={self.data_type.name})"


TensorLike = Union[Tensor, Any]


def _to_tensor(value: Any, i: int, ctx: str) -> Tensor:
    if isinstance(value, Tensor):
        return value
    if is_ndarray(value):
        return Tensor.from_numpy(value)
    raise VaccelTypeError(
        ctx, f"input {i} must be a Tensor or a numpy.ndarray, not "
        f"{type(value).__name__}")


class TorchMixin(SessionBase):
    """Session.torch_model_load() and Session.torch_model_run()."""

    def _model(self, resource: Any, ctx: str) -> int:
        from ..resource import Resource
        if not isinstance(resource, Resource):
            raise VaccelTypeError(
                ctx, f"expected a Resource, not {type(resource).__name__}")
        return resource._c(ctx)

    def torch_model_load(self, resource: "Resource") -> None:
        """Loads a TorchScript MODEL resource registered with the session
        (optional: torch_model_run loads it when needed)."""
        ctx = "torch_model_load"
        check(_lib.load().vaccel_torch_model_load(
            self._c(ctx), self._model(resource, ctx)),
            f"vaccel_torch_model_load(session {self.id}, resource "
            f"{resource.id})")

    def torch_model_run(self, resource: "Resource",
                        in_tensors: Sequence[TensorLike],
                        nr_out_tensors: int = 1,
                        run_options: Optional[Buffer] = None,
                        as_numpy: Optional[bool] = None) -> List[Any]:
        """Runs the model's forward() on the inputs.

        Args:
            resource: the MODEL resource, registered with the session.
            in_tensors: Tensors or numpy arrays (C-contiguous arrays of a
                supported dtype are used in place).
            nr_out_tensors: how many outputs to return.
            run_options: a Buffer passed to the plugin.
            as_numpy: return numpy arrays (True) or Tensors (False); None
                returns numpy arrays when every input was one.

        Returns the outputs; their memory is taken over from the plugin, not
        copied.
        """
        ctx = "torch_model_run"
        model = self._model(resource, ctx)
        check_int(nr_out_tensors, "nr_out_tensors", ctx, 1)
        if nr_out_tensors > 1024:
            raise VaccelValueError(
                ctx, f"nr_out_tensors {nr_out_tensors} is too large")
        if isinstance(in_tensors, (Tensor, str, bytes)) or is_ndarray(
                in_tensors) or not isinstance(in_tensors, Sequence):
            raise VaccelTypeError(
                ctx, "in_tensors must be a list of Tensors or numpy arrays")
        if not in_tensors:
            raise VaccelValueError(ctx, "in_tensors is empty")
        if run_options is not None and not isinstance(run_options, Buffer):
            raise VaccelTypeError(ctx, "run_options must be a torch.Buffer")
        if as_numpy is None:
            as_numpy = all(is_ndarray(t) for t in in_tensors)
        if as_numpy:
            require_numpy(ctx)
        tensors = [_to_tensor(t, i, ctx) for i, t in enumerate(in_tensors)]
        c_in = [t._c() for t in tensors]
        in_ptrs = (POINTER(_lib.CTorchTensor) * len(c_in))(
            *[ctypes.pointer(t) for t in c_in])
        out_ptrs = (POINTER(_lib.CTorchTensor) * nr_out_tensors)()
        opts = byref(run_options._c()) if run_options is not None else None
        lib = _lib.load()
        check(lib.vaccel_torch_model_run(
            self._c(ctx), model, opts, in_ptrs, len(c_in), out_ptrs,
            nr_out_tensors),
            f"vaccel_torch_model_run(session {self.id}, resource "
            f"{resource.id}, {len(c_in)} in, {nr_out_tensors} out)")
        outs: List[Tensor] = []
        try:
            for i in range(nr_out_tensors):
                if not out_ptrs[i]:
                    raise VaccelValueError(
                        ctx, f"plugin returned no output tensor {i}")
                outs.append(Tensor._from_c(out_ptrs[i].contents,
                                           out_ptrs[i]))
        finally:
            for i in range(nr_out_tensors):
                if out_ptrs[i]:
                    lib.vaccel_torch_tensor_delete(out_ptrs[i])
        if as_numpy:
            return [t.as_numpy() for t in outs]
        return outs

    def torch_jitload_forward(self, resource: "Resource",
                              in_tensors: Sequence[TensorLike],
                              nr_out_tensors: int = 1,
                              run_options: Optional[Buffer] = None
                              ) -> List[Tensor]:
        """Deprecated name of torch_model_run (returns Tensors)."""
        return self.torch_model_run(resource, in_tensors, nr_out_tensors,
                                    run_options, as_numpy=False)
