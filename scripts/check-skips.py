#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Fails when a test skipped that tests/skips-allowed.txt does not allow.

    scripts/check-skips.py [--allow FILE] TESTLOG.json...

Reads meson's JSON test logs (BUILD/meson-logs/<logbase>.json) and finds
every skip: a test that exited 77 (result SKIP) and every
"SKIP <subtest>: <reason>" line a test printed (tests/common/testing.h
prints one per skipped test function, and tests that passed may hold some).
Each skip must match an allow-list entry whose condition holds, decided
here with plain Python sockets and the build's own option values, never by
asking the code under test. Prints every skip with its verdict and, last,
"skips: N (A allowed, U unexpected)"; exits 1 when U > 0.
"""
import argparse
import ast
import configparser
import json
import os
import re
import socket
import sys

SKIP_LINE = re.compile(r"^SKIP (\S+): (.*)$", re.M)


def host_no_vsock_loopback(build):
    """True unless this host can listen on vsock and connect to CID 1."""
    try:
        with socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM) as l:
            l.bind((socket.VMADDR_CID_ANY, socket.VMADDR_PORT_ANY))
            l.listen(1)
            port = l.getsockname()[1]
            with socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM) as c:
                c.settimeout(5)
                c.connect((1, port))
        return False
    except (OSError, AttributeError):
        return True


def host_no_ipv6_loopback(build):
    """True unless this host can listen on and connect to [::1]."""
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as l:
            l.bind(("::1", 0))
            l.listen(1)
            with socket.create_connection(l.getsockname()[:2], timeout=5):
                pass
        return False
    except OSError:
        return True


def build_without_torch(build):
    """True when the build has no torch plugin: configured with
    -Dplugin-torch=disabled, or `auto` without libtorch (meson's list of
    the build's targets has no vaccel-torch)."""
    path = os.path.join(build, "meson-info", "intro-targets.json")
    try:
        with open(path) as f:
            targets = json.load(f)
    except OSError:
        return False
    return not any(t["name"] == "vaccel-torch" for t in targets)


def cross_files(build):
    """The cross files a build was configured with ([] for a native one)."""
    path = os.path.join(build, "meson-private", "cmd_line.txt")
    try:
        with open(path) as f:
            m = re.search(r"^cross_file = (\[.*\])$", f.read(), re.M)
    except OSError:
        return []
    return ast.literal_eval(m.group(1)) if m else []


def build_cross(build):
    """True for a cross build: its tests run under cross/emulate.sh,
    qemu-user in a user namespace that maps root only."""
    return bool(cross_files(build))


def build_32bit(build):
    """True when a cross file makes the host machine a 32-bit arm or x86."""
    for path in cross_files(build):
        ini = configparser.ConfigParser()
        ini.read(path)
        family = ini.get("host_machine", "cpu_family", fallback="").strip("'\"")
        if family in ("arm", "x86"):
            return True
    return False


CONDITIONS = {
    "host-no-vsock-loopback": host_no_vsock_loopback,
    "host-no-ipv6-loopback": host_no_ipv6_loopback,
    "build-without-torch": build_without_torch,
    "build-cross": build_cross,
    "build-32bit": build_32bit,
}


def read_allow(path):
    allow = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].split()
            if not line:
                continue
            if len(line) != 2 or line[1] not in CONDITIONS:
                sys.exit(f"{path}:{n}: want 'TEST[/SUBTEST] CONDITION' "
                         f"with one of {', '.join(CONDITIONS)}")
            allow.append((line[0], line[1]))
    return allow


def skips_in(log):
    """(test, subtest or None, reason) for every skip in one JSON log."""
    with open(log) as f:
        for line in f:
            t = json.loads(line)
            # "vaccel:integration / rpc_ops_test" -> "rpc_ops_test"
            name = t["name"].split(" / ")[-1]
            out = (t.get("stdout") or "") + (t.get("stderr") or "")
            if t["result"] == "SKIP":
                last = [l for l in out.splitlines() if "SKIP" in l]
                yield name, None, last[-1] if last else "exit status 77"
            for sub, reason in SKIP_LINE.findall(out):
                yield name, sub, reason


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--allow", default=os.path.join(
        here, "..", "tests", "skips-allowed.txt"))
    ap.add_argument("logs", nargs="+")
    args = ap.parse_args()
    allow = read_allow(args.allow)
    verdicts = {}
    total = allowed = 0
    for log in args.logs:
        if not os.path.exists(log):
            print(f"check-skips: {log}: no such log (did the step run?)")
            continue
        build = os.path.dirname(os.path.dirname(os.path.abspath(log)))
        for name, sub, reason in skips_in(log):
            key = name if sub is None else f"{name}/{sub}"
            ok = False
            for pattern, cond in allow:
                if pattern == key:
                    if (cond, build) not in verdicts:
                        verdicts[cond, build] = CONDITIONS[cond](build)
                    ok = ok or verdicts[cond, build]
            total += 1
            allowed += ok
            print(f"{'allowed   ' if ok else 'UNEXPECTED'} {key} "
                  f"({os.path.basename(build)}): {reason}")
    print(f"skips: {total} ({allowed} allowed, {total - allowed} unexpected)")
    return 0 if total == allowed else 1


if __name__ == "__main__":
    sys.exit(main())
