# SPDX-License-Identifier: Apache-2.0
"""The tensors of the model ops (torch, TensorFlow, TensorFlow Lite).

The three C tensor structs differ only in the C types of their dims and in
their dtype enums, so one class, TensorBase, implements all three; each
family subclasses it with a Family that names its struct, enum and C
functions.

Memory is never copied when the layout allows it:
  - Tensor.from_buffer() and Tensor.from_numpy() point the C tensor at the
    caller's memory (a non-contiguous numpy array is copied once);
  - an output tensor's memory, allocated by the plugin, is taken over
    (vaccel_<family>_tensor_take_data) and viewed as it is by as_numpy(),
    as_memoryview() and as_bytelike(); it is freed when the last Python
    view of it goes away.
"""

from __future__ import annotations

import ctypes
import struct
from ctypes import byref, c_size_t, c_void_p
from typing import Any, ClassVar, Dict, List, NamedTuple, Optional, \
    Sequence

from .. import _buffer, _lib
from .._numpy import is_ndarray, require_numpy
from ..error import NullPointerError, VaccelTypeError, VaccelValueError, \
    check
from .._validate import check_int, enum_arg


class DType(NamedTuple):
    """How one element of a tensor type is stored."""

    itemsize: int  # 0: variable or packed (no size check)
    fmt: str       # struct format for Tensor.data, "" when none
    numpy: str     # numpy dtype name, "" when none


class Family(NamedTuple):
    """What distinguishes the tensors of one model family."""

    name: str                # "torch", "tf", "tflite"
    struct: Any              # the ctypes struct of the C tensor
    dim: Any                 # ctypes type of one dim
    types: Any               # the TensorType enum
    dtypes: Dict[Any, DType]  # TensorType -> DType


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


