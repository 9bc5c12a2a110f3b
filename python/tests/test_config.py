# SPDX-License-Identifier: Apache-2.0
"""Config, bootstrap and cleanup. Tearing the runtime down happens in child
interpreters, so the shared runtime of the other tests stays intact."""

from __future__ import annotations

import os

import pytest

import vaccel
from vaccel import Config, LogLevel

from conftest import need, run_python


def test_config_object():
    c = Config(plugins=["a.so", "b.so"], log_level=LogLevel.DEBUG,
               log_file="/tmp/x.log", profiling_enabled=True)
    assert c.plugins == "a.so:b.so"
    assert c.log_level == LogLevel.DEBUG
    assert c == Config("a.so:b.so", 4, "/tmp/x.log", True)
    with pytest.raises(TypeError):
        Config(log_level=9)
    with pytest.raises(TypeError):
        Config(plugins=3)
    with pytest.raises(TypeError):
        vaccel.bootstrap("noop")


def test_running_config():
    assert vaccel.is_initialized()
    cfg = vaccel.current_config()
    assert cfg.profiling_enabled
    assert str(need("noop")) in cfg.plugins
    assert vaccel.plugin_count() >= 2
    assert os.path.isdir(vaccel.rundir())
    assert vaccel.library_path() == os.environ["VACCEL_LIBRARY"]


def test_bootstrap_cleanup_cycle():
    noop, exec_ = need("noop"), need("exec")
    code = f'''
import vaccel, os
from vaccel import *
s = Session()                      # auto-bootstrapped from VACCEL_PLUGINS
s.noop()
r = Resource(os.environ["VACCEL_TEST_IMAGE"], ResourceType.DATA)
r.register(s)
vaccel.cleanup()
assert not vaccel.is_initialized() and vaccel.rundir() is None
# Objects released by cleanup() raise instead of crashing.
assert s.id == 0 and r.id == 0
try:
    s.noop()
    raise SystemExit("noop after cleanup succeeded")
except VaccelError as e:
    print("after cleanup:", e.name)
try:
    r.register(Session())
except VaccelError as e:
    print("session after cleanup:", e.name)
vaccel.bootstrap(Config(plugins="{exec_}"))
assert vaccel.plugin_count() == 1
with Session() as s2:
    print("exec plugin serves", s2.id)
try:
    vaccel.bootstrap(Config(plugins="/nonexistent/libvaccel-x.so"))
except VaccelError as e:
    print("bad plugin:", e.name)
try:
    vaccel.bootstrap(Config(plugins=os.environ["VACCEL_TEST_IMAGE"]))
except VaccelError as e:
    print("not a plugin:", e.name)
vaccel.bootstrap(Config(plugins="{noop}"))
Session().noop()
s.release(); r.release(); del s2
print("done")
'''
    res = run_python(code)
    assert res.returncode == 0, res.stdout + res.stderr
    out = res.stdout
    assert "after cleanup: VACCEL_EINVAL" in out
    assert "session after cleanup: VACCEL_E" in out
    assert "exec plugin serves" in out
    assert "bad plugin: VACCEL_ENOENT" in out
    assert "not a plugin: VACCEL_ELIBBAD" in out
    assert out.rstrip().endswith("done")


def test_env_set_before_first_use():
    # libvaccel is loaded lazily: VACCEL_PLUGINS set from Python before the
    # first call is what the automatic bootstrap sees.
    code = f'''
import os, vaccel
os.environ["VACCEL_PLUGINS"] = "{need("exec")}"
assert vaccel.current_config().plugins == "{need("exec")}"
print("ok")
'''
    env = {"VACCEL_PLUGINS": str(need("noop"))}
    res = run_python(code, env=env)
    assert res.returncode == 0 and "ok" in res.stdout, res.stderr


def test_library_not_found():
    res = run_python(
        "import vaccel\n"
        "try:\n"
        "    vaccel.Session()\n"
        "except vaccel.LibraryNotFoundError as e:\n"
        "    print('not found:', e)\n",
        env={"VACCEL_LIBRARY": "/nonexistent/libvaccel.so"})
    assert res.returncode == 0, res.stderr
    assert "not found:" in res.stdout and "VACCEL_LIBRARY" in res.stdout


def test_log_file_and_level(tmp_path):
    log = tmp_path / "vaccel.log"
    res = run_python(f'''
import vaccel
vaccel.bootstrap(vaccel.Config(plugins="{need("noop")}",
                 log_level=vaccel.LogLevel.DEBUG, log_file="{log}"))
vaccel.Session().noop()
''')
    assert res.returncode == 0, res.stderr
    assert "VACCEL_OP_NOOP runs on plugin noop" in log.read_text()
