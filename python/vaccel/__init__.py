# SPDX-License-Identifier: Apache-2.0
"""Python bindings for vAccel (libvaccel through ctypes), a drop-in for
upstream vAccel's `vaccel` package.

    import vaccel
    vaccel.bootstrap(vaccel.Config(plugins="libvaccel-noop.so"))
    with vaccel.Session() as sess:
        sess.noop()

libvaccel is found through VACCEL_LIBRARY, next to this package, or the
system library path, and loaded on first use. numpy is optional: only the
numpy features need it. See docs/python.md.
"""

from ._lib import LibraryNotFoundError, library_path
from ._numpy import NumpyRequiredError
from ._version import __version__
from .arg import Arg, ArgType
from .config import Config, LogLevel
from .error import (FFIError, NullPointerError, VaccelError,
                    VaccelTypeError, VaccelValueError, error_name,
                    last_error_message, strerror)
from .op import OpType
from .plugin import PluginType
from .prof import ProfRegion, prof_enabled, timestamp_ns
from .resource import Resource, ResourceType
from .session import Session
from .vaccel import (bootstrap, cleanup, current_config, is_initialized,
                     plugin_count, rundir, set_log_level)

__all__ = [
    # upstream's names
    "Arg", "ArgType", "Config", "OpType", "PluginType", "Resource",
    "ResourceType", "Session", "__version__", "bootstrap", "cleanup",
    # this package's additions
    "FFIError", "LibraryNotFoundError", "LogLevel", "NullPointerError",
    "NumpyRequiredError", "ProfRegion", "VaccelError", "VaccelTypeError",
    "VaccelValueError", "current_config", "error_name", "is_initialized",
    "last_error_message", "library_path", "plugin_count", "prof_enabled",
    "rundir", "set_log_level", "strerror", "timestamp_ns",
]
