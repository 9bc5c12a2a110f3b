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
# VACCEL_GUEST_TESTS="noop sgemm" limits the run to those examples. Examples
# that are not in the image are reported as skipped, so the driver works
# while the example set grows. Prints "N passed, N failed, N skipped" and
# exits 1 when any example failed.

mode=${1:-local}
lib=/opt/vaccel/lib
data=/opt/vaccel/share/data
image=$data/example.jpg
testlib=$lib/libmytestlib.so

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
	name=$1
	shift
	if [ -n "$VACCEL_GUEST_TESTS" ]; then
		case " $VACCEL_GUEST_TESTS " in
		*" $name "*) ;;
		*) return 0 ;;
		esac
	fi
	if [ ! -x "/opt/vaccel/bin/$name" ]; then
		echo "skip $name (not in the image)"
		skipped=$((skipped + 1))
		return 0
	fi
	"/opt/vaccel/bin/$name" "$@" >"/tmp/$name.out" 2>&1
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
run sgemm 1
run sgemm_generic 1
run classify "$image" 1
run classify_generic "$image" 1
run exec "$testlib" 1
run exec_generic "$testlib" 1
run exec_with_resource "$testlib" 1
run genop "$image" 1

echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
