# SPDX-License-Identifier: Apache-2.0
"""Lazy, optional numpy: only the numpy features need it."""

from __future__ import annotations

from typing import Any, Optional

from .error import VACCEL_ENOTSUP, VaccelError, VaccelNotImplementedError

_np: Optional[Any] = None
_tried = False


def numpy() -> Optional[Any]:
    """The numpy module, or None when it is not installed."""
    global _np, _tried
    if not _tried:
        _tried = True
        try:
            import numpy as np
            _np = np
        except ImportError:
            _np = None
    return _np


class NumpyRequiredError(VaccelNotImplementedError, ImportError):
    """A numpy-only feature was used where numpy is not installed (a
    NotImplementedError, as upstream raises, and an ImportError)."""

    def __init__(self, context: str):
        VaccelError.__init__(self, VACCEL_ENOTSUP, context,
                             "this feature needs numpy, which is not "
                             "installed for this Python")


def require_numpy(context: str) -> Any:
    """The numpy module; raises NumpyRequiredError when it is missing."""
    np = numpy()
    if np is None:
        raise NumpyRequiredError(context)
    return np


def is_ndarray(obj: Any) -> bool:
    """True for numpy arrays, without importing numpy for other objects."""
    cls = type(obj)
    if cls.__module__ != "numpy" and not any(
            c.__module__ == "numpy" for c in cls.__mro__):
        return False
    np = numpy()
    return np is not None and isinstance(obj, np.ndarray)
