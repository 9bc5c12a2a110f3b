# SPDX-License-Identifier: Apache-2.0
"""Shared fixtures: the build tree's plugins, one vAccel runtime for the
whole run, and a real vaccel-agent on a temporary UNIX socket.

Paths come from the environment that tests/python/meson.build sets. The
runtime is bootstrapped once with every plugin (noop, exec, torch when
built, rpc); tests pick one through the session flags. Tests that tear the
runtime down (bootstrap/cleanup) run in a child interpreter instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, Iterator, Optional

import pytest

ENV_PATHS = {
    "noop": "VACCEL_TEST_NOOP",
    "exec": "VACCEL_TEST_EXEC",
    "rpc": "VACCEL_TEST_RPC",
    "torch": "VACCEL_TEST_TORCH",
    "agent": "VACCEL_TEST_AGENT",
    "lib": "VACCEL_TEST_LIB",
    "image": "VACCEL_TEST_IMAGE",
    "torch_data": "VACCEL_TEST_TORCH_DATA",
    "torch_ref": "VACCEL_TEST_TORCH_REF",
    "python_src": "VACCEL_TEST_PYTHON_SRC",
}

_TMP = Path(tempfile.mkdtemp(prefix="vaccel-pytest-"))
AGENT_SOCKET = _TMP / "agent.sock"
AGENT_ADDRESS = f"unix://{AGENT_SOCKET}"


def path_of(name: str) -> Optional[Path]:
    """The build-tree path for `name`, or None when not configured."""
    value = os.environ.get(ENV_PATHS[name])
    return Path(value) if value else None


def need(name: str) -> Path:
    """The path for `name`; skips the test when it is not available."""
    p = path_of(name)
    if p is None or not p.exists():
        pytest.skip(f"{ENV_PATHS[name]} is not set or missing "
                    f"(build {name} to run this test)")
    return p


@pytest.fixture(scope="session")
def paths() -> Dict[str, Optional[Path]]:
    return {k: path_of(k) for k in ENV_PATHS}


def _plugins() -> str:
    names = ["noop", "exec", "torch", "rpc"]
    return ":".join(str(p) for p in (path_of(n) for n in names)
                    if p is not None and p.exists())


@pytest.fixture(scope="session", autouse=True)
def runtime() -> Iterator[None]:
    """Bootstraps vAccel once with every plugin, profiling enabled."""
    import vaccel
    # The rpc plugin reads the agent address at load time; the agent itself
    # starts only when an RPC test first needs it (connections are lazy).
    os.environ["VACCEL_RPC_ADDRESS"] = AGENT_ADDRESS
    vaccel.bootstrap(vaccel.Config(plugins=_plugins(),
                                   profiling_enabled=True))
    yield
    vaccel.cleanup()
    shutil.rmtree(_TMP, ignore_errors=True)


def start_agent(plugins: str, address: str, log: Path, extra=()
                ) -> subprocess.Popen:
    """Starts vaccel-agent and waits for its READY line (10 s)."""
    agent = need("agent")
    rfd, wfd = os.pipe()
    out = open(log, "wb")
    proc = subprocess.Popen(
        [str(agent), "-a", address, "-p", plugins, "--ready-fd", str(wfd),
         *extra],
        pass_fds=(wfd,), stdout=out, stderr=subprocess.STDOUT)
    os.close(wfd)
    out.close()
    ready = b""
    deadline = time.monotonic() + 10
    with os.fdopen(rfd, "rb") as r:
        while b"READY" not in ready and time.monotonic() < deadline:
            chunk = r.read1(256) if hasattr(r, "read1") else r.read(256)
            if not chunk:
                break
            ready += chunk
    if b"READY" not in ready:
        proc.kill()
        proc.wait()
        pytest.fail(f"vaccel-agent did not start: {log.read_text()}")
    return proc


@pytest.fixture(scope="session")
def agent() -> Iterator[str]:
    """A vaccel-agent serving the session's RPC address with noop, exec
    and (when built) torch; yields the address."""
    plugins = ":".join(str(p) for p in (path_of(n) for n in
                                        ("noop", "exec", "torch"))
                       if p is not None and p.exists())
    # The agent refuses exec unless told which libraries may run: allow the
    # test library, by path and uploaded as a resource.
    extra = []
    lib = path_of("lib")
    if lib is not None:
        extra = ["--exec-allow", str(lib), "--exec-allow-uploaded"]
    proc = start_agent(plugins, AGENT_ADDRESS, _TMP / "agent.log", extra)
    yield AGENT_ADDRESS
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def run_python(code: str, env: Optional[Dict[str, str]] = None,
               timeout: int = 120) -> subprocess.CompletedProcess:
    """Runs `code` in a fresh interpreter (same Python, same env)."""
    full = dict(os.environ)
    full.update(env or {})
    return subprocess.run([sys.executable, "-c", code], env=full,
                          capture_output=True, text=True, timeout=timeout)
