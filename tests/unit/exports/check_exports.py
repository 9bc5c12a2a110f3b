# SPDX-License-Identifier: Apache-2.0
"""libvaccel.so exports exactly the committed list (libvaccel.exports, one
name a line), and every name on it but the hooks of src/libvaccel.map is a
function of the installed headers (include/vaccel.h, preprocessed: the
typed arg-array functions come from an X-macro).

    check_exports.py LIBVACCEL_SO EXPORTS_FILE [-IDIR...] -- CC...
"""
import re
import subprocess
import sys

# Exported for the public log macros and the benchmark worker; not part of
# the headers' function declarations.
HOOKS = {"vaccel__log", "vaccel__log_level", "vaccel__op_prof_region"}


def main():
    lib, listed = sys.argv[1:3]
    sep = sys.argv.index("--")
    flags, cc = sys.argv[3:sep], sys.argv[sep + 1:]
    nm = subprocess.run(["nm", "-D", "--defined-only", lib], check=True,
                        capture_output=True, text=True).stdout
    exported = {line.split()[-1] for line in nm.splitlines() if line.split()}
    with open(listed) as f:
        want = {line.strip() for line in f if line.strip()}
    pre = subprocess.run([*cc, *flags, "-E", "-x", "c", "-"],
                         input="#include <vaccel.h>\n", check=True,
                         capture_output=True, text=True).stdout
    declared = set(re.findall(r"\b(vaccel_\w+)\s*\(", pre))
    status = 0
    for name in sorted(exported - want):
        print("exported but not on the list: %s" % name)
        status = 1
    for name in sorted(want - exported):
        print("on the list but not exported: %s" % name)
        status = 1
    for name in sorted(want - declared - HOOKS):
        print("on the list but not declared by the installed headers: %s"
              % name)
        status = 1
    print("%d symbols exported, %d on the list, %d declared by the headers"
          % (len(exported), len(want), len(declared)))
    return status


if __name__ == "__main__":
    sys.exit(main())
