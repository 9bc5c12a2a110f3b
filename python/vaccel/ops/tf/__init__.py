# SPDX-License-Identifier: Apache-2.0
"""TensorFlow operations and objects: Buffer, Node, Status, Tensor,
TensorType, TFMixin (TensorFlow Lite: vaccel.ops.tf.lite)."""

from .buffer import Buffer
from .mixin import TFMixin
from .node import Node
from .status import Status
from .tensor import Tensor, TensorType

__all__ = ["Buffer", "Node", "Status", "TFMixin", "Tensor", "TensorType"]
