#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Fails when an environment variable that the tree reads is not named in
docs/configuration.md.

  env_documented.py SOURCE_ROOT

What counts as reading a variable:
  C, C++ and Python: a string literal that is the whole UPPER_CASE name,
    passed to a function whose name contains "env" (getenv, secure_getenv,
    tt_env, env_bool ...) or to os.environ.get/setdefault/pop, or used as
    os.environ["NAME"];
  shell (scripts with a sh/bash shebang, *.sh, tests/vm/init): ${NAME:-x},
    ${NAME-x}, ${NAME:+x}, ${NAME:=x}, ${NAME+x}, or $NAME where the file
    never assigns NAME itself (nor sources a file that a script of the tree
    writes NAME= into).
The shell's and the system's own variables (PATH, HOME, PWD ...) are not
the project's and are skipped. A name is documented when it appears as a
word in docs/configuration.md, or when a `PREFIX_*` entry there covers it.
"""
import os
import re
import subprocess
import sys

# Read by every shell or set by the system; not configuration of ours.
SYSTEM = {"PATH", "HOME", "PWD", "OLDPWD", "IFS", "UID", "EUID", "PPID",
          "RANDOM", "SECONDS", "LINENO", "BASH_SOURCE", "BASHPID",
          "PIPESTATUS", "HOSTNAME", "SHELL", "USER", "TERM", "LANG",
          "LD_LIBRARY_PATH", "LD_PRELOAD"}

C_LIKE = (".c", ".h", ".cpp", ".hpp", ".py")
LITERAL = re.compile(
    r"""(?:\b\w*env\w*|environ\.(?:get|setdefault|pop))\(\s*["']"""
    r"""([A-Z][A-Z0-9_]*)["']|environ\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\]""")
SH_DEFAULT = re.compile(r"\$\{([A-Z][A-Z0-9_]*)(?::?[-+=])")
SH_USE = re.compile(r"\$\{?([A-Z][A-Z0-9_]*)")
SH_ASSIGN = r"(?:^|[\s;(&|`]|export |local |readonly |declare [-a-z]* )%s(?:\[[^]]*\])?\+?="


def tracked(root):
    out = subprocess.run(["git", "-C", root, "ls-files"], check=True,
                         capture_output=True, text=True).stdout
    return [p for p in out.splitlines() if os.path.isfile(os.path.join(root, p))]


def is_shell(path, head):
    return path.endswith(".sh") or path == "tests/vm/init" or \
        re.match(r"#!.*\b(ba)?sh\b", head or "") is not None


def shell_texts(root, paths):
    """{path: text} of the shell scripts, single-quoted text blanked (it is
    never expanded: '${Status}' of dpkg, awk programs)."""
    out = {}
    for path in paths:
        try:
            with open(os.path.join(root, path), encoding="utf-8") as f:
                text = f.read()
        except (UnicodeDecodeError, OSError):
            continue
        if is_shell(path, text.split("\n", 1)[0]):
            out[path] = re.sub(r"'[^'\n]*'", "''", text)
    return out


def reads(root, paths):
    found = {}
    shells = shell_texts(root, paths)
    # A script that sources a file ('. "$dir/env"') gets the variables that
    # some script of the tree writes into such a file (NAME=... at the
    # start of a line, in a here-document or an echo).
    written = set()
    for text in shells.values():
        written.update(re.findall(r"^\s*(?:echo \W?)?([A-Z][A-Z0-9_]*)=", text,
                                  re.MULTILINE))
    for path in paths:
        full = os.path.join(root, path)
        try:
            with open(full, encoding="utf-8") as f:
                text = f.read()
        except (UnicodeDecodeError, OSError):
            continue
        head = text.split("\n", 1)[0]
        names = set()
        if path.endswith(C_LIKE) or (head.startswith("#!") and
                                     "python" in head):
            for m in LITERAL.finditer(text):
                names.add(m.group(1) or m.group(2))
        elif path in shells:
            text = shells[path]
            sources = re.search(r"^\s*(?:\.|source)\s+\S", text,
                                re.MULTILINE)
            names.update(SH_DEFAULT.findall(text))
            for name in set(SH_USE.findall(text)):
                if re.search(SH_ASSIGN % re.escape(name), text, re.MULTILINE):
                    continue
                if sources and name in written:
                    continue
                names.add(name)
        for n in names - SYSTEM:
            found.setdefault(n, set()).add(path)
    return found


def documented(root):
    with open(os.path.join(root, "docs", "configuration.md")) as f:
        doc = f.read()
    words = set(re.findall(r"\b[A-Z][A-Z0-9_]+\b", doc))
    prefixes = re.findall(r"`([A-Z][A-Z0-9_]*_)\*`", doc)
    return words, prefixes


def self_test():
    """The scanner finds a read of each kind, and no assignment, in a
    sample of each language; a checker that finds nothing proves nothing."""
    import tempfile
    samples = {
        "a.c": 'x = getenv("ST_C"); y = tt_env("ST_WRAP"); z = "ST_NOT";\n',
        "b.py": 'os.environ.get("ST_PY")\nos.environ["ST_PY2"]\n',
        "c.sh": '#!/bin/sh\nST_SET=1\necho "${ST_DEF:-x} $ST_USE $ST_SET'
                ' \'$ST_QUOTED\' $HOME"\n',
        "d.sh": '#!/bin/sh\ncat > env <<EOF\nST_FILE=1\nEOF\n',
        "e.sh": '#!/bin/sh\n. ./env\necho "$ST_FILE"\n',
    }
    with tempfile.TemporaryDirectory() as d:
        for name, text in samples.items():
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
        got = set(reads(d, list(samples)))
    want = {"ST_C", "ST_WRAP", "ST_PY", "ST_PY2", "ST_DEF", "ST_USE"}
    if got != want:
        print("self-test failed: found %s, expected %s" % (sorted(got),
                                                           sorted(want)))
        return False
    return True


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    if not self_test():
        return 1
    # This file's own samples and docstring are not reads.
    me = os.path.relpath(os.path.abspath(__file__), os.path.abspath(root))
    found = reads(root, [p for p in tracked(root) if p != me])
    words, prefixes = documented(root)
    missing = {n: p for n, p in found.items()
               if n not in words and not any(n.startswith(x) for x in prefixes)}
    for n in sorted(missing):
        print("undocumented: %s (read in %s)" % (n, ", ".join(sorted(missing[n]))))
    print("%d variables read, %d undocumented" % (len(found), len(missing)))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
