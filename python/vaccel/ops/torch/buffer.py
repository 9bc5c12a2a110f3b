# SPDX-License-Identifier: Apache-2.0
"""Run options of torch_model_run (struct vaccel_torch_buffer)."""

from __future__ import annotations

from .._options import OptionsBuffer


class Buffer(OptionsBuffer):
    """Buffer(data): bytes handed to the torch plugin with a model run."""

    _name = "torch.Buffer"
