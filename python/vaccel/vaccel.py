# SPDX-License-Identifier: Apache-2.0
"""The library lifecycle: bootstrap, cleanup and the running state.

libvaccel bootstraps itself from the environment (VACCEL_PLUGINS, ...) when
it is loaded, which these bindings do on first use. To choose plugins from
Python either set os.environ before the first vAccel call, or call
bootstrap(Config(plugins=...)) at any time: bootstrapping again tears the
runtime down first (releasing every live session and resource, after which
those objects raise NullPointerError on use).
"""

from __future__ import annotations

import os
from typing import Optional, Union

from . import _lib
from .config import Config, LogLevel
from .error import VaccelTypeError, VaccelValueError, check


def bootstrap(config: Optional[Config] = None) -> None:
    """(Re)initializes the runtime from `config`, or from the environment.

    Raises VaccelError with the core's code, e.g. VaccelFileNotFoundError
    for a plugin path that does not exist, or VACCEL_ELIBBAD for a library
    that is not a vAccel plugin.
    """
    lib = _lib.load()
    if config is None:
        check(lib.vaccel_bootstrap(), "vaccel_bootstrap")
        return
    if not isinstance(config, Config):
        raise VaccelTypeError(
            "bootstrap",
            f"config must be a Config, not {type(config).__name__}")
    check(lib.vaccel_bootstrap_with_config(config._c),
          f"vaccel_bootstrap_with_config(plugins={config.plugins!r})")


def cleanup() -> None:
    """Releases every session and resource and unloads the plugins."""
    check(_lib.load().vaccel_cleanup(), "vaccel_cleanup")


def is_initialized() -> bool:
    """True when the runtime is bootstrapped."""
    return bool(_lib.load().vaccel_is_initialized())


def rundir() -> Optional[str]:
    """This process's vAccel run directory, or None when not initialized."""
    p = _lib.load().vaccel_rundir()
    return os.fsdecode(p) if p else None


def current_config() -> Optional[Config]:
    """A copy of the active configuration, or None when not initialized."""
    p = _lib.load().vaccel_config()
    return Config._copy_of(p) if p else None


def plugin_count() -> int:
    """Number of loaded plugins."""
    return int(_lib.load().vaccel_plugin_count())


def set_log_level(level: Union[LogLevel, int]) -> None:
    """Changes the log level at run time."""
    # vaccel_log_set_level() returns nothing, so the range is checked here.
    if isinstance(level, bool) or not isinstance(level, int):
        raise VaccelTypeError(
            "set_log_level", f"level must be a LogLevel, not {level!r}")
    if level not in tuple(LogLevel):
        raise VaccelValueError(
            "set_log_level", f"level must be 1..5, not {level}")
    _lib.load().vaccel_log_set_level(int(level))
