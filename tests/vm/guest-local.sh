#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Runs every vAccel example inside the VM with local plugins (noop, exec,
# mbench) and the reference check with the reference plugin, and compares
# what each printed with the same programs run on the host with the same
# plugins (tests/vm/host-tree.sh lays the image's files out on the host):
# proves that the image carries libvaccel, the plugins, the examples and
# every shared library they need, and that they compute the same in the
# guest, with no host agent involved.
#
#   guest-local.sh BUILD_OR_PREFIX_DIR [CACHE_DIR]
#
# Exits 77 (skip) when QEMU is not installed or libvaccel is not built.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -ge 1 ] || { echo "usage: guest-local.sh BUILD_OR_PREFIX_DIR [CACHE_DIR]" >&2; exit 2; }
build=$(realpath "$1")
cache=${2:-${VACCEL_VM_CACHE:-$HOME/.cache/vaccel-vm}}
# shellcheck source=tests/vm/compare.sh
. "$here/compare.sh"

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

work=$(mktemp -d "${TMPDIR:-/tmp}/vaccel-guest-local.XXXXXX")
trap 'rm -rf "$work"' EXIT
tree=$work/host
"$here/host-tree.sh" "$build" "$tree"
hrc=0
host_driver local >"$work/host.txt" 2>&1 || hrc=$?

rc=0
"$here/run-guest.sh" --timeout "${VACCEL_VM_TIMEOUT:-400}" --log "$work/console.log" \
	"$image" -- vaccel-guest-test local || rc=$?
[ "$rc" = 77 ] && exit 77
tr -d '\r' <"$work/console.log" | grep -E '^(OUT|RC) ' >"$work/guest.txt" || true

finish_runs "$hrc" "$work/host.txt" "$rc"
