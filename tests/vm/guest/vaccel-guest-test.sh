#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Guest-side test driver: runs the vAccel example programs and the
# reference check (vaccel-ref-check) and prints what each one printed, so
# that the host can compare it with its own run of the same programs.
#
#   vaccel-guest-test local    examples use the noop plugin inside the guest
#   vaccel-guest-test rpc      examples use the rpc plugin; VACCEL_RPC_ADDRESS
#                              must name the host agent (virtio-serial port or
#                              vsock address, see docs/vm.md)
#   vaccel-guest-test plugins  every program on VACCEL_PLUGINS as set: the
#                              host-local reference of an rpc run, with the
#                              agent's plugin list
#
# In local mode the exec examples use the exec plugin, mbench the mbench
# plugin and vaccel-ref-check the reference plugin, so that they do real
# work; everything else uses noop. In rpc mode every program goes to the
# agent, whose plugins must include the reference plugin for
# vaccel-ref-check. torch_inference runs only when VACCEL_GUEST_MODEL names
# a TorchScript file (pass it with run-guest.sh --file; it is too big for
# the image); classify and classify_generic get VACCEL_GUEST_CLASSIFY_MODEL
# as their model when it is set.
#
# The same script runs on the host: VACCEL_GUEST_PREFIX (default
# /opt/vaccel) is where bin/, lib/ and share/data/ are (tests/vm/host-tree.sh
# makes such a tree from a build dir).
#
# VACCEL_GUEST_TESTS="noop sgemm" limits the run to those programs and
# VACCEL_GUEST_SKIP="mbench" leaves those out (both space-separated). A
# program that should run but is missing fails. For each program it prints
# "ok NAME" or "FAIL NAME", its output as "OUT NAME: LINE" (without the lines
# that carry session ids or timings, with the prefix written as @PREFIX@)
# and "RC NAME STATUS"; then "N passed, N failed"; exits 1 when any failed.

mode=${1:-local}
prefix=${VACCEL_GUEST_PREFIX:-/opt/vaccel}
bin=$prefix/bin
lib=$prefix/lib
data=$prefix/share/data
image=$data/example.jpg
# exec, exec_generic and mbench pass a library path that the plugin opens:
# in rpc mode that happens where the agent runs, so the caller may name a
# host path. exec_with_resource reads the library in the guest and uploads it.
testlib=$lib/libmytestlib.so
execlib=${VACCEL_GUEST_EXEC_LIB:-$testlib}
out=${TMPDIR:-/tmp}/vaccel-guest-test.$$
export LD_LIBRARY_PATH=$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

case "$mode" in
local)
	export VACCEL_PLUGINS=${VACCEL_PLUGINS:-$lib/libvaccel-noop.so}
	;;
rpc)
	export VACCEL_PLUGINS=${VACCEL_PLUGINS:-$lib/libvaccel-rpc.so}
	if [ -z "$VACCEL_RPC_ADDRESS" ]; then
		echo "vaccel-guest-test: rpc mode needs VACCEL_RPC_ADDRESS" >&2
		exit 2
	fi
	;;
plugins)
	if [ -z "$VACCEL_PLUGINS" ]; then
		echo "vaccel-guest-test: plugins mode needs VACCEL_PLUGINS" >&2
		exit 2
	fi
	;;
*)
	echo "usage: vaccel-guest-test [local|rpc|plugins]" >&2
	exit 2
	;;
esac

passed=0
failed=0

# run NAME ARGS...: runs $bin/NAME on VACCEL_PLUGINS.
run() {
	run_with "$VACCEL_PLUGINS" "$@"
}

# run_local PLUGIN NAME ARGS...: like run, but in local mode with PLUGIN.
run_local() {
	plugin=$lib/$1
	shift
	[ "$mode" = local ] || plugin=$VACCEL_PLUGINS
	run_with "$plugin" "$@"
}

run_with() {
	plugins=$1
	name=$2
	shift 2
	if [ -n "$VACCEL_GUEST_TESTS" ]; then
		case " $VACCEL_GUEST_TESTS " in
		*" $name "*) ;;
		*) return 0 ;;
		esac
	fi
	case " $VACCEL_GUEST_SKIP " in
	*" $name "*) return 0 ;;
	esac
	if [ ! -x "$bin/$name" ]; then
		echo "FAIL $name (not in $bin)"
		echo "RC $name missing"
		failed=$((failed + 1))
		return 0
	fi
	VACCEL_PLUGINS=$plugins "$bin/$name" "$@" >"$out" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "ok   $name"
		passed=$((passed + 1))
	else
		echo "FAIL $name (exit $rc)"
		failed=$((failed + 1))
	fi
	grep -v -e '^Initialized session' -e '^iteration ' -e '^run [0-9]*: ' \
		-e '^mean: ' -e '<debug>' -e '<info>' "$out" |
		sed -e "s|$prefix|@PREFIX@|g" -e 's/, mean [0-9.]* ms per call$//' \
			-e "s/^/OUT $name: /"
	echo "RC $name $rc"
}

echo "vaccel-guest-test: mode $mode, VACCEL_PLUGINS=$VACCEL_PLUGINS" \
	"${VACCEL_RPC_ADDRESS:+VACCEL_RPC_ADDRESS=$VACCEL_RPC_ADDRESS}"
run noop 1
run minmax 1000 1
run sgemm 1
run sgemm_generic 1
run classify "$image" 1 $VACCEL_GUEST_CLASSIFY_MODEL
run classify_generic "$image" 1 $VACCEL_GUEST_CLASSIFY_MODEL
for op in detect segment pose depth; do
	run "$op" "$image" 1
	run "${op}_generic" "$image" 1
done
run_local libvaccel-exec.so exec "$execlib" 1
run_local libvaccel-exec.so exec_generic "$execlib" 1
run_local libvaccel-exec.so exec_with_resource "$testlib" 1
run_local libvaccel-mbench.so mbench 10 "$execlib" 1
# Every op family, typed and genop, against values computed here.
run_local libvaccel-reference.so vaccel-ref-check "$execlib" "$testlib"
if [ -n "$VACCEL_GUEST_MODEL" ]; then
	run torch_inference "$image" "$VACCEL_GUEST_MODEL" "$data/imagenet.txt" 1
fi
rm -f "$out"

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
