# SPDX-License-Identifier: Apache-2.0
"""The status TensorFlow ops report (struct vaccel_tf_status)."""

from __future__ import annotations

import ctypes
from typing import Any

from ... import _lib


class Status:
    """Status(error_code=0, message=""): the code and message a TensorFlow
    op reports (tf_model_load/unload/run return one)."""

    def __init__(self, error_code: int = 0, message: str = ""):
        self._code = int(error_code)
        self._message = str(message)

    @classmethod
    def _from_c(cls, c: Any) -> "Status":
        """Copies a status filled by libvaccel and frees its message."""
        message = ctypes.string_at(c.message).decode(errors="replace") \
            if c.message else ""
        self = cls(c.code, message)
        _lib.load().vaccel_tf_status_release(ctypes.byref(c))
        return self

    @property
    def code(self) -> int:
        """The status code (0: OK)."""
        return self._code

    @property
    def message(self) -> str:
        """The status message."""
        return self._message

    @property
    def value(self) -> _lib.CTfStatus:
        """A struct vaccel_tf_status with this code (its message pointer
        is NULL: the C side owns the messages it writes)."""
        return _lib.CTfStatus(self._code, None)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Status):
            return NotImplemented
        return (self.code, self.message) == (other.code, other.message)

    def __repr__(self) -> str:
        return f"tf.Status(code={self.code}, message={self.message!r})"
