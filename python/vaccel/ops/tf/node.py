# SPDX-License-Identifier: Apache-2.0
"""Graph nodes of tf_model_run (struct vaccel_tf_node)."""

from __future__ import annotations

from ... import _lib
from ...error import VaccelTypeError, VaccelValueError


class Node:
    """Node(name, id_): an input or output node of a TensorFlow graph."""

    def __init__(self, name: str, id_: int):
        if not isinstance(name, str) or "\0" in name:
            raise VaccelTypeError("tf.Node", f"name must be a string, not "
                                  f"{name!r}")
        if isinstance(id_, bool) or not isinstance(id_, int) or \
                not -2**31 <= id_ < 2**31:
            raise VaccelValueError("tf.Node", f"id must be a C int, not "
                                   f"{id_!r}")
        self._name = name.encode()
        self._id = id_

    @property
    def name(self) -> str:
        """The node name."""
        return self._name.decode()

    @property
    def id(self) -> int:
        """The node's output index."""
        return self._id

    @property
    def value(self) -> _lib.CTfNode:
        """The underlying struct vaccel_tf_node."""
        return _lib.CTfNode(self._name, self._id)

    def __repr__(self) -> str:
        return f"tf.Node({self.name!r}, {self.id})"
