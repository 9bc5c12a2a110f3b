# SPDX-License-Identifier: Apache-2.0
"""Profiling regions (the shared runtime has profiling enabled)."""

from __future__ import annotations

import time

import pytest

import vaccel
from vaccel import ProfRegion

from conftest import need, run_python


def test_region_samples():
    assert vaccel.prof_enabled()
    r = ProfRegion("py-region")
    for _ in range(3):
        with r:
            time.sleep(0.002)
    assert r.nr_entries == 3
    assert all(t >= 1_500_000 for _, t in r.samples)
    assert r.total_time == sum(t for _, t in r.samples)
    starts = [s for s, _ in r.samples]
    assert starts == sorted(starts)
    r.add_sample(vaccel.timestamp_ns(), 42)
    assert r.nr_entries == 4 and r.samples[-1][1] == 42
    r.print()
    r.release()
    r.release()
    with pytest.raises(vaccel.VaccelError):
        r.start()


def test_region_bad_name():
    with pytest.raises(TypeError):
        ProfRegion("")
    with pytest.raises(ValueError):
        ProfRegion("x").add_sample(-1, 0)


def test_profiling_disabled_records_nothing():
    res = run_python(f'''
import vaccel
vaccel.bootstrap(vaccel.Config(plugins="{need("noop")}"))
assert not vaccel.prof_enabled()
r = vaccel.ProfRegion("off")
with r:
    pass
print("entries", r.nr_entries)
''')
    assert res.returncode == 0, res.stderr
    assert "entries 0" in res.stdout
