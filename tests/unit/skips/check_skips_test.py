#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""scripts/check-skips.py against made-up meson logs: a skip on the
allow-list passes only while its condition holds, anything else fails.

    check_skips_test.py CHECK_SKIPS
"""
import json
import os
import subprocess
import sys
import tempfile

check = sys.argv[1]
failed = 0


def build(root, torch, host_family=None):
    """A fake build dir: with the torch plugin among its targets or not,
    and configured with a cross file for `host_family` if given."""
    os.makedirs(os.path.join(root, "meson-info"))
    os.makedirs(os.path.join(root, "meson-logs"))
    os.makedirs(os.path.join(root, "meson-private"))
    targets = [{"name": "vaccel"}] + ([{"name": "vaccel-torch"}] if torch else [])
    with open(os.path.join(root, "meson-info", "intro-targets.json"),
              "w") as f:
        json.dump(targets, f)
    with open(os.path.join(root, "meson-private", "cmd_line.txt"), "w") as f:
        f.write("[options]\nwerror = true\n")
        if host_family:
            ini = os.path.join(root, "cross.ini")
            with open(ini, "w") as c:
                c.write(f"[host_machine]\ncpu_family = '{host_family}'\n")
            f.write(f"\n[properties]\ncross_file = ['{ini}']\n")
    return os.path.join(root, "meson-logs", "testlog.json")


def log(path, *tests):
    with open(path, "w") as f:
        for name, result, out in tests:
            f.write(json.dumps({"name": "vaccel:x / " + name,
                                "result": result, "stdout": out}) + "\n")


def expect(what, want, *logs):
    global failed
    r = subprocess.run([sys.executable, check, *logs], capture_output=True,
                       text=True)
    ok = r.returncode == want
    failed += not ok
    print(f"{'ok  ' if ok else 'FAIL'} {what} (exit {r.returncode})")
    if not ok:
        print(r.stdout + r.stderr)


with tempfile.TemporaryDirectory() as d:
    off = build(os.path.join(d, "off"), False)
    on = build(os.path.join(d, "on"), True)
    arm64 = build(os.path.join(d, "arm64"), True, "aarch64")
    armhf = build(os.path.join(d, "armhf"), False, "arm")
    torch_skip = ("rpc_ops_test", "OK",
                  "ok   test_a\nSKIP test_torch: the torch plugin is not built\n")
    log(off, torch_skip)
    expect("an allowed skip whose condition holds passes", 0, off)
    log(on, torch_skip)
    expect("the same skip in a build with torch fails", 1, on)
    log(on, ("rpc_ops_test", "OK", "ok   test_a\n"))
    expect("no skip passes", 0, on)
    log(on, ("vm-smoke", "SKIP", "smoke: SKIP: QEMU is not installed\n"))
    expect("a whole test that exited 77 and is not allowed fails", 1, on)
    log(on, ("transport_test", "OK", "SKIP test_unix: no reason\n"))
    expect("a skipped subtest not on the list fails", 1, on)
    owner = ("tenants_test", "OK", "SKIP test_foreign_owner: namespace\n")
    log(arm64, owner)
    expect("a build-cross skip in a cross build passes", 0, arm64)
    log(on, owner)
    expect("the same skip in a native build fails", 1, on)
    big = ("vsock_device_vring", "OK", "SKIP test_longer_than_4gib: 32-bit\n")
    log(armhf, big)
    expect("a build-32bit skip in a 32-bit cross build passes", 0, armhf)
    log(arm64, big)
    expect("the same skip in a 64-bit cross build fails", 1, arm64)
    log(armhf, torch_skip)
    expect("a torch skip where torch was not found passes", 0, armhf)

print(f"{10 - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