class TensorBase:
    """A dense, row-major tensor of one model family.

    Tensor(dims, data_type, data) packs a flat list of numbers;
    Tensor.from_buffer() and Tensor.from_numpy() wrap existing memory
    without copying it.
    """

    family: ClassVar[Family]

    def __init__(self, dims: Sequence[int], data_type: Any,
                 data: Sequence[Any]):
        ctx = f"{self.family.name}.Tensor"
        self._set_meta(dims, data_type, ctx)
        fmt = self._dtype.fmt
        if _buffer.is_buffer(data) or isinstance(data, (str, bytes)) or \
                not isinstance(data, Sequence):
            raise VaccelTypeError(
                ctx, "data must be a flat list of numbers (use "
                "Tensor.from_buffer for bytes)")
        if not fmt:
            raise VaccelTypeError(
                ctx, f"{self.data_type.name} elements cannot be given as "
                "Python numbers; use Tensor.from_buffer")
        try:
            raw = struct.pack(f"{len(data)}{fmt}", *data)
        except struct.error as e:
            raise VaccelValueError(ctx, f"cannot pack data: {e}") from None
        self._set_memory(bytearray(raw), ctx)

    # --- construction ----------------------------------------------------

    def _set_meta(self, dims: Sequence[int], data_type: Any,
                  ctx: str) -> None:
        if isinstance(dims, (str, bytes)) or not isinstance(dims, Sequence):
            raise VaccelTypeError(ctx, "dims must be a sequence of ints")
        self._dims: List[int] = [check_int(d, "dim", ctx, 0) for d in dims]
        self._type = enum_arg(self.family.types, data_type,
                              f"{self.family.name} tensor type", ctx)
        self._dtype = self.family.dtypes.get(self._type, DType(0, "", ""))

    def _set_memory(self, data: Any, ctx: str) -> None:
        buf = _buffer.get(data, ctx)
        want = self.nr_elements * self._dtype.itemsize
        if self._dtype.itemsize and buf.size != want:
            raise VaccelValueError(
                ctx, f"{buf.size} bytes of data for dims {self._dims} of "
                f"{self._type.name} ({want} bytes)")
        self._keep = buf.keep
        self._ptr = buf.ptr
        self._size = buf.size
        self._source = data

    @classmethod
    def from_buffer(cls, dims: Sequence[int], data_type: Any,
                    data: Any) -> "TensorBase":
        """A tensor over the bytes of `data` (no copy when C-contiguous)."""
        self = cls.__new__(cls)
        ctx = f"{cls.family.name}.Tensor.from_buffer"
        self._set_meta(dims, data_type, ctx)
        self._set_memory(data, ctx)
        return self

    @classmethod
    def numpy_type(cls, dtype: Any) -> Any:
        """The TensorType of a numpy dtype; VaccelTypeError naming the
        accepted dtypes when the C API has no type for it."""
        np = require_numpy(f"{cls.family.name}.Tensor.from_numpy")
        dtype = np.dtype(dtype)
        by_name = {d.numpy: t for t, d in cls.family.dtypes.items()
                   if d.numpy}
        if dtype.name not in by_name or dtype.byteorder == ">":
            raise VaccelTypeError(
                f"{cls.family.name}.Tensor.from_numpy",
                f"numpy dtype {dtype.str if dtype.byteorder == '>' else dtype}"
                f" has no vAccel {cls.family.name} tensor type; accepted "
                f"(native byte order): {', '.join(sorted(by_name))}")
        return by_name[dtype.name]

    @classmethod
    def from_numpy(cls, data: Any) -> "TensorBase":
        """A tensor over a numpy array's memory (copied only when the
        array is not C-contiguous)."""
        ctx = f"{cls.family.name}.Tensor.from_numpy"
        np = require_numpy(ctx)
        if not isinstance(data, np.ndarray):
            raise VaccelTypeError(
                ctx, f"expected a numpy.ndarray, not {type(data).__name__}")
        data_type = cls.numpy_type(data.dtype)
        if not data.flags.c_contiguous:
            data = np.ascontiguousarray(data)
        return cls.from_buffer(list(data.shape), data_type, data)

    @classmethod
    def empty(cls) -> "TensorBase":
        """A tensor with no C side (upstream's placeholder for outputs);
        reading it raises NullPointerError."""
        self = cls.__new__(cls)
        self._dims, self._type, self._dtype = [], None, DType(0, "", "")
        self._keep = self._source = None
        self._ptr, self._size = None, 0
        return self

    @classmethod
    def from_c_obj(cls, c_obj: Any) -> "TensorBase":
        """Takes over a tensor allocated by libvaccel (a ctypes pointer to
        the family's struct, as an op's output): its memory moves to the
        new Tensor and the C struct is deleted."""
        fam = cls.family
        ctx = f"{fam.name}_model_run output"
        lib = _lib.load()
        try:
            t = c_obj.contents
            self = cls.__new__(cls)
            self._set_meta([int(t.dims[i]) for i in range(t.nr_dims)],
                           t.data_type, ctx)
            data, size = c_void_p(), c_size_t()
            check(getattr(lib, f"vaccel_{fam.name}_tensor_take_data")(
                c_obj, byref(data), byref(size)),
                f"vaccel_{fam.name}_tensor_take_data")
        finally:
            getattr(lib, f"vaccel_{fam.name}_tensor_delete")(c_obj)
        mem = (_owned_memory(data.value, size.value) if data.value
               else bytearray())
        self._set_memory(mem, ctx)
        return self

    # --- the C side --------------------------------------------------------

    def _alive(self, ctx: str) -> None:
        if self._type is None:
            raise NullPointerError(ctx)

    @property
    def value(self) -> Any:
        """The C struct of this tensor; it points into memory the Tensor
        keeps alive, so use it while the Tensor lives."""
        self._alive(f"{self.family.name}.Tensor.value")
        dims = (self.family.dim * max(len(self._dims), 1))(*self._dims)
        t = self.family.struct(self._ptr or None, self._size, False,
                               len(self._dims), dims, int(self._type))
        # The struct points into `dims`; keep both alive together.
        t._keep = dims  # type: ignore[attr-defined]
        return t

    # --- metadata ---------------------------------------------------------

    @property
    def dims(self) -> List[int]:
        """The dims, outermost first."""
        self._alive(f"{self.family.name}.Tensor.dims")
        return list(self._dims)

    @property
    def shape(self) -> List[int]:
        """Alias of dims."""
        return self.dims

    @property
    def data_type(self) -> Any:
        """The TensorType."""
        self._alive(f"{self.family.name}.Tensor.data_type")
        return self._type

    @property
    def nr_elements(self) -> int:
        """The number of elements the dims describe."""
        n = 1
        for d in self._dims:
            n *= d
        return n

    @property
    def itemsize(self) -> int:
        """Bytes per element (0 for variable-size types)."""
        return self._dtype.itemsize

    # --- views -----------------------------------------------------------

    def as_bytelike(self) -> memoryview:
        """The tensor's memory without a copy: the numpy array's own
        memoryview for Tensor.from_numpy, else a flat byte view."""
        self._alive(f"{self.family.name}.Tensor.as_bytelike")
        if is_ndarray(self._source):
            return memoryview(self._source)
        mv = memoryview(self._source)
        if not mv.c_contiguous:
            # from_buffer() copied it for C: view that copy.
            return memoryview(self.to_bytes())
        return mv if mv.format == "B" and mv.ndim == 1 else mv.cast("B")

    def as_memoryview(self) -> memoryview:
        """as_bytelike() as a memoryview."""
        return self.as_bytelike()

    def to_bytes(self) -> bytes:
        """A copy of the raw bytes."""
        self._alive(f"{self.family.name}.Tensor.to_bytes")
        return ctypes.string_at(self._ptr, self._size) if self._size else b""

    @property
    def data(self) -> List[Any]:
        """The elements as a flat list of Python numbers."""
        fmt = self._dtype.fmt
        if not fmt:
            raise VaccelValueError(
                f"{self.family.name}.Tensor.data",
                f"{self.data_type.name} elements have no Python number "
                "form; use as_numpy() or to_bytes()")
        n = self._size // self._dtype.itemsize
        return list(struct.unpack(f"{n}{fmt}", self.to_bytes()))

    def as_numpy(self) -> Any:
        """A numpy array over the tensor's memory (no copy); it keeps the
        memory alive."""
        ctx = f"{self.family.name}.Tensor.as_numpy"
        np = require_numpy(ctx)
        self._alive(ctx)
        src = self._source
        if is_ndarray(src) and list(src.shape) == self._dims:
            return src
        if not self._dtype.numpy:
            raise VaccelValueError(
                ctx, f"{self._type.name} has no numpy dtype")
        arr = np.frombuffer(self._source if self._size else b"",
                            dtype=self._dtype.numpy)
        return arr.reshape(self._dims)

    numpy = as_numpy

    def __repr__(self) -> str:
        if self._type is None:
            return f"{self.family.name}.Tensor(empty)"
        return (f"{self.family.name}.Tensor(dims={self._dims}, "
                f"data_type={self._type.name})")


