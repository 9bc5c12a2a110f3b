# SPDX-License-Identifier: Apache-2.0
"""TensorFlow tensors (struct vaccel_tf_tensor) and their TensorType."""

from __future__ import annotations

from ctypes import c_int64
from enum import IntEnum

from ... import _lib
from .._tensor import DType, Family, TensorBase


class TensorType(IntEnum):
    """enum vaccel_tf_data_type (TF_DataType)."""

    FLOAT = 1
    DOUBLE = 2
    INT32 = 3
    UINT8 = 4
    INT16 = 5
    INT8 = 6
    STRING = 7
    COMPLEX64 = 8
    COMPLEX = 8
    INT64 = 9
    BOOL = 10
    QINT8 = 11
    QUINT8 = 12
    QINT32 = 13
    BFLOAT16 = 14
    QINT16 = 15
    QUINT16 = 16
    UINT16 = 17
    COMPLEX128 = 18
    HALF = 19
    RESOURCE = 20
    VARIANT = 21
    UINT32 = 22
    UINT64 = 23


class Tensor(TensorBase):
    """A TensorFlow tensor: Tensor(dims, TensorType, list),
    Tensor.from_buffer(), Tensor.from_numpy()."""

    family = Family("tf", _lib.CTfTensor, c_int64, TensorType, {
        TensorType.FLOAT: DType(4, "f", "float32"),
        TensorType.DOUBLE: DType(8, "d", "float64"),
        TensorType.INT32: DType(4, "i", "int32"),
        TensorType.UINT8: DType(1, "B", "uint8"),
        TensorType.INT16: DType(2, "h", "int16"),
        TensorType.INT8: DType(1, "b", "int8"),
        TensorType.COMPLEX64: DType(8, "", "complex64"),
        TensorType.INT64: DType(8, "q", "int64"),
        TensorType.BOOL: DType(1, "?", "bool"),
        TensorType.QINT8: DType(1, "b", ""),
        TensorType.QUINT8: DType(1, "B", ""),
        TensorType.QINT32: DType(4, "i", ""),
        TensorType.BFLOAT16: DType(2, "", ""),
        TensorType.QINT16: DType(2, "h", ""),
        TensorType.QUINT16: DType(2, "H", ""),
        TensorType.UINT16: DType(2, "H", "uint16"),
        TensorType.COMPLEX128: DType(16, "", "complex128"),
        TensorType.HALF: DType(2, "e", "float16"),
        TensorType.UINT32: DType(4, "I", "uint32"),
        TensorType.UINT64: DType(8, "Q", "uint64"),
    })
