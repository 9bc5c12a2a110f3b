#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The fuzz step of the test command: configures (or updates) a clang build
# with libFuzzer targets in BUILDDIR and runs the meson suite 'fuzz' (each
# target replays its regression inputs, then fuzzes ~15 s; FUZZ_SECONDS
# changes that). Everything is built with ASan+UBSan and with coverage
# instrumentation (-fsanitize=fuzzer-no-link), so the fuzzer also sees the
# branches inside libvaccel and the plugins. Exits non-zero on any finding.
#   tests/fuzz/run-fuzz-suite.sh build-fuzz
set -euo pipefail
build=${1:?usage: $0 BUILDDIR}
src=$(cd "$(dirname "$0")/../.." && pwd)
jobs=${FUZZ_JOBS:-2}
opts=(-Dfuzz=true -Dbuildtype=debugoptimized -Db_sanitize=address,undefined
      -Db_lundef=false -Dplugin-torch=disabled -Dexamples=false
      -Dc_args=-fsanitize=fuzzer-no-link)

if [ -f "$build/build.ninja" ]; then
	meson configure "$build" "${opts[@]}" >/dev/null
else
	CC=clang CXX=clang++ meson setup "$build" "$src" "${opts[@]}"
fi
ninja -C "$build" -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	meson test -C "$build" --suite fuzz --print-errorlogs \
	--num-processes "$jobs"
