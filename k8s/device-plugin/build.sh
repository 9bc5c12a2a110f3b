#!/usr/bin/env bash
# Builds vaccel-device-plugin (static, no cgo) offline with Debian's Go
# packages (see goenv.sh), or with --test PKG the test binary of a package
# (the end-to-end test, e2e, which meson runs).
#
#   build.sh WORK OUTPUT [--test PKG]   WORK: GOPATH link and cache
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=goenv.sh
source "$here/goenv.sh" "$1"
out=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
if [ "${3:-}" = --test ]; then
	go test -c -o "$out" "vaccel.dev/device-plugin/$4"
else
	go build -trimpath -o "$out" vaccel.dev/device-plugin/cmd/vaccel-device-plugin
fi
