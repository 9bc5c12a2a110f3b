# SPDX-License-Identifier: Apache-2.0
"""The exceptions raised by the bindings.

Every failure raises a VaccelError (or a subclass) carrying the vAccel error
code (the VACCEL_E* value, equal to the Linux errno of the same name), its
name and message, and what was being done. Arguments that the bindings
reject before calling libvaccel raise VaccelTypeError / VaccelValueError,
which are also TypeError / ValueError, with code VACCEL_EINVAL.
"""

from __future__ import annotations

import errno as _errno
from typing import Optional

from . import _lib

# The codes of error.h, for code that wants to compare without libvaccel.
VACCEL_OK = 0
VACCEL_EINVAL = _errno.EINVAL
VACCEL_ENOMEM = _errno.ENOMEM
VACCEL_ENOTSUP = _errno.ENOTSUP
VACCEL_EBUSY = _errno.EBUSY
VACCEL_EEXIST = _errno.EEXIST
VACCEL_ENOENT = _errno.ENOENT
VACCEL_ELIBBAD = _errno.ELIBBAD
VACCEL_ENODEV = _errno.ENODEV
VACCEL_EIO = _errno.EIO
VACCEL_ESESS = _errno.ECONNRESET
VACCEL_EBACKEND = _errno.EPROTO
VACCEL_ENOEXEC = _errno.ENOEXEC
VACCEL_EPERM = _errno.EPERM
VACCEL_ENOSYS = _errno.ENOSYS
VACCEL_EREMOTEIO = _errno.EREMOTEIO


def error_name(code: int) -> str:
    """The code's name ("VACCEL_EINVAL"), from libvaccel."""
    try:
        return _lib.load().vaccel_error_name(code).decode()
    except _lib.LibraryNotFoundError:
        return f"VACCEL_E{code}"


def strerror(code: int) -> str:
    """A human-readable description of the code, from libvaccel."""
    try:
        return _lib.load().vaccel_strerror(code).decode()
    except _lib.LibraryNotFoundError:
        return f"error {code}"


class VaccelError(Exception):
    """A vAccel call failed.

    Attributes:
        code: the VACCEL_E* code (a positive errno value).
        name: the code's name, e.g. "VACCEL_EINVAL".
        message: libvaccel's description of the code.
        context: what the bindings were doing, e.g. "vaccel_noop".
    """

    def __init__(self, code: int, context: str = "",
                 detail: Optional[str] = None):
        self.code = int(code)
        self.name = error_name(self.code)
        self.message = strerror(self.code)
        self.context = context
        self.detail = detail
        text = f"{context}: " if context else ""
        text += detail if detail else self.message
        text += f" ({self.name}, code {self.code})"
        super().__init__(text)


class VaccelTypeError(VaccelError, TypeError):
    """An argument has a type the call cannot take (code VACCEL_EINVAL)."""

    def __init__(self, context: str, detail: str):
        super().__init__(VACCEL_EINVAL, context, detail)


class VaccelValueError(VaccelError, ValueError):
    """An argument has a value the call cannot take (code VACCEL_EINVAL)."""

    def __init__(self, context: str, detail: str):
        super().__init__(VACCEL_EINVAL, context, detail)


def check(ret: int, context: str) -> None:
    """Raises VaccelError when a libvaccel call returned non-zero."""
    if ret != VACCEL_OK:
        # Some calls return negated codes; the error is the same.
        raise VaccelError(abs(ret), context)
