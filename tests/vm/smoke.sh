#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# VM smoke test, independent of vAccel: boots the guest under QEMU/TCG and
# checks the transports the rpc plugin will use.
#
#   smoke.sh [BUILD_OR_PREFIX_DIR|none] [CACHE_DIR]
#
# Checks, in the guest: the virtio-serial and vsock modules are loaded, the
# port org.vaccel.0 is named in /sys/class/virtio-ports/*/name and linked at
# /dev/virtio-ports/org.vaccel.0, a line written to it comes back through the
# host echo server (twice, reopening the port), and an AF_VSOCK
# listen/connect on CID 1 (vsock_loopback) works. On the host: the echo
# server received the guest's lines. Prints the boot time, then
# "N passed, N failed"; exits 77 when QEMU is not installed.
#
# The default payload is "none" (a bare image, kept in the cache like any
# other: build-image.sh); the default CACHE_DIR is $VACCEL_VM_CACHE or
# ~/.cache/vaccel-vm.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
payload=${1:-none}
cache=${2:-${VACCEL_VM_CACHE:-$HOME/.cache/vaccel-vm}}
python=${PYTHON:-/usr/bin/python3}

if ! command -v qemu-system-x86_64 >/dev/null; then
	echo "smoke: SKIP: qemu-system-x86_64 not found"
	exit 77
fi

image=$("$here/build-image.sh" "$payload" "$cache" | tail -n1)

work=$(mktemp -d "${TMPDIR:-/tmp}/vaccel-smoke.XXXXXX")
echo_pid=
cleanup() {
	[ -n "$echo_pid" ] && kill "$echo_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

sock=$work/serial.sock
"$python" "$here/host-echo.py" "$sock" --prefix 'echo:' --log "$work/host.log" &
echo_pid=$!
for _ in $(seq 50); do
	[ -S "$sock" ] && break
	sleep 0.1
done
[ -S "$sock" ] || { echo "smoke: host echo server did not start"; exit 1; }

msg1="hello-from-guest-$$-$RANDOM"
msg2="second-open-$$-$RANDOM"
cat >"$work/guest.sh" <<GUEST
#!/bin/sh
failed=0
check() {
	desc=\$1
	shift
	if "\$@"; then
		echo "ok   \$desc"
	else
		echo "FAIL \$desc"
		failed=\$((failed + 1))
	fi
}
for m in virtio_pci virtio_console vsock vmw_vsock_virtio_transport vsock_loopback; do
	check "module \$m loaded" grep -q "^\$m " /proc/modules
done
check "org.vaccel.0 in /sys/class/virtio-ports/*/name" \
	grep -qx org.vaccel.0 /sys/class/virtio-ports/vport*/name
check "/dev/virtio-ports/org.vaccel.0 is a char device" \
	test -c /dev/virtio-ports/org.vaccel.0
check "line echoed by the host over virtio-serial" \
	port-ping /dev/virtio-ports/org.vaccel.0 "$msg1" "echo:$msg1"
check "echo again after reopening the port" \
	port-ping /dev/virtio-ports/org.vaccel.0 "$msg2" "echo:$msg2"
check "AF_VSOCK listen/connect on CID 1 (vsock_loopback)" vsock-ping 5000
echo "guest uptime \$(cut -d' ' -f1 /proc/uptime)s"
exit \$failed
GUEST

passed=0
failed=0
check() {
	if [ "$2" = 0 ]; then
		echo "ok   $1"
		passed=$((passed + 1))
	else
		echo "FAIL $1"
		failed=$((failed + 1))
	fi
}

rc=0
"$here/run-guest.sh" --timeout 240 --serial "org.vaccel.0=$sock" \
	--script "$work/guest.sh" "$image" | tee "$work/run.log" || rc=${PIPESTATUS[0]}
if [ "$rc" = 77 ]; then
	echo "smoke: SKIP: QEMU is not installed"
	exit 77
fi
check "guest checks all passed (guest exit $rc)" "$rc"
grep -qx "$msg1" "$work/host.log" 2>/dev/null
check "host received the first guest line" $?
grep -qx "$msg2" "$work/host.log" 2>/dev/null
check "host received the second guest line" $?

# A QEMU that fails to start (here: a device it does not know) is a
# failure of the harness (exit 1), never a skip.
brc=0
VACCEL_VM_QEMU_ARGS="-device vaccel-no-such-device" \
	"$here/run-guest.sh" --timeout 60 --quiet "$image" -- true \
	>"$work/bad-device.log" 2>&1 || brc=$?
bad=0
{ [ "$brc" = 1 ] && grep -q 'failed to start' "$work/bad-device.log"; } || bad=1
check "a QEMU that fails to start fails the run (exit $brc, not 77)" "$bad"
[ "$bad" = 0 ] || sed 's/^/    /' "$work/bad-device.log"

boot=$(sed -n 's/^run-guest: boot \([0-9.]*\)s to \/init.*/\1/p' "$work/run.log")
echo "smoke: boot time to /init: ${boot:-unknown}s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
