#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Guest-side test driver: runs the vAccel example programs found in
# /opt/vaccel/bin and reports each one.
#
#   vaccel-guest-test local    examples use the noop plugin inside the guest
#   vaccel-guest-test rpc      examples use the rpc plugin; VACCEL_RPC_ADDRESS
#                              must name the host agent (virtio-serial port or
#                              vsock address, see docs/vm.md)
#
# In local mode the exec examples use the exec plugin and mbench the mbench
# plugin, so that they do real work; everything else uses noop. In rpc mode
# every example goes to the host, whose agent picks the plugins.
# torch_inference runs only when VACCEL_GUEST_MODEL names a TorchScript file
# (pass it with run-guest.sh --file; it is too big for the image).
#
# VACCEL_GUEST_TESTS="noop sgemm" limits the run to those examples and
# VACCEL_GUEST_SKIP="mbench" leaves those out (both space-separated). Examples
# that are not in the image are reported as skipped, so the driver works
# while the example set grows. Prints "N passed, N failed, N skipped" and
# exits 1 when any example failed.

mode=${1:-local}
lib=/opt/vaccel/lib
data=/opt/vaccel/share/data
image=$data/example.jpg
# exec, exec_generic and mbench pass a library path that the plugin opens:
# in rpc mode that happens where the agent runs, so the caller may name a
# host path. exec_with_resource reads the library in the guest and uploads it.
testlib=$lib/libmytestlib.so
execlib=${VACCEL_GUEST_EXEC_LIB:-$testlib}

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
*)
	echo "usage: vaccel-guest-test [local|rpc]" >&2
	exit 2
	;;
esac

passed=0
failed=0
skipped=0

# run NAME ARGS...: runs /opt/vaccel/bin/NAME when it exists.
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
	if [ ! -x "/opt/vaccel/bin/$name" ]; then
		echo "skip $name (not in the image)"
		skipped=$((skipped + 1))
		return 0
	fi
	VACCEL_PLUGINS=$plugins "/opt/vaccel/bin/$name" "$@" >"/tmp/$name.out" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "ok   $name"
		passed=$((passed + 1))
	else
		echo "FAIL $name (exit $rc); its output:"
		sed 's/^/    /' "/tmp/$name.out"
		failed=$((failed + 1))
	fi
}

echo "vaccel-guest-test: mode $mode, VACCEL_PLUGINS=$VACCEL_PLUGINS" \
	"${VACCEL_RPC_ADDRESS:+VACCEL_RPC_ADDRESS=$VACCEL_RPC_ADDRESS}"
run noop 1
run minmax 1000 1
run sgemm 1
run sgemm_generic 1
for op in classify detect segment pose depth; do
	run "$op" "$image" 1
	run "${op}_generic" "$image" 1
done
run_local libvaccel-exec.so exec "$execlib" 1
run_local libvaccel-exec.so exec_generic "$execlib" 1
run_local libvaccel-exec.so exec_with_resource "$testlib" 1
run_local libvaccel-mbench.so mbench 10 "$execlib" 1
if [ -n "$VACCEL_GUEST_MODEL" ]; then
	run torch_inference "$image" "$VACCEL_GUEST_MODEL" "$data/imagenet.txt" 1
elif [ -z "$VACCEL_GUEST_TESTS" ]; then
	echo "skip torch_inference (VACCEL_GUEST_MODEL not set)"
	skipped=$((skipped + 1))
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
