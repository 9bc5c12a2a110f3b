#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Runs the code blocks of the documentation that are marked runnable,
verbatim, the way a reader would type them (docs/doc-tests.md):

  doc_blocks.py --build BUILD --src SRC [--vm] DOC...   run the blocks
  doc_blocks.py --extract DOC NAME                        print a file block

A marker is an HTML comment on the line right before a fenced block:

  <!-- doc-test -->            a shell block, run on the host
  <!-- doc-test vm -->         a shell block that boots a QEMU guest; run
                               only with --vm (the VM suite)
  <!-- doc-test file=NAME -->  the block is written to the file NAME before
                               the blocks after it run

The blocks of one document run in order in one bash (set -e -o pipefail),
so they share variables and background jobs, which are killed at the end.
The shell starts in a fresh copy of the source tree (the tracked files) in
a temporary directory, where `build` is the meson build under test and
that build is installed (meson install --destdir) with PATH,
LD_LIBRARY_PATH and pkg-config pointing at the installation: as after
`meson install` on the reader's machine.
"""
import argparse
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile

MARKER = re.compile(r"^<!--\s*doc-test((?:\s+[\w=./-]+)*)\s*-->\s*$")
FENCE = re.compile(r"^(```+|~~~+)\s*([\w+-]*)")


def blocks(path):
    """[(line, attrs, info, text)] of the marked blocks of a markdown file."""
    with open(path) as f:
        lines = f.read().split("\n")
    out = []
    i = 0
    while i < len(lines):
        m = MARKER.match(lines[i])
        i += 1
        if not m:
            continue
        attrs = {}
        for word in m.group(1).split():
            key, _, value = word.partition("=")
            attrs[key] = value or True
        while i < len(lines) and not lines[i].strip():
            i += 1
        f = FENCE.match(lines[i]) if i < len(lines) else None
        if not f:
            sys.exit("%s:%d: doc-test marker without a code block after it"
                     % (path, i))
        start, fence = i + 1, f.group(1)
        i += 1
        while i < len(lines) and not lines[i].startswith(fence):
            i += 1
        if i >= len(lines):
            sys.exit("%s:%d: unterminated code block" % (path, start))
        out.append((start, attrs, f.group(2), "\n".join(lines[start:i])
                    + "\n"))
        i += 1
    return out


def install(build, root):
    """Installs the build under root (as DESTDIR); returns the environment
    that makes it look installed."""
    subprocess.run(["meson", "install", "-C", build, "--destdir", root,
                    "--no-rebuild", "--quiet"], check=True,
                   stdout=subprocess.DEVNULL)
    pc = libdir = bindir = share = None
    for d, _, files in os.walk(root):
        if "vaccel.pc" in files:
            pc = d
            libdir = os.path.dirname(d)
        if "vaccel-agent" in files:
            bindir = d
        if "imagenet.txt" in files:
            share = d
    if not (pc and bindir):
        sys.exit("doc_blocks: the installed build has no vaccel.pc or "
                 "vaccel-agent")
    env = dict(os.environ)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    env["LD_LIBRARY_PATH"] = libdir + (
        os.pathsep + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH")
        else "")
    env["PKG_CONFIG_PATH"] = pc
    env["PKG_CONFIG_SYSROOT_DIR"] = root
    # The torch plugin's default labels path is the real prefix's, which a
    # DESTDIR installation does not have.
    if share:
        env["VACCEL_TORCH_LABELS"] = os.path.join(share, "imagenet.txt")
    for var in ("VACCEL_PLUGINS", "VACCEL_RPC_ADDRESS", "VACCEL_LOG_LEVEL",
                "VACCEL_BOOTSTRAP_ENABLED", "VACCEL_LIBRARY", "PYTHONPATH"):
        env.pop(var, None)
    return env, libdir


def installed_plugins(libdir):
    """Names of the plugins the installation has (libvaccel-NAME.so)."""
    return {m.group(1) for m in (re.match(r"libvaccel-(\w+)\.so$", f)
                                 for f in os.listdir(libdir)) if m}


def copy_tree(src, build, dst):
    files = subprocess.run(["git", "-C", src, "ls-files", "-z"], check=True,
                           capture_output=True).stdout.split(b"\0")
    for rel in files:
        if not rel:
            continue
        rel = rel.decode()
        s = os.path.join(src, rel)
        d = os.path.join(dst, rel)
        if not os.path.lexists(s):
            continue
        os.makedirs(os.path.dirname(d), exist_ok=True)
        if os.path.islink(s):
            os.symlink(os.readlink(s), d)
        else:
            shutil.copy2(s, d)
    models = os.path.join(src, "data", "models")
    if os.path.isdir(models) and not os.path.lexists(
            os.path.join(dst, "data", "models")):
        os.symlink(os.path.realpath(models), os.path.join(dst, "data",
                                                          "models"))
    os.symlink(os.path.realpath(build), os.path.join(dst, "build"))


def script(doc, marked, vm, plugins):
    """The bash program that runs the doc's blocks. A block marked
    needs=PLUGIN is left out, with a SKIP line, when the build has no such
    plugin (scripts/check-skips.py: doc_blocks/DOC:PLUGIN)."""
    parts = ["set -e -o pipefail",
             "trap 'rc=$?; set +e; jobs -p | xargs -r kill 2>/dev/null; "
             "wait 2>/dev/null; exit $rc' EXIT"]
    ran = 0
    for line, attrs, info, text in marked:
        if "file" in attrs:
            name = attrs["file"]
            parts.append("mkdir -p \"$(dirname %s)\"; cat > %s <<'DOC_TEST_EOF'"
                         % (shlex.quote(name), shlex.quote(name)))
            parts.append(text + "DOC_TEST_EOF")
            continue
        if info not in ("sh", "bash", "shell", "console", ""):
            sys.exit("%s:%d: a doc-test block must be shell (```sh), not %s"
                     % (doc, line, info))
        if bool(attrs.get("vm")) != vm:
            continue
        need = attrs.get("needs")
        if need and need not in plugins:
            print("SKIP %s:%s: the %s plugin is not built (the block at "
                  "line %d)" % (doc, need, need, line), flush=True)
            continue
        parts.append("echo '--- doc-test %s:%d' >&2" % (doc, line))
        parts.append(text)
        ran += 1
    return "\n".join(parts) + "\n", ran


def run_blocks(text, work, env):
    """Runs a doc's program in a process group of its own, and ends
    whatever it left running there (an agent a block started in the
    background, from a subshell its EXIT trap does not see) on every path."""
    p = subprocess.Popen(["bash", "-c", text], cwd=work, env=env,
                         start_new_session=True)
    try:
        return p.wait()
    finally:
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        p.wait()


def run(args):
    if args.vm and not shutil.which("qemu-system-x86_64"):
        print("SKIP: qemu-system-x86_64 is not installed")
        return 77
    tmp = tempfile.mkdtemp(prefix="vaccel-doc-")
    failures = passes = 0
    try:
        env, libdir = install(args.build, os.path.join(tmp, "root"))
        plugins = installed_plugins(libdir)
        for doc in args.docs:
            marked = blocks(os.path.join(args.src, doc))
            text, ran = script(doc, marked, args.vm, plugins)
            if not ran:
                continue
            work = os.path.join(tmp, re.sub(r"\W", "_", doc))
            copy_tree(args.src, args.build, work)
            print("=== %s: %d block(s) in %s" % (doc, ran, work), flush=True)
            rc = run_blocks(text, work, env)
            if rc:
                print("FAIL %s: exit status %d" % (doc, rc))
                failures += 1
            else:
                print("ok   %s" % doc)
                passes += 1
    finally:
        if args.keep:
            print("kept %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passes, failures))
    if not passes and not failures:
        print("SKIP: no %sblock is marked runnable" % ("vm " if args.vm
                                                        else ""))
        return 77
    return 1 if failures else 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build")
    p.add_argument("--src", default=".")
    p.add_argument("--vm", action="store_true")
    p.add_argument("--keep", action="store_true",
                   help="keep the temporary directory")
    p.add_argument("--extract", nargs=2, metavar=("DOC", "NAME"))
    p.add_argument("docs", nargs="*")
    args = p.parse_args()
    if args.extract:
        doc, name = args.extract
        for _, attrs, _, text in blocks(doc):
            if attrs.get("file") == name:
                sys.stdout.write(text)
                return 0
        sys.exit("%s has no doc-test file=%s block" % (doc, name))
    if not args.build or not args.docs:
        p.error("--build and at least one DOC are needed")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
