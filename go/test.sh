#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Checks and tests the Go module against the libvaccel, plugins and agent
# of a meson build directory (go/env.sh says how):
#
#   go/test.sh [BUILD_DIR]          (default: build-test)
#
# gofmt and go vet must be clean; then `go test ./...` runs twice, plainly
# and with -race, both with GODEBUG=cgocheck=2 (which checks every store of
# a Go pointer into C memory); the benchmarks run once each.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/env.sh" "${1:-$here/../build-test}"
export GODEBUG=cgocheck=2

cd "$here"
status=0
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
	echo "go/test.sh: gofmt -l lists: $unformatted" >&2
	status=1
fi
go vet ./... || status=1
go test -count=1 -timeout 15m ./... || status=1
go test -race -count=1 -timeout 20m ./... || status=1
# The benchmarks once each (b.N = 1), so that they keep working.
go test -count=1 -run '^$' -bench . -benchtime 1x . >/dev/null || status=1
exit $status
