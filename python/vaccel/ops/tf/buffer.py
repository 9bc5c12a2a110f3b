# SPDX-License-Identifier: Apache-2.0
"""Run options of tf_model_run (struct vaccel_tf_buffer)."""

from __future__ import annotations

from .._options import OptionsBuffer


class Buffer(OptionsBuffer):
    """Buffer(data): bytes handed to the TensorFlow plugin with a run."""

    _name = "tf.Buffer"