def model_inputs(cls: Any, in_tensors: Any, ctx: str) -> List[TensorBase]:
    """The inputs of a model op as tensors of family `cls`: Tensors of it,
    or numpy arrays (wrapped without a copy)."""
    if isinstance(in_tensors, (str, bytes, TensorBase)) or \
            is_ndarray(in_tensors) or not isinstance(in_tensors, Sequence):
        raise VaccelTypeError(
            ctx, "in_tensors must be a list of Tensors or numpy arrays")
    tensors = []
    for i, value in enumerate(in_tensors):
        if is_ndarray(value):
            value = cls.from_numpy(value)
        elif not isinstance(value, cls):
            raise VaccelTypeError(
                ctx, f"input {i} must be a {cls.family.name} Tensor or a "
                f"numpy.ndarray, not {type(value).__name__}")
        tensors.append(value)
    return tensors


def check_nr_outputs(count: Any, ctx: str) -> int:
    """A number of output tensors (1..1024)."""
    check_int(count, "nr_out_tensors", ctx, 1)
    if count > 1024:
        raise VaccelValueError(ctx, f"nr_out_tensors {count} is too large")
    return count


def c_inputs(cls: Any, tensors: Sequence[TensorBase]) -> Any:
    """A C array of pointers to the tensors' structs; the structs live as
    long as the returned array."""
    structs = [t.value for t in tensors]
    arr = (ctypes.POINTER(cls.family.struct) * max(len(structs), 1))(
        *[ctypes.pointer(s) for s in structs])
    arr._keep = structs  # type: ignore[attr-defined]
    return arr


def c_outputs(cls: Any, count: int) -> Any:
    """A NULLed C array of `count` output tensor pointers."""
    return (ctypes.POINTER(cls.family.struct) * count)()


def take_outputs(cls: Any, out_ptrs: Any, count: int, ctx: str
                 ) -> List[TensorBase]:
    """The output tensors of a successful model op, taken over from the
    plugin. Every pointer is consumed, even after a failure, so nothing
    leaks; the first failure is raised at the end."""
    outs: List[TensorBase] = []
    error: Optional[Exception] = None
    for i in range(count):
        if not out_ptrs[i]:
            error = error or VaccelValueError(
                ctx, f"the plugin returned no output tensor {i}")
            continue
        try:
            outs.append(cls.from_c_obj(out_ptrs[i]))
        except Exception as e:  # noqa: BLE001 - re-raised below
            error = error or e
        out_ptrs[i] = None
    if error is not None:
        raise error
    return outs
