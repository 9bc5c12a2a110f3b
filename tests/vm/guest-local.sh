#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Runs every vAccel example inside the VM with local plugins (noop, exec,
# mbench): proves that the image carries libvaccel, the plugins, the examples
# and every shared library they need, with no host agent involved.
#
#   guest-local.sh BUILD_OR_PREFIX_DIR [CACHE_DIR]
#
# Exits 77 (skip) when QEMU cannot run or libvaccel is not built.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -ge 1 ] || { echo "usage: guest-local.sh BUILD_OR_PREFIX_DIR [CACHE_DIR]" >&2; exit 2; }
build=$(realpath "$1")
cache=${2:-${VACCEL_VM_CACHE:-$HOME/.cache/vaccel-vm}}

if ! command -v qemu-system-x86_64 >/dev/null; then
	echo "guest-local: SKIP: qemu-system-x86_64 not found"
	exit 77
fi
image=$("$here/build-image.sh" "$build" "$cache" | tail -n1)
for want in /opt/vaccel/lib/libvaccel.so /opt/vaccel/lib/libvaccel-noop.so; do
	if ! grep -q " $want\$" "$image/inputs.manifest"; then
		echo "guest-local: SKIP: ${want##*/} is not built in $build"
		exit 77
	fi
done

rc=0
"$here/run-guest.sh" --timeout "${VACCEL_VM_TIMEOUT:-400}" "$image" -- \
	vaccel-guest-test local || rc=$?
if [ "$rc" = 0 ]; then
	echo "1 passed, 0 failed"
elif [ "$rc" != 77 ]; then
	echo "0 passed, 1 failed"
fi
exit "$rc"
