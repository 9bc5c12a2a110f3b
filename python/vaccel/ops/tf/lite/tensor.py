# SPDX-License-Identifier: Apache-2.0
"""TensorFlow Lite tensors (struct vaccel_tflite_tensor) and their
TensorType."""

from __future__ import annotations

from ctypes import c_int32
from enum import IntEnum

from .... import _lib
from ..._tensor import DType, Family, TensorBase


class TensorType(IntEnum):
    """enum vaccel_tflite_data_type (TfLiteType)."""

    NOTYPE = 0
    FLOAT32 = 1
    INT32 = 2
    UINT8 = 3
    INT64 = 4
    STRING = 5
    BOOL = 6
    INT16 = 7
    COMPLEX64 = 8
    INT8 = 9
    FLOAT16 = 10
    FLOAT64 = 11
    COMPLEX128 = 12
    UINT64 = 13
    RESOURCE = 14
    VARIANT = 15
    UINT32 = 16
    UINT16 = 17
    INT4 = 18


class Tensor(TensorBase):
    """A TensorFlow Lite tensor: Tensor(dims, TensorType, list),
    Tensor.from_buffer(), Tensor.from_numpy()."""

    family = Family("tflite", _lib.CTfliteTensor, c_int32, TensorType, {
        TensorType.FLOAT32: DType(4, "f", "float32"),
        TensorType.INT32: DType(4, "i", "int32"),
        TensorType.UINT8: DType(1, "B", "uint8"),
        TensorType.INT64: DType(8, "q", "int64"),
        TensorType.BOOL: DType(1, "?", "bool"),
        TensorType.INT16: DType(2, "h", "int16"),
        TensorType.COMPLEX64: DType(8, "", "complex64"),
        TensorType.INT8: DType(1, "b", "int8"),
        TensorType.FLOAT16: DType(2, "e", "float16"),
        TensorType.FLOAT64: DType(8, "d", "float64"),
        TensorType.COMPLEX128: DType(16, "", "complex128"),
        TensorType.UINT64: DType(8, "Q", "uint64"),
        TensorType.UINT32: DType(4, "I", "uint32"),
        TensorType.UINT16: DType(2, "H", "uint16"),
    })
