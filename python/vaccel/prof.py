# SPDX-License-Identifier: Apache-2.0
"""Profiling regions (vaccel_prof_region).

Regions only record samples when profiling is enabled
(VACCEL_PROFILING_ENABLED=1, or Config(profiling_enabled=True)); otherwise
start/stop are cheap no-ops, as in C.
"""

from __future__ import annotations

from ctypes import byref
from typing import Any, List, Tuple

from . import _lib
from .error import VaccelTypeError, VaccelValueError, check


def prof_enabled() -> bool:
    """True when profiling is enabled in the running configuration."""
    return bool(_lib.load().vaccel_prof_enabled())


def timestamp_ns() -> int:
    """CLOCK_MONOTONIC in nanoseconds, the clock regions use."""
    return int(_lib.load().vaccel_prof_get_tstamp())


class ProfRegion:
    """A named profiling region; each start()/stop() pair adds a sample.

    Usable as a context manager: `with region: ...` times the block.
    """

    def __init__(self, name: str):
        if not isinstance(name, str) or not name or "\0" in name:
            raise VaccelTypeError(
                "ProfRegion", f"name must be a non-empty string, not "
                f"{name!r}")
        self._c = _lib.CProfRegion()
        self._live = False
        check(_lib.load().vaccel_prof_region_init(byref(self._c),
                                                  name.encode()),
              f"vaccel_prof_region_init({name!r})")
        self._live = True
        self.name = name

    def _ref(self, ctx: str) -> Any:
        if not self._live:
            raise VaccelValueError(ctx, f"region {self.name!r} was released")
        return byref(self._c)

    def start(self) -> None:
        """Starts a sample."""
        check(_lib.load().vaccel_prof_region_start(
            self._ref("ProfRegion.start")),
            f"vaccel_prof_region_start({self.name!r})")

    def stop(self) -> None:
        """Ends the sample started last."""
        check(_lib.load().vaccel_prof_region_stop(
            self._ref("ProfRegion.stop")),
            f"vaccel_prof_region_stop({self.name!r})")

    def add_sample(self, start_ns: int, time_ns: int) -> None:
        """Adds a sample measured elsewhere (e.g. on the agent)."""
        for v in (start_ns, time_ns):
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise VaccelValueError(
                    "ProfRegion.add_sample", f"invalid time {v!r}")
        check(_lib.load().vaccel_prof_region_add_sample(
            self._ref("ProfRegion.add_sample"), start_ns, time_ns),
            f"vaccel_prof_region_add_sample({self.name!r})")

    def __enter__(self) -> "ProfRegion":
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def samples(self) -> List[Tuple[int, int]]:
        """(start ns, duration ns) of every sample."""
        self._ref("ProfRegion.samples")
        return [(int(self._c.samples[i].start), int(self._c.samples[i].time))
                for i in range(self._c.nr_entries)]

    @property
    def nr_entries(self) -> int:
        """The number of samples."""
        return int(self._c.nr_entries) if self._live else 0

    @property
    def total_time(self) -> int:
        """Sum of the sample durations in ns."""
        return sum(t for _, t in self.samples)

    def print(self) -> None:
        """Logs the region at info level ("[prof] name: total_time: ...")."""
        check(_lib.load().vaccel_prof_region_print(
            self._ref("ProfRegion.print")),
            f"vaccel_prof_region_print({self.name!r})")

    def release(self) -> None:
        """Frees the samples."""
        if self._live:
            self._live = False
            _lib.load().vaccel_prof_region_release(byref(self._c))

    def __del__(self) -> None:
        try:
            self.release()
        except Exception:
            pass

    def __repr__(self) -> str:
        return (f"ProfRegion({self.name!r}, nr_entries={self.nr_entries}, "
                f"total_time={self.total_time if self._live else 0})")
