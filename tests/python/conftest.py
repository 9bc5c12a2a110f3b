# SPDX-License-Identifier: Apache-2.0
"""Shared fixtures: the build tree's plugins, one vAccel runtime for the
whole run, a real vaccel-agent on a temporary UNIX socket, and the skip
policy.

Paths come from the environment that tests/python/meson.build sets. The
runtime is bootstrapped once with every plugin (noop first, then exec,
torch when built, the computing reference plugin of tests/reference, rpc);
tests pick one through the session flags, and
Session() with no flags gets the noop plugin, as upstream's tests expect.
Tests that tear the runtime down (bootstrap/cleanup) run in a child
interpreter instead.

Skips: a test that needs something this build lacks skips with the reason
"needs <name>: ...". Such a skip is expected only when <name> is listed in
VACCEL_TEST_EXPECTED_SKIPS (meson sets it, e.g. to "torch" when libtorch
was not found); any other skip fails the run. When every test skipped,
pytest exits 77, which meson reports as SKIP. Every skip is listed at the
end of the output, so the meson log shows it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, Iterator, Optional

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "common"))
import child  # noqa: E402

ENV_PATHS = {
    "noop": "VACCEL_TEST_NOOP",
    "exec": "VACCEL_TEST_EXEC",
    "rpc": "VACCEL_TEST_RPC",
    "torch": "VACCEL_TEST_TORCH",
    "reference": "VACCEL_TEST_REFERENCE",
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

SKIP_PREFIX = "needs "


def path_of(name: str) -> Optional[Path]:
    """The build-tree path for `name`, or None when not configured."""
    value = os.environ.get(ENV_PATHS[name])
    return Path(value) if value else None


def need(name: str) -> Path:
    """The path for `name`; skips the test when it is not available."""
    p = path_of(name)
    if p is None or not p.exists():
        pytest.skip(f"{SKIP_PREFIX}{name}: {ENV_PATHS[name]} is not set or "
                    "missing")
    return p


@pytest.fixture(scope="session")
def paths() -> Dict[str, Optional[Path]]:
    return {k: path_of(k) for k in ENV_PATHS}


def _plugins() -> str:
    names = ["noop", "exec", "torch", "reference", "rpc"]
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
    """Starts vaccel-agent and waits for its READY line."""
    agent = need("agent")
    rfd, wfd = os.pipe()
    out = open(log, "wb")
    proc = child.popen(
        [str(agent), "-a", address, "-p", plugins, "--ready-fd", str(wfd),
         *extra],
        pass_fds=(wfd,), stdout=out, stderr=subprocess.STDOUT)
    os.close(wfd)
    out.close()
    ready = b""
    with os.fdopen(rfd, "rb") as r:
        # The agent closes the pipe when it is ready or exits: no timeout.
        while b"READY" not in ready:
            chunk = r.read1(256)
            if not chunk:
                break
            ready += chunk
    if b"READY" not in ready:
        proc.kill()
        proc.wait()
        pytest.fail(f"vaccel-agent did not start: {log.read_text()}")
    child.fail_fast("vaccel-agent")
    return proc


@pytest.fixture(scope="session")
def agent() -> Iterator[str]:
    """A vaccel-agent serving the session's RPC address with noop, exec,
    torch (when built) and the reference plugin; yields the address."""
    plugins = ":".join(str(p) for p in (path_of(n) for n in
                                        ("noop", "exec", "torch",
                                         "reference"))
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
    proc.wait()


def run_python(code: str, env: Optional[Dict[str, str]] = None,
               ) -> subprocess.CompletedProcess:
    """Runs `code` in a fresh interpreter (same Python, same env)."""
    full = dict(os.environ)
    full.update(env or {})
    return subprocess.run([sys.executable, "-c", code], env=full,
                          capture_output=True, text=True)


# --- the skip policy --------------------------------------------------------

def _expected_skips() -> set:
    raw = os.environ.get("VACCEL_TEST_EXPECTED_SKIPS", "")
    return {n.strip() for n in raw.split(",") if n.strip()}


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def _skip_name(reason: str) -> str:
    if reason.startswith(SKIP_PREFIX):
        return reason[len(SKIP_PREFIX):].split(":", 1)[0]
    return ""


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    stats = reporter.stats
    skipped = stats.get("skipped", [])
    ran = len(stats.get("passed", [])) + len(stats.get("failed", [])) + \
        len(stats.get("error", []))
    expected = _expected_skips()
    unexpected = [r for r in skipped
                  if _skip_name(_skip_reason(r)) not in expected]
    write = reporter.write_line
    allowed = ",".join(sorted(expected))
    write(f"vaccel skips: {len(skipped)} skipped, {len(unexpected)} not "
          f"expected (VACCEL_TEST_EXPECTED_SKIPS={allowed})")
    # One "SKIP <test>: <reason>" line per skip, the form the C tests print
    # (tests/common/testing.h), for the test command's skip check.
    for r in skipped:
        test = r.nodeid.rsplit("/", 1)[-1].replace(" ", "_")
        verdict = "" if r not in unexpected else " [not expected]"
        write(f"SKIP {test}: {_skip_reason(r)}{verdict}")
    if skipped and ran == 0:
        session.exitstatus = 77
    elif unexpected and session.exitstatus == 0:
        session.exitstatus = 1
