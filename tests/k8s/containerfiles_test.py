#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks the container recipes of deploy/containers without building them
(the build machines have no container engine):

  containerfiles_test.py BUILD_DIR SOURCE_ROOT

For each deploy/containers/*/Containerfile:
  - every file a COPY --from=build takes out of the build stage's
    `meson install --destdir /out` exists in the same installation of
    BUILD_DIR (staged here with `meson install --destdir`; the recipe's
    /usr/local, lib, bin and share are mapped to BUILD_DIR's prefix and
    directories), and a model it takes is one scripts/make-models.py writes;
  - every file a plain COPY takes from the source tree is tracked by git;
  - every -D option of its `meson setup` is an option of the project;
  - every package it installs exists in the apt lists;
  - every shared library that a copied program or library needs is copied
    too, or comes with a package of the final stage (or their dependencies,
    or the base image's apt);
  - its USER is the user the manifests run the agent and the example as.
"""
import glob
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

failures = []
passes = 0


def check(ok, what):
    global passes
    if ok:
        passes += 1
        print("ok: " + what)
    else:
        failures.append(what)
        print("FAIL: " + what)


def run(*cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def instructions(path):
    """(stage, keyword, argument text) of a Containerfile, continuations
    joined, comments dropped."""
    lines, cur = [], ""
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not cur and (not line.strip() or line.lstrip().startswith("#")):
                continue
            if line.endswith("\\"):
                cur += line[:-1] + " "
                continue
            lines.append(cur + line)
            cur = ""
    stage = None
    for line in lines:
        word, _, rest = line.strip().partition(" ")
        word = word.upper()
        if word == "FROM":
            m = re.search(r"\bAS\s+(\S+)", rest, re.IGNORECASE)
            stage = m.group(1) if m else "final"
        yield stage, word, rest.strip()


def apt_closure(pkgs):
    out = run("apt-cache", "depends", "--recurse", "--no-recommends",
              "--no-suggests", "--no-conflicts", "--no-breaks",
              "--no-replaces", "--no-enhances", *pkgs).stdout
    return {l.strip().split(":")[0] for l in out.splitlines()
            if l and not l.startswith(" ") and not l.startswith("<")}


LDCONFIG = None


def owner_package(soname):
    """The package that ships the x86-64 library soname on this host."""
    global LDCONFIG
    if LDCONFIG is None:
        LDCONFIG = run("ldconfig", "-p").stdout.splitlines()
    for line in LDCONFIG:
        m = re.match(r"\s*(\S+) \(([^)]*)\) => (\S+)", line)
        if not m or m.group(1) != soname or "x86-64" not in m.group(2):
            continue
        real = os.path.realpath(m.group(3))
        for cand in {m.group(3), real, real.replace("/usr/lib/", "/lib/", 1),
                     real.replace("/lib/", "/usr/lib/", 1)}:
            r = run("dpkg", "-S", cand)
            if r.returncode == 0:
                return r.stdout.split(":")[0].strip()
    return None


def needed(path):
    out = run("readelf", "-d", path).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def is_elf(path):
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def main():
    build, src = sys.argv[1], sys.argv[2]
    opts = {o["name"]: o["value"] for o in json.loads(
        run("meson", "introspect", "--buildoptions", build).stdout)}
    stage_dir = tempfile.mkdtemp(prefix="vaccel-containerfiles-")
    r = run("meson", "install", "-C", build, "--destdir", stage_dir,
            "--no-rebuild", "--quiet")
    check(r.returncode == 0, "meson install --destdir of " + build)
    prefix = stage_dir + opts["prefix"]
    dirs = {"bin": os.path.join(prefix, opts["bindir"]),
            "lib": os.path.join(prefix, opts["libdir"]),
            "share": os.path.join(prefix, opts["datadir"])}
    tracked = set(run("git", "-C", src, "ls-files").stdout.splitlines())
    with open(os.path.join(src, "scripts", "make-models.py")) as f:
        models = f.read()
    base = apt_closure(["apt"]) | {"libc6", "libgcc-s1"}
    manifests = ""
    for p in glob.glob(os.path.join(src, "deploy", "kubernetes", "**", "*.yaml"),
                       recursive=True):
        with open(p) as f:
            manifests += f.read()

    for recipe in sorted(glob.glob(os.path.join(src, "deploy", "containers",
                                                "*", "Containerfile"))):
        name = os.path.relpath(recipe, src)
        final_pkgs, copied, user = [], {}, None
        for stage, word, arg in instructions(recipe):
            if word == "RUN":
                for m in re.finditer(r"apt-get install ((?:[^&|;]|\\\n)*)", arg):
                    pkgs = [w for w in shlex.split(m.group(1)) if not w.startswith("-")]
                    for pkg in pkgs:
                        ok = run("apt-cache", "show", pkg).returncode == 0
                        check(ok, f"{name}: package {pkg} exists")
                    if stage == "final":
                        final_pkgs += pkgs
                for m in re.finditer(r"-D([a-z_-]+)=", arg):
                    check(m.group(1) in opts, f"{name}: meson option {m.group(1)}")
            elif word == "COPY":
                words = shlex.split(arg)
                from_build = words[0] == "--from=build"
                if from_build:
                    words = words[1:]
                dest = words[-1]
                for s in words[:-1]:
                    if not from_build:
                        inside = s.rstrip("/") + "/"
                        ok = s in tracked or s == "." or \
                            any(t.startswith(inside) for t in tracked)
                        check(ok, f"{name}: {s} is in the source tree")
                        continue
                    m = re.match(r"/out/usr/local/(bin|lib|share)/(.+)$", s)
                    if m:
                        local = os.path.join(dirs[m.group(1)], m.group(2))
                        found = os.path.exists(local)
                        check(found, f"{name}: {s} is installed by meson ({local})")
                        if found and os.path.isfile(local) and is_elf(local):
                            copied[os.path.basename(s)] = local
                        continue
                    m = re.match(r"/out/models/([a-z0-9]+)\.pt$", s)
                    check(bool(m) and f'"{m.group(1)}"' in models,
                          f"{name}: {s} is written by scripts/make-models.py")
            elif word == "USER":
                user = arg.split(":")[0]
        # The libraries the copied files need are in the image.
        provided = apt_closure(final_pkgs) | base if final_pkgs else base
        for fname, local in sorted(copied.items()):
            for so in needed(local):
                if so in copied:
                    continue
                pkg = owner_package(so)
                check(pkg in provided,
                      f"{name}: {fname} needs {so}, from {pkg}, which the image has")
        check(user is not None and f"runAsUser: {user}" in manifests,
              f"{name}: USER {user} is the user the manifests run it as")

    run("rm", "-rf", stage_dir)
    print(f"{passes} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
