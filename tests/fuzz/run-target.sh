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
# Fuzzing from no seeds proves little: an empty seed corpus is a failure.
if [ -z "$(find "$seeds" -type f ! -name '.*' 2>/dev/null | head -n1)" ]; then
	echo "run-target: the seed corpus $seeds holds no input" >&2
	exit 1
fi
mkdir -p "$work/corpus"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
echo "== $(basename "$exe"): regression inputs"
# libFuzzer's own exit code for a finding is 77, which meson reads as a
# skip: a finding must fail the test.
"$exe" -error_exitcode=1 -timeout_exitcode=1 -runs=0 "$regressions"
echo "== $(basename "$exe"): fuzzing for ${seconds}s"
# shellcheck disable=SC2086
exec "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	-error_exitcode=1 -timeout_exitcode=1 \
	-print_final_stats=1 -artifact_prefix="$work/" ${FUZZ_FLAGS:-} \
	"$work/corpus" "$seeds"
