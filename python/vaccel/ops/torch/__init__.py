# SPDX-License-Identifier: Apache-2.0
"""Torch operations and objects: Tensor, TensorType, Buffer, TorchMixin."""

from .buffer import Buffer
from .mixin import TorchMixin
from .tensor import Tensor, TensorType

__all__ = ["Buffer", "Tensor", "TensorType", "TorchMixin"]
