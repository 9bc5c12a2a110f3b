# SPDX-License-Identifier: Apache-2.0
"""TensorFlow Lite operations and objects: Tensor, TensorType,
TFLiteMixin (also importable as vaccel.ops.tflite)."""

from .mixin import TFLiteMixin
from .tensor import Tensor, TensorType

__all__ = ["TFLiteMixin", "Tensor", "TensorType"]
