#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs one libFuzzer target the way the meson suite 'fuzz' does:
#   run-target.sh EXE SEEDS REGRESSIONS WORKDIR SECONDS
# First every regression input must pass, then the target fuzzes for
# SECONDS (FUZZ_SECONDS overrides it) from the seeds, writing new inputs to
# WORKDIR/corpus (never into the repository) and any crash to WORKDIR/.
# Extra libFuzzer flags can be given in FUZZ_FLAGS.
set -eu
exe=$1 seeds=$2 regressions=$3 work=$4
seconds=${FUZZ_SECONDS:-$5}
mkdir -p "$work/corpus"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
echo "== $(basename "$exe"): regression inputs"
"$exe" -runs=0 "$regressions"
echo "== $(basename "$exe"): fuzzing for ${seconds}s"
# shellcheck disable=SC2086
exec "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$work/" ${FUZZ_FLAGS:-} \
	"$work/corpus" "$seeds"
