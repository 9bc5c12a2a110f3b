# SPDX-License-Identifier: Apache-2.0
"""Run options of the model ops (struct vaccel_torch_buffer and struct
vaccel_tf_buffer share one layout)."""

from __future__ import annotations

import ctypes
from typing import Any, Union

from .. import _buffer, _lib
from ..error import VaccelTypeError


class OptionsBuffer:
    """Bytes handed to the plugin with a model run (Buffer(data))."""

    _name = "Buffer"

    def __init__(self, data: Union[bytes, bytearray, memoryview, str]):
        if isinstance(data, str):
            data = data.encode()
        if not _buffer.is_buffer(data):
            raise VaccelTypeError(
                self._name, f"data must be bytes, not {type(data).__name__}")
        self._buf = _buffer.get(data, self._name)

    @property
    def value(self) -> _lib.CBuffer:
        """The underlying C buffer struct (it points into this object)."""
        return _lib.CBuffer(self._buf.ptr or None, self._buf.size)

    @property
    def size(self) -> int:
        """The size in bytes."""
        return self._buf.size

    @property
    def data(self) -> bytes:
        """A copy of the bytes."""
        return ctypes.string_at(self._buf.ptr, self._buf.size) \
            if self._buf.size else b""

    def __repr__(self) -> str:
        return f"{self._name}(size={self.size})"


def c_options(options: Any, cls: type, ctx: str) -> Any:
    """A pointer-compatible C buffer for `options` (None when None)."""
    if options is None:
        return None
    if not isinstance(options, cls):
        raise VaccelTypeError(
            ctx, f"run_options must be a {cls.__module__}.{cls.__name__}, "
            f"not {type(options).__name__}")
    return options.value
