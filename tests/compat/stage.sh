#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Installs the build into <stage>/dest (meson install --destdir) and
# compiles the compat programs and libcompatlib.so against the *installed*
# headers and libraries with nothing but `pkg-config --cflags --libs
# vaccel`, as a user's build does. Run by every compat test; the first one
# does the work and the others reuse it (under a lock) until the build or
# the programs change. Writes <stage>/env, which run.sh sources.
#
#   stage.sh <build_root> <source_root> <stage_dir> <sanitize option>
set -eu
build=$1
src=$2
stage=$3
sanitize=$4

mkdir -p "$stage"
exec 9>"$stage/lock"
flock 9

# What the staged copy depends on: the built libraries, plugins and agent,
# the public headers and the compat sources.
key=$( { find "$build/src" "$build/plugins" "$build/agent" -maxdepth 2 \
	\( -name '*.so*' -o -name vaccel-agent \) \
	-printf '%p %T@ %s\n'
	find "$src/include" "$src/tests/compat" -type f -printf '%p %T@ %s\n'
	echo "$sanitize"; } | sort | sha256sum | cut -d' ' -f1)
if [ -f "$stage/env" ] && [ "$(cat "$stage/key" 2>/dev/null)" = "$key" ]; then
	exit 0
fi

rm -rf "$stage/dest" "$stage/bin" "$stage/env"
meson install -C "$build" --no-rebuild --destdir "$stage/dest" --quiet >/dev/null
option() {
	meson introspect "$build" --buildoptions |
		/usr/bin/python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"]==sys.argv[1]))' "$1"
}
prefix=$(option prefix)
libdir=$(option libdir)
bindir=$(option bindir)
root=$stage/dest$prefix
case $libdir in /*) lib=$stage/dest$libdir ;; *) lib=$root/$libdir ;; esac
case $bindir in /*) bin=$stage/dest$bindir ;; *) bin=$root/$bindir ;; esac

# The .pc file names the real prefix; point pkg-config at the staged copy.
export PKG_CONFIG_PATH=$lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$stage/dest
cflags=$(pkg-config --cflags vaccel)
libs=$(pkg-config --libs vaccel)
# A sanitized libvaccel needs sanitized programs to link and run.
san=()
if [ "$sanitize" != none ]; then
	san=(-fsanitize="$sanitize" -fno-omit-frame-pointer)
fi

mkdir -p "$stage/bin"
for p in "$src"/tests/compat/programs/*.c; do
	# shellcheck disable=SC2086
	cc -std=c11 -Wall -Wextra -Werror -g "${san[@]}" $cflags "$p" \
		-o "$stage/bin/$(basename "$p" .c)" $libs
done
# shellcheck disable=SC2086
cc -std=c11 -Wall -Wextra -Werror -g -shared -fPIC "${san[@]}" $cflags \
	"$src/tests/compat/lib/compatlib.c" -o "$stage/bin/libcompatlib.so" $libs

cat >"$stage/env" <<ENV
ROOT='$root'
LIB='$lib'
BIN='$stage/bin'
AGENT='$bin/vaccel-agent'
COMPATLIB='$stage/bin/libcompatlib.so'
INCLUDE='$root/include'
CFLAGS='$cflags'
ENV
echo "$key" >"$stage/key"
