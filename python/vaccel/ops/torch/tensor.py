# SPDX-License-Identifier: Apache-2.0
"""Torch tensors (struct vaccel_torch_tensor) and their TensorType."""

from __future__ import annotations

from ctypes import c_int64
from enum import IntEnum
from typing import Any

from ... import _lib
from ...error import VaccelTypeError
from .._tensor import DType, Family, TensorBase


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


class Tensor(TensorBase):
    """A torch tensor: Tensor(dims, TensorType, list), Tensor.from_buffer(),
    Tensor.from_numpy(), Tensor.from_torch()."""

    family = Family("torch", _lib.CTorchTensor, c_int64, TensorType, {
        TensorType.BYTE: DType(1, "B", "uint8"),
        TensorType.CHAR: DType(1, "b", "int8"),
        TensorType.SHORT: DType(2, "h", "int16"),
        TensorType.INT: DType(4, "i", "int32"),
        TensorType.LONG: DType(8, "q", "int64"),
        TensorType.HALF: DType(2, "e", "float16"),
        TensorType.FLOAT: DType(4, "f", "float32"),
        TensorType.DOUBLE: DType(8, "d", "float64"),
        TensorType.BOOL: DType(1, "?", "bool"),
    })

    @classmethod
    def from_torch(cls, data: Any) -> "Tensor":
        """A tensor over a PyTorch tensor's memory (a contiguous CPU copy
        is made when the tensor is neither)."""
        import torch
        if not isinstance(data, torch.Tensor):
            raise VaccelTypeError(
                "torch.Tensor.from_torch",
                f"expected a torch.Tensor, not {type(data).__name__}")
        src = data.detach().contiguous().cpu()
        self = cls.from_numpy(src.numpy())
        self._torch = src
        return self

    def as_torch(self) -> Any:
        """The tensor as a PyTorch tensor sharing its memory."""
        import torch
        src = getattr(self, "_torch", None)
        if src is not None:
            return src
        return torch.from_numpy(self.as_numpy())
