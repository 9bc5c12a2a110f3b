# SPDX-License-Identifier: Apache-2.0
"""The exceptions raised by the bindings.

Every failure raises a VaccelError carrying the vAccel error code (the
VACCEL_E* value, equal to the Linux errno of the same name), its name, the
library's reason (its per-thread last error message, when the library
provides one) and what was being done. VaccelError is a RuntimeError;
codes with a matching builtin exception give a subclass of that builtin
too, so callers can catch what they already know:

    VACCEL_ENOENT            VaccelFileNotFoundError   FileNotFoundError
    VACCEL_EEXIST            VaccelFileExistsError     FileExistsError
    VACCEL_EPERM, EACCES     VaccelPermissionError     PermissionError
    VACCEL_ENOTDIR           VaccelNotADirectoryError  NotADirectoryError
    ETIMEDOUT                VaccelTimeoutError        TimeoutError
    VACCEL_ESESS             VaccelConnectionError     ConnectionResetError
    VACCEL_EIO, EREMOTEIO    VaccelOSError             OSError
    VACCEL_EINVAL            VaccelValueError          ValueError
    VACCEL_ENOTSUP, ENOSYS   VaccelNotImplementedError NotImplementedError
    VACCEL_ENOMEM            VaccelMemoryError         MemoryError

`VaccelError(code, ...)` itself returns the matching subclass. Arguments
the bindings refuse before calling libvaccel raise VaccelTypeError or
VaccelValueError (code VACCEL_EINVAL). FFIError is upstream's name for
VaccelError; NullPointerError is raised when an object whose C side was
released is used.
"""

from __future__ import annotations

import errno as _errno
from typing import Any, Optional

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
VACCEL_EACCES = _errno.EACCES
VACCEL_ENOTDIR = _errno.ENOTDIR
VACCEL_ENOSYS = _errno.ENOSYS
VACCEL_EREMOTEIO = _errno.EREMOTEIO
VACCEL_ETIMEDOUT = _errno.ETIMEDOUT


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


def last_error_message() -> str:
    """The message of the calling thread's most recent failed vAccel call
    (vaccel_last_error_message()); "" when there is none or when this
    libvaccel does not provide the function."""
    fn = _lib.optional.get("vaccel_last_error_message")
    if fn is None:
        return ""
    msg = fn()
    return msg.decode(errors="replace") if msg else ""


class VaccelError(RuntimeError):
    """A vAccel call failed.

    Args:
        code: the VACCEL_E* code (negated codes are accepted).
        context: what was being done, e.g. "vaccel_noop(session 1)".
        detail: the bindings' own explanation (for arguments they refuse).
        reason: the library's explanation (its last error message).

    Attributes:
        code: the VACCEL_E* code (a positive errno value).
        name: the code's name, e.g. "VACCEL_EINVAL".
        description: libvaccel's description of the code.
        context, detail, reason: as given ("" when not).
        message: the text of the exception without the code suffix.
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> "VaccelError":
        if cls is VaccelError and args:
            cls = _BY_CODE.get(abs(int(args[0])), VaccelError)
        # Exceptions that are also OSErrors have OSError's memory layout and
        # must be created by OSError.__new__.
        base = OSError if issubclass(cls, OSError) else RuntimeError
        return base.__new__(cls)

    def __init__(self, code: int, context: str = "",
                 detail: Optional[str] = None, reason: Optional[str] = None):
        self.code = abs(int(code))
        self.name = error_name(self.code)
        self.description = strerror(self.code)
        self.context = context
        self.detail = detail or ""
        self.reason = reason or ""
        if self.detail:
            what = self.detail
        elif self.reason:
            what = f"{self.description}: {self.reason}"
        else:
            what = self.description
        self.message = f"{context}: {what}" if context else what
        text = f"{self.message} ({self.name}, code {self.code})"
        RuntimeError.__init__(self, text)
        if isinstance(self, OSError):
            self.errno = self.code
            self.strerror = self.description

    def __str__(self) -> str:
        return str(self.args[0])

    def __reduce__(self) -> Any:
        return (_rebuild, (type(self), self.code, self.context, self.detail,
                           self.reason))


def _rebuild(cls: type, code: int, context: str, detail: str,
             reason: str) -> VaccelError:
    err = VaccelError.__new__(cls, code)
    VaccelError.__init__(err, code, context, detail, reason)
    return err


FFIError = VaccelError


class VaccelFileNotFoundError(VaccelError, FileNotFoundError):
    """VACCEL_ENOENT: a file, resource, plugin or symbol does not exist."""


class VaccelFileExistsError(VaccelError, FileExistsError):
    """VACCEL_EEXIST."""


class VaccelPermissionError(VaccelError, PermissionError):
    """VACCEL_EPERM / VACCEL_EACCES, e.g. a resource not registered with the
    session, or an exec the agent's policy refuses."""


