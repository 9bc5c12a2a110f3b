#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Installs the build into a temporary prefix, then compiles an
# upstream-style program against the installed headers with nothing but
# `pkg-config --cflags --libs vaccel` and runs it on the installed exec and
# noop plugins. Proves deliverable "a program written for upstream vAccel
# compiles unchanged and links with pkg-config".
#
#   compat.sh <build_root> <source_root> <model_file>
set -eu
build=$1
src=$2
model=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

meson install -C "$build" --destdir "$tmp/dest" --quiet >/dev/null
prefix=$(meson introspect "$build" --buildoptions |
	/usr/bin/python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"))')
libdir=$(meson introspect "$build" --buildoptions |
	/usr/bin/python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]=="libdir"))')
root=$tmp/dest$prefix
case $libdir in /*) lib=$tmp/dest$libdir ;; *) lib=$root/$libdir ;; esac

# Everything the issue names is installed where it says.
for f in "$root/include/vaccel.h" "$root/include/vaccel/session.h" \
	"$root/include/vaccel/ops/torch.h" "$root/include/vaccel/version.h" \
	"$lib/libvaccel.so" "$lib/libvaccel-noop.so" "$lib/libvaccel-exec.so" \
	"$lib/libvaccel-mbench.so" "$lib/pkgconfig/vaccel.pc" "$root/bin/noop"; do
	[ -e "$f" ] || { echo "FAIL: not installed: $f"; exit 1; }
done

# The .pc file names the real prefix; point pkg-config at the staged copy.
export PKG_CONFIG_PATH=$lib/pkgconfig
export PKG_CONFIG_SYSROOT_DIR=$tmp/dest
cflags=$(pkg-config --cflags vaccel)
libs=$(pkg-config --libs vaccel)
echo "pkg-config: $cflags $libs"
cc -std=c11 -Wall -Wextra -Werror $cflags "$src/tests/integration/compat/upstream_style.c" \
	-o "$tmp/upstream_style" $libs
cc -std=c11 -Wall -Wextra -Werror -shared -fPIC $cflags \
	"$src/examples/lib/mytestlib.c" -o "$tmp/libmytestlib.so"

LD_LIBRARY_PATH=$lib VACCEL_PLUGINS="$lib/libvaccel-exec.so:$lib/libvaccel-noop.so" \
	"$tmp/upstream_style" "$tmp/libmytestlib.so" "$model" | tee "$tmp/out"
grep -q "exec_with_resource: 21 -> 42" "$tmp/out"
grep -q "genop exec: 21 -> 42" "$tmp/out"
grep -q "VACCEL_OP_NOOP: OK" "$tmp/out"
echo "1 passed, 0 failed"
