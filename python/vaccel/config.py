# SPDX-License-Identifier: Apache-2.0
"""Config: the settings of a vAccel runtime (struct vaccel_config).

A Config is a C object made and checked by libvaccel itself
(vaccel_config_new, vaccel_config_from_env), so Python and C agree on what
a setting means: an invalid log level or an unparsable variable is refused
by the C library, with its message.
"""

from __future__ import annotations

import os
from ctypes import POINTER, byref
from enum import IntEnum
from typing import Any, Iterable, Optional, Union

from . import _lib
from .error import VaccelTypeError, check

PluginList = Union[str, os.PathLike, Iterable[Union[str, os.PathLike]], None]


class LogLevel(IntEnum):
    """vaccel_log_level_t."""

    ERROR = 1
    WARN = 2
    INFO = 3
    DEBUG = 4
    TRACE = 5


def _plugins(plugins: PluginList) -> Optional[bytes]:
    if plugins is None:
        return None
    if isinstance(plugins, (str, bytes, os.PathLike)):
        return os.fsencode(plugins)
    try:
        return b":".join(os.fsencode(p) for p in plugins)
    except TypeError:
        raise VaccelTypeError(
            "Config", "plugins must be a string, a path or a list of them, "
            f"not {type(plugins).__name__}") from None


def _decode(value: Optional[bytes]) -> Optional[str]:
    return os.fsdecode(value) if value is not None else None


class Config:
    """A vAccel configuration, for bootstrap(config).

    Args:
        plugins: plugin paths or sonames, as one ':'-separated string or a
            list; None loads no plugin.
        log_level: a LogLevel (1=error .. 5=trace).
        log_file: log destination; None logs to stdout.
        profiling_enabled: enables profiling regions.
        version_ignore: loads plugins built for another core version.

    Raises VaccelValueError (from libvaccel) for an invalid log level and
    VaccelTypeError for arguments of the wrong type.
    """

    def __init__(self, plugins: PluginList = "libvaccel-noop.so",
                 log_level: Union[LogLevel, int] = LogLevel.ERROR,
                 log_file: Optional[Union[str, os.PathLike]] = None, *,
                 profiling_enabled: bool = False,
                 version_ignore: bool = False):
        self._c: Any = None
        if isinstance(log_level, bool) or not isinstance(log_level, int):
            raise VaccelTypeError(
                "Config", f"log_level must be an int (LogLevel), not "
                f"{type(log_level).__name__}")
        if log_file is not None and \
                not isinstance(log_file, (str, bytes, os.PathLike)):
            raise VaccelTypeError(
                "Config", f"log_file must be a path, not "
                f"{type(log_file).__name__}")
        ptr = POINTER(_lib.CConfig)()
        check(_lib.load().vaccel_config_new(
            byref(ptr), _plugins(plugins), int(log_level),
            os.fsencode(log_file) if log_file is not None else None,
            bool(profiling_enabled), bool(version_ignore)),
            "vaccel_config_new")
        self._c = ptr

    @classmethod
    def _adopt(cls, ptr: Any) -> "Config":
        self = cls.__new__(cls)
        self._c = ptr
        return self

    @classmethod
    def from_env(cls) -> "Config":
        """The configuration the environment describes, read by libvaccel's
        own parser (vaccel_config_from_env): VACCEL_PLUGINS, VACCEL_LOG_LEVEL,
        VACCEL_LOG_FILE, VACCEL_PROFILING_ENABLED, VACCEL_VERSION_IGNORE and
        their deprecated names. Raises VaccelValueError for a value the C
        library refuses."""
        ptr = POINTER(_lib.CConfig)()
        check(_lib.load().vaccel_config_from_env(byref(ptr)),
              "vaccel_config_from_env")
        return cls._adopt(ptr)

    @classmethod
    def _copy_of(cls, c: Any) -> "Config":
        """A Config holding a deep copy of the C config at pointer `c`."""
        ptr = POINTER(_lib.CConfig)()
        check(_lib.load().vaccel_config_from(byref(ptr), c),
              "vaccel_config_from")
        return cls._adopt(ptr)

    def __del__(self) -> None:
        ptr, self._c = getattr(self, "_c", None), None
        if ptr:
            try:
                _lib.load().vaccel_config_delete(ptr)
            except Exception:
                # Interpreter shutdown: nothing left to free into.
                pass

    @property
    def value(self) -> _lib.CConfig:
        """The underlying struct vaccel_config."""
        return self._c.contents

    @property
    def plugins(self) -> Optional[str]:
        """The ':'-separated plugin list (None when there is none)."""
        return _decode(self.value.plugins)

    @property
    def log_level(self) -> LogLevel:
        """The LogLevel."""
        return LogLevel(self.value.log_level)

    @property
    def log_file(self) -> Optional[str]:
        """The log destination, or None for stdout."""
        return _decode(self.value.log_file)

    @property
    def profiling_enabled(self) -> bool:
        """True when profiling regions record samples."""
        return bool(self.value.profiling_enabled)

    @property
    def version_ignore(self) -> bool:
        """True when plugin version mismatches are ignored."""
        return bool(self.value.version_ignore)

    def _fields(self) -> tuple:
        return (self.plugins, self.log_level, self.log_file,
                self.profiling_enabled, self.version_ignore)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Config):
            return NotImplemented
        return self._fields() == other._fields()

    def __repr__(self) -> str:
        return (f"Config(plugins={self.plugins!r}, "
                f"log_level={self.log_level!r}, log_file={self.log_file!r}, "
                f"profiling_enabled={self.profiling_enabled}, "
                f"version_ignore={self.version_ignore})")