class VaccelNotADirectoryError(VaccelError, NotADirectoryError):
    """VACCEL_ENOTDIR."""


class VaccelTimeoutError(VaccelError, TimeoutError):
    """ETIMEDOUT."""


class VaccelConnectionError(VaccelError, ConnectionResetError):
    """VACCEL_ESESS (ECONNRESET): the session's connection is gone."""


class VaccelOSError(VaccelError, OSError):
    """VACCEL_EIO / VACCEL_EREMOTEIO: an I/O or transport failure."""


class VaccelValueError(VaccelError, ValueError):
    """VACCEL_EINVAL: an argument has a value the call cannot take.

    Raised by libvaccel, or by the bindings before the call as
    VaccelValueError(context, detail)."""

    def __init__(self, *args: Any, **kwargs: Any):
        if args and isinstance(args[0], str):
            # The bindings' own form: (context, detail).
            VaccelError.__init__(self, VACCEL_EINVAL, *args, **kwargs)
        else:
            VaccelError.__init__(self, *args, **kwargs)


class VaccelTypeError(VaccelError, TypeError):
    """An argument has a type the call cannot take (code VACCEL_EINVAL);
    raised by the bindings before the call."""

    def __init__(self, context: str, detail: str):
        VaccelError.__init__(self, VACCEL_EINVAL, context, detail)


class VaccelNotImplementedError(VaccelError, NotImplementedError):
    """VACCEL_ENOTSUP / VACCEL_ENOSYS: no loaded plugin implements the op,
    or a function is missing."""


class VaccelMemoryError(VaccelError, MemoryError):
    """VACCEL_ENOMEM."""


class NullPointerError(VaccelValueError):
    """An object was used after its C side was released (release(),
    cleanup() or a failed construction)."""

    def __init__(self, context: str):
        VaccelValueError.__init__(self, context,
                                  "the object was released")


_BY_CODE = {
    _errno.ENOENT: VaccelFileNotFoundError,
    _errno.EEXIST: VaccelFileExistsError,
    _errno.EPERM: VaccelPermissionError,
    _errno.EACCES: VaccelPermissionError,
    _errno.ENOTDIR: VaccelNotADirectoryError,
    _errno.ETIMEDOUT: VaccelTimeoutError,
    _errno.ECONNRESET: VaccelConnectionError,
    _errno.EIO: VaccelOSError,
    _errno.EREMOTEIO: VaccelOSError,
    _errno.EINVAL: VaccelValueError,
    _errno.ENOTSUP: VaccelNotImplementedError,
    _errno.ENOSYS: VaccelNotImplementedError,
    _errno.ENOMEM: VaccelMemoryError,
}


def check(ret: int, context: str) -> None:
    """Raises the VaccelError for `ret` when a libvaccel call returned
    non-zero, with the library's reason. Call it right after the C call,
    on the same thread, before any other vAccel call."""
    if ret != VACCEL_OK:
        reason = last_error_message()
        # Some calls return negated codes; the error is the same.
        raise VaccelError(abs(ret), context, reason=reason)
