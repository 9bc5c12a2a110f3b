# SPDX-License-Identifier: Apache-2.0
"""Runtime configuration and the library lifecycle (bootstrap/cleanup).

libvaccel bootstraps itself from the environment (VACCEL_PLUGINS, ...) when
it is loaded, which these bindings do on first use. To choose plugins from
Python either set os.environ before the first vAccel call, or call
bootstrap(Config(plugins=...)) at any time: bootstrapping again tears the
runtime down first (releasing every live session and resource, after which
those objects raise VaccelError on use).
"""

from __future__ import annotations

import os
from ctypes import byref
from typing import Iterable, Optional, Union

from . import _lib
from .enums import LogLevel
from .error import VaccelTypeError, check


def _enc(value: Optional[str]) -> Optional[bytes]:
    return None if value is None else os.fsencode(value)


class Config:
    """The settings of a vAccel runtime (struct vaccel_config).

    Args:
        plugins: plugin paths or sonames, as one ':'-separated string or a
            list; None or "" loads no plugin.
        log_level: LogLevel (1=error .. 5=trace).
        log_file: log destination; None logs to stdout.
        profiling_enabled: enables profiling regions.
        version_ignore: loads plugins built for another core version.
    """

    def __init__(self,
                 plugins: Union[str, os.PathLike, Iterable, None] = None,
                 log_level: Union[LogLevel, int] = LogLevel.ERROR,
                 log_file: Optional[Union[str, os.PathLike]] = None,
                 profiling_enabled: bool = False,
                 version_ignore: bool = False):
        if plugins is None or isinstance(plugins, (str, os.PathLike)):
            self.plugins = os.fspath(plugins) if plugins is not None else None
        else:
            try:
                self.plugins = ":".join(os.fspath(p) for p in plugins)
            except TypeError:
                raise VaccelTypeError(
                    "Config", "plugins must be a string, a path or a list "
                    f"of them, not {type(plugins).__name__}") from None
        try:
            self.log_level = LogLevel(int(log_level))
        except (TypeError, ValueError):
            raise VaccelTypeError(
                "Config", f"log_level must be 1..5, not {log_level!r}"
            ) from None
        self.log_file = os.fspath(log_file) if log_file is not None else None
        self.profiling_enabled = bool(profiling_enabled)
        self.version_ignore = bool(version_ignore)

    @classmethod
    def from_env(cls) -> "Config":
        """The configuration the environment describes (see docs)."""
        def flag(name: str) -> bool:
            try:
                return int(os.environ.get(name, "0") or "0") != 0
            except ValueError:
                return False
        try:
            level = int(os.environ.get("VACCEL_LOG_LEVEL", "1") or "1")
        except ValueError:
            level = 1
        return cls(plugins=os.environ.get("VACCEL_PLUGINS"),
                   log_level=min(max(level, 1), 5),
                   log_file=os.environ.get("VACCEL_LOG_FILE"),
                   profiling_enabled=flag("VACCEL_PROFILING_ENABLED"),
                   version_ignore=flag("VACCEL_VERSION_IGNORE"))

    def _to_c(self) -> _lib.CConfig:
        # The bindings own this struct: its strings point into Python bytes
        # objects that live as long as the call (the core copies them).
        c = _lib.CConfig()
        c.plugins = _enc(self.plugins)
        c.log_level = int(self.log_level)
        c.log_file = _enc(self.log_file)
        c.profiling_enabled = self.profiling_enabled
        c.version_ignore = self.version_ignore
        return c

    def __repr__(self) -> str:
        return (f"Config(plugins={self.plugins!r}, "
                f"log_level={self.log_level!r}, log_file={self.log_file!r}, "
                f"profiling_enabled={self.profiling_enabled}, "
                f"version_ignore={self.version_ignore})")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Config):
            return NotImplemented
        return vars(self) == vars(other)


def bootstrap(config: Optional[Config] = None) -> None:
    """(Re)initializes the runtime from `config`, or from the environment.

    Raises VaccelError with the core's code, e.g. VACCEL_ENOENT for a
    plugin path that does not exist or VACCEL_ELIBBAD for a library that is
    not a vAccel plugin.
    """
    lib = _lib.load()
    if config is None:
        check(lib.vaccel_bootstrap(), "vaccel_bootstrap")
        return
    if not isinstance(config, Config):
        raise VaccelTypeError(
            "bootstrap", f"config must be a Config, not {type(config).__name__}")
    c = config._to_c()
    check(lib.vaccel_bootstrap_with_config(byref(c)),
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
    if not p:
        return None
    c = p.contents
    return Config(plugins=os.fsdecode(c.plugins) if c.plugins else None,
                  log_level=c.log_level,
                  log_file=os.fsdecode(c.log_file) if c.log_file else None,
                  profiling_enabled=c.profiling_enabled,
                  version_ignore=c.version_ignore)


def plugin_count() -> int:
    """Number of loaded plugins."""
    return int(_lib.load().vaccel_plugin_count())


def set_log_level(level: Union[LogLevel, int]) -> None:
    """Changes the log level at run time."""
    try:
        lvl = LogLevel(int(level))
    except (TypeError, ValueError):
        raise VaccelTypeError(
            "set_log_level", f"level must be 1..5, not {level!r}") from None
    _lib.load().vaccel_log_set_level(int(lvl))
