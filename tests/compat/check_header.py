#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Reads the installed vaccel.h the way CFFI binding generators do.

    check_header.py <include_dir> <upstream-public-functions.txt> [cflags...]

Generators (upstream's Python bindings among them) run `cc -E` on the
header, keep the declarations of the package's own files, drop upstream's
`deprecated` attributes, parse the rest with pycparser and hand the
declarations to `cffi.FFI().cdef()`. This does the same and fails on any
parse error, on an attribute other than `deprecated`, on a `va_list` in a
declaration, and on an upstream public function the header does not
declare (or, for those upstream defines static inline, define inline).
"""
import os
import re
import subprocess
import sys

import cffi
import pycparser
from pycparser import c_ast, c_generator

# Types the package's declarations take from system headers, which the
# generator does not parse: the standard ones pycparser must be told about
# (cffi knows them itself) and the opaque ones replaced by "...;".
STD_TYPES = {
    "size_t": "unsigned long", "ssize_t": "long",
    "int8_t": "signed char", "int16_t": "short", "int32_t": "int",
    "int64_t": "long", "uint8_t": "unsigned char",
    "uint16_t": "unsigned short", "uint32_t": "unsigned int",
    "uint64_t": "unsigned long", "uintptr_t": "unsigned long",
}
OPAQUE_TYPES = {"pthread_mutex_t", "atomic_uint", "atomic_int",
                "atomic_bool", "atomic_size_t"}


def preprocess(include_dir, cflags):
    cc = os.environ.get("CC", "cc")
    out = subprocess.run([cc, *cflags, "-E", "-x", "c", "-"],
                         input="#include <vaccel.h>\n", capture_output=True,
                         text=True, check=True).stdout
    # Keep the lines that come from the package's own headers.
    keep, lines = False, []
    inc = os.path.realpath(include_dir)
    for line in out.splitlines():
        m = re.match(r'# \d+ "(.*?)"', line)
        if m:
            keep = os.path.realpath(m.group(1)).startswith(inc + os.sep)
            continue
        if keep and not line.startswith("#"):
            lines.append(line)
    return "\n".join(lines)


def strip_deprecated(text):
    """Removes __attribute__((deprecated(...))) and reports any other."""
    out, i, others = [], 0, []
    for m in re.finditer(r"__attribute__\s*\(\(", text):
        if m.start() < i:
            continue
        depth, j = 2, m.end()
        while j < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[j], 0)
            j += 1
        attr = text[m.start():j]
        out.append(text[i:m.start()])
        if "deprecated" not in attr:
            others.append(attr)
            out.append(attr)
        i = j
    out.append(text[i:])
    return "".join(out), others


def main():
    include_dir, names_file, *cflags = sys.argv[1:]
    text, others = strip_deprecated(preprocess(include_dir, cflags))
    errors = [f"attribute other than deprecated: {a}" for a in others]
    if re.search(r"\bva_list\b|__builtin_va_list", text):
        errors.append("a declaration takes a va_list")

    prelude = "".join(f"typedef {c} {t};\n" for t, c in STD_TYPES.items())
    prelude += "".join(f"typedef struct __opaque_{t} {t};\n"
                       for t in OPAQUE_TYPES)
    try:
        ast = pycparser.CParser().parse(prelude + text, "vaccel.h")
    except pycparser.plyparser.ParseError as e:
        print(f"check_header: pycparser cannot parse vaccel.h: {e}")
        return 1

    # The declarations a generator hands to cdef: no function bodies (the
    # static inline helpers are not library symbols), no extern variables,
    # opaque members as "...;".
    gen = c_generator.CGenerator()
    decls, functions, inline = [], set(), set()
    for node in ast.ext[len(STD_TYPES) + len(OPAQUE_TYPES):]:
        if isinstance(node, c_ast.FuncDef):
            inline.add(node.decl.name)
            continue
        if isinstance(node, c_ast.Decl) and isinstance(node.type,
                                                       c_ast.FuncDecl):
            functions.add(node.name)
        if isinstance(node, c_ast.Decl) and "extern" in node.storage:
            continue
        decls.append(gen.visit(node) + ";")
    cdef = "\n".join(decls)
    cdef = re.sub(r"^(\s*)(?:%s)\s+\w+;$" % "|".join(OPAQUE_TYPES),
                  r"\1...;", cdef, flags=re.M)
    try:
        cffi.FFI().cdef(cdef)
    except cffi.CDefError as e:
        print(f"check_header: cffi cdef refuses the declarations: {e}")
        errors.append("cdef failed")

    upstream = [line.split() for line in open(names_file)
                if line.strip() and not line.startswith("#")]
    for name, *kind in upstream:
        if kind == ["inline"] and name not in inline:
            errors.append(f"{name} is not defined static inline")
        elif not kind and name not in functions:
            errors.append(f"{name} is not declared")

    for e in errors:
        print("check_header:", e)
    print(f"check_header: {len(functions)} functions, {len(inline)} inline "
          f"helpers, {len(decls)} declarations through cffi.cdef; "
          f"{len(upstream)} upstream names checked, {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
