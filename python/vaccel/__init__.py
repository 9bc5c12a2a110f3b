# SPDX-License-Identifier: Apache-2.0
"""Python bindings for vAccel (libvaccel through ctypes).

    import vaccel
    vaccel.bootstrap(vaccel.Config(plugins="libvaccel-noop.so"))
    with vaccel.Session() as sess:
        sess.noop()

libvaccel is found through VACCEL_LIBRARY, next to this package, or the
system library path, and loaded on first use. numpy is optional: only the
numpy features (Resource.from_numpy, Tensor.from_numpy/as_numpy) need it.
See docs/python.md.
"""

from ._lib import LibraryNotFoundError, library_path
from .arg import Arg
from .config import (Config, bootstrap, cleanup, current_config,
                     is_initialized, plugin_count, rundir, set_log_level)
from .enums import ArgType, LogLevel, OpType, PluginType, ResourceType
from .error import (VaccelError, VaccelTypeError, VaccelValueError,
                    error_name, strerror)
from ._numpy import NumpyRequiredError
from .ops.torch import Buffer as TorchBuffer
from .ops.torch import Tensor as TorchTensor
from .ops.torch import TensorType as TorchTensorType
from .prof import ProfRegion, prof_enabled, timestamp_ns
from .resource import Resource
from .session import Session

__version__ = "0.8.0"

__all__ = [
    "Arg", "ArgType", "Config", "LibraryNotFoundError", "LogLevel",
    "NumpyRequiredError", "OpType", "PluginType", "ProfRegion", "Resource",
    "ResourceType", "Session", "TorchBuffer", "TorchTensor",
    "TorchTensorType", "VaccelError", "VaccelTypeError", "VaccelValueError",
    "bootstrap", "cleanup", "current_config", "error_name", "is_initialized",
    "library_path", "plugin_count", "prof_enabled", "rundir",
    "set_log_level", "strerror", "timestamp_ns",
]
