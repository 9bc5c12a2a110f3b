#!/usr/bin/env bash
# The device plugin's Go checks: the generated API is current, gofmt and
# go vet are clean, and the unit tests pass (against the fake kubelet and a
# fake agent; the real agent is driven by the e2e test).
#
#   test.sh WORK
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bash "$here/generate.sh" --check "$1/generate"
# shellcheck source=goenv.sh
source "$here/goenv.sh" "$1"
unformatted=$(gofmt -l "$here" | grep -v '\.pb\.go$' || true)
if [ -n "$unformatted" ]; then
	echo "gofmt: not formatted: $unformatted" >&2
	exit 1
fi
# "..." does not follow the GOPATH link: name every package.
mapfile -t pkgs < <(cd "$here" && find . -name '*.go' -printf '%h\n' | sort -u |
	sed 's|^\.|vaccel.dev/device-plugin|')
go vet "${pkgs[@]}"
# The race detector needs cgo; the plugin itself is built without.
CGO_ENABLED=1 go test -race -count=1 "${pkgs[@]}"
