# SPDX-License-Identifier: Apache-2.0
"""vaccel.ops.tflite: the TensorFlow Lite names under the module path of
upstream's earlier releases; the same objects as vaccel.ops.tf.lite."""

from .tf.lite import Tensor, TensorType, TFLiteMixin

__all__ = ["TFLiteMixin", "Tensor", "TensorType"]
