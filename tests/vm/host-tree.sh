#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Copies what the guest image holds (payload.sh) into DIR on the host, laid
# out as the guest's /opt/vaccel: DIR/bin, DIR/lib, DIR/share/data, as
# build-image.sh copies them (cp -P: library symlinks stay links, files are
# files, so that paths resolve inside DIR as they do in the guest). The VM
# tests run the guest driver there too (VACCEL_GUEST_PREFIX=DIR) and compare
# the guest's output with the host's, line by line.
#
#   host-tree.sh BUILD_OR_PREFIX_DIR DIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
srcroot=$(cd "$here/../.." && pwd)
[ $# -eq 2 ] || { echo "usage: host-tree.sh BUILD_OR_PREFIX_DIR DIR" >&2; exit 2; }
# shellcheck source=payload.sh
. "$here/payload.sh"
collect_payload "$(realpath "$1")"
collect_data "$srcroot"
dir=$2
mkdir -p "$dir/bin" "$dir/lib" "$dir/share/data"
for p in ${payload[@]+"${payload[@]}"}; do
	cp -P "${p%%|*}" "$dir/${p#*|/opt/vaccel/}"
done
for f in ${data_files[@]+"${data_files[@]}"}; do
	cp "$f" "$dir/share/data/"
done
