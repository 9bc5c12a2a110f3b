# SPDX-License-Identifier: Apache-2.0
"""Runs a test with a planted failure (VACCEL_TEST_FAIL_FAST=1: the first
assertion after its agent started fails, and the test exits without any
of its stops) and checks that no process it started outlives it.

    no_orphans.py TEST [ARGS...]

This process becomes the child subreaper of everything the test starts, so
a process that the test left running (an agent, a client, an agent's
workers) is re-parented here instead of to init, where it is seen. Passes
when the test failed (the planted failure happened) and, once it exited,
every process it had started ends by itself (the SIGTERM the kernel sends
children of a dead parent, tests/common/child.h and child.py). The wait
for them is bounded only so that a leak fails instead of hanging; the
leftovers are listed and killed.
"""
import ctypes
import os
import signal
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36
GUARD_S = 120


def children():
    pids = []
    for task in os.listdir("/proc/self/task"):
        with open("/proc/self/task/%s/children" % task) as f:
            pids += [int(p) for p in f.read().split()]
    return pids


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "?"


def reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print("cannot become a child subreaper: errno %d" % ctypes.get_errno())
        return 1
    env = dict(os.environ, VACCEL_TEST_FAIL_FAST="1")
    rc = subprocess.run(sys.argv[1:], env=env).returncode
    print("%s exited with status %d under VACCEL_TEST_FAIL_FAST"
          % (os.path.basename(sys.argv[1]), rc))
    status = 0
    if rc == 0:
        print("FAIL: the planted failure did not make the test fail")
        status = 1
    end = time.monotonic() + GUARD_S
    left = children()
    while left and time.monotonic() < end:
        time.sleep(0.05)
        reap()
        left = children()
    if left:
        print("FAIL: %d process(es) outlived the failed test:" % len(left))
        for pid in left:
            print("  %d %s" % (pid, cmdline(pid)))
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        reap()
        status = 1
    else:
        print("ok   nothing the test started is left")
    return status


if __name__ == "__main__":
    sys.exit(main())
