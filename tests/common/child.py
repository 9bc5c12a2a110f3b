# SPDX-License-Identifier: Apache-2.0
"""Child processes of a Python test end with the test (the Python side of
tests/common/child.h).

popen() is subprocess.Popen for every process a test harness starts (an
agent, a client): the kernel sends the child SIGTERM when the test process
goes away on any path, an assertion or exception that skipped the stop
included, so no agent outlives its test.

fail_fast(what) is a planted failure: with VACCEL_TEST_FAIL_FAST set it
raises right after `what` started, so tests/common/no_orphans.py can show
that a failed run leaves no process behind.
"""
import ctypes
import os
import signal
import subprocess

_libc = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG = 1


def popen(argv, **kw):
    parent = os.getpid()

    def die_with_parent():
        # A parent that died before prctl took effect left the child to
        # init: it goes at once.
        if _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0 \
                or os.getppid() != parent:
            os._exit(127)

    return subprocess.Popen(argv, preexec_fn=die_with_parent, **kw)


def fail_fast(what):
    if os.environ.get("VACCEL_TEST_FAIL_FAST"):
        raise AssertionError("VACCEL_TEST_FAIL_FAST: failing on purpose "
                             "once %s started" % what)
