#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# The README's program (its doc-test file=app.c block), built against this
# build tree and run under valgrind the ways a new user first runs it: with
# no VACCEL_PLUGINS, a missing plugin file and a library that is not a
# plugin (each must fail cleanly, say why and touch no garbage), and with
# the noop plugin (must succeed). Any memory error or leak fails the test.
#
#   readme_snippet.sh <build_root> <source_root>
set -u

build=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
passes=0

python3 "$src/tests/docs/doc_blocks.py" --extract "$src/README.md" app.c \
	>"$work/app.c" || exit 1
cc -o "$work/app" "$work/app.c" -I"$src/include" -I"$build/include" \
	-L"$build/src" -lvaccel -Wl,-rpath,"$build/src" || exit 1

vg=()
if command -v valgrind >/dev/null 2>&1 &&
   ! ldd "$build/src/libvaccel.so" 2>/dev/null | grep -q 'lib[at]san'; then
	vg=(valgrind -q --error-exitcode=99 --leak-check=full
	    --errors-for-leak-kinds=definite,indirect)
else
	echo "note: no valgrind (or a sanitizer build): memory is not checked"
fi

# check <name> <expected exit> <expected text> [VAR=value...]
check() {
	local name=$1 want=$2 text=$3
	shift 3
	env -u VACCEL_PLUGINS "$@" "${vg[@]}" "$work/app" >"$work/$name" 2>&1
	local rc=$?
	if [ "$rc" != "$want" ] || { [ -n "$text" ] && ! grep -qF -- "$text" "$work/$name"; }; then
		echo "FAIL $name: exit $rc (want $want), output lacks '$text':"
		cat "$work/$name"
		failures=$((failures + 1))
	else
		echo "ok   $name"
		passes=$((passes + 1))
	fi
}

check no_plugins 1 "no session: Cannot create session: no plugins are loaded"
check missing_plugin 1 "no session: vAccel bootstrap failed: Plugin /nonexistent/libvaccel-nope.so: No such file or directory" \
	VACCEL_PLUGINS=/nonexistent/libvaccel-nope.so
check not_a_plugin 1 "no session: vAccel bootstrap failed: Plugin libm.so.6 has no vaccel_plugin_descriptor symbol" \
	VACCEL_PLUGINS=libm.so.6
check noop_plugin 0 "" VACCEL_PLUGINS="$build/plugins/noop/libvaccel-noop.so"

echo "$passes passed, $failures failed"
[ "$failures" = 0 ]
