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
    c = Config()
    assert (c.plugins, c.log_level, c.log_file, c.profiling_enabled,
            c.version_ignore) == ("libvaccel-noop.so", LogLevel.ERROR, None,
                                  False, False)
    c = Config(plugins=["a.so", "b.so"], log_level=LogLevel.DEBUG,
               log_file="/tmp/x.log", profiling_enabled=True)
    assert c.plugins == "a.so:b.so"
    assert c.log_level == LogLevel.DEBUG
    assert c == Config("a.so:b.so", 4, "/tmp/x.log", profiling_enabled=True)
    assert c.value.log_level == 4 and c.value.plugins == b"a.so:b.so"
    assert Config(None).plugins is None
    # The C library checks the values (one implementation).
    with pytest.raises(ValueError) as e:
        Config(log_level=9)
    assert e.value.code == vaccel.error.VACCEL_EINVAL
    assert "invalid log level 9" in str(e.value)
    with pytest.raises(TypeError):
        Config(log_level="debug")
    with pytest.raises(TypeError):
        Config(plugins=3)
    with pytest.raises(TypeError):
        vaccel.bootstrap("noop")


@pytest.mark.parametrize("env, field, value", [
    ({"VACCEL_PROFILING_ENABLED": "true"}, "profiling_enabled", True),
    ({"VACCEL_PROFILING_ENABLED": "FALSE"}, "profiling_enabled", False),
    ({"VACCEL_PROFILING_ENABLED": "2"}, "profiling_enabled", True),
    ({"VACCEL_VERSION_IGNORE": "1"}, "version_ignore", True),
    ({"VACCEL_IGNORE_VERSION": "1"}, "version_ignore", True),
    ({"VACCEL_LOG_LEVEL": "5"}, "log_level", LogLevel.TRACE),
    ({"VACCEL_DEBUG_LEVEL": "3"}, "log_level", LogLevel.INFO),
    ({"VACCEL_PLUGINS": "x.so:y.so"}, "plugins", "x.so:y.so"),
    ({"VACCEL_PLUGINS": None, "VACCEL_BACKENDS": "old.so"}, "plugins",
     "old.so"),
    ({"VACCEL_PLUGINS": "new.so", "VACCEL_BACKENDS": "old.so"}, "plugins",
     "new.so"),
    ({"VACCEL_LOG_FILE": "/tmp/v.log"}, "log_file", "/tmp/v.log"),
])
def test_from_env_as_the_c_library_reads_it(monkeypatch, env, field, value):
    for k in ("VACCEL_PROFILING_ENABLED", "VACCEL_VERSION_IGNORE",
              "VACCEL_IGNORE_VERSION", "VACCEL_LOG_LEVEL",
              "VACCEL_DEBUG_LEVEL", "VACCEL_BACKENDS", "VACCEL_LOG_FILE"):
        monkeypatch.delenv(k, raising=False)
    for k, v in env.items():
        if v is None:
            monkeypatch.delenv(k, raising=False)
        else:
            monkeypatch.setenv(k, v)
    assert getattr(Config.from_env(), field) == value


@pytest.mark.parametrize("name, value", [
    ("VACCEL_LOG_LEVEL", "9"), ("VACCEL_LOG_LEVEL", "0"),
    ("VACCEL_LOG_LEVEL", "debug"), ("VACCEL_PROFILING_ENABLED", "yes"),
    ("VACCEL_VERSION_IGNORE", "-1"),
])
def test_from_env_refuses_what_c_refuses(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError) as e:
        Config.from_env()
    assert e.value.code == vaccel.error.VACCEL_EINVAL
    assert name in str(e.value)


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
assert vaccel.current_config() is None
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
except FileNotFoundError as e:
    print("bad plugin:", e.name, type(e).__name__)
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
    assert "bad plugin: VACCEL_ENOENT VaccelFileNotFoundError" in out
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
