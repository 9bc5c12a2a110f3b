#!/usr/bin/env bash
# Runs every test: the meson suites on a normal (-Werror) build, the unit and
# integration suites again under AddressSanitizer + UndefinedBehaviorSanitizer,
# the unit suite and the concurrent integration tests under ThreadSanitizer,
# and the libFuzzer targets. The example programs run under valgrind inside
# the integration suite (test 'examples'). Exits non-zero when anything fails.
# Build dirs: build-test, build-asan, build-tsan, build-fuzz (kept between
# runs, so a second run is incremental).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

bash scripts/setup.sh

jobs=$(nproc)
status=0
summary=()

step() { # name, command...
	local name=$1
	shift
	echo
	echo "=== $name"
	if "$@"; then
		summary+=("PASS  $name")
	else
		summary+=("FAIL  $name")
		status=1
	fi
}

setup_build() { # dir, meson options...
	local dir=$1
	shift
	if [ -f "$dir/build.ninja" ]; then
		meson configure "$dir" "$@" >/dev/null
	else
		meson setup "$dir" "$@"
	fi
	ninja -C "$dir" -j "$jobs"
}

# Models used by the torch tests and examples (cached in data/models).
if [ -f scripts/make-models.py ]; then
	step "model assets" /usr/bin/python3 scripts/make-models.py --models resnet18
fi

step "build (-Werror)" setup_build build-test -Dwerror=true -Dbuildtype=debugoptimized
step "meson test: all suites" meson test -C build-test --print-errorlogs --num-processes "$jobs"

# Sanitizer builds leave out the libtorch plugin: libtorch itself is not
# instrumented, which makes ASan/TSan reports about its internals noise.
step "build (ASan+UBSan)" setup_build build-asan -Dwerror=true -Dbuildtype=debug \
	-Db_sanitize=address,undefined -Db_lundef=false -Dplugin-torch=disabled
step "meson test under ASan+UBSan: unit, integration" env \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	meson test -C build-asan --suite unit --suite integration --print-errorlogs --num-processes "$jobs"

step "build (TSan)" setup_build build-tsan -Dwerror=true -Dbuildtype=debug \
	-Db_sanitize=thread -Db_lundef=false -Dplugin-torch=disabled
tsan_tests() {
	export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
	meson test -C build-tsan --suite unit --print-errorlogs --num-processes "$jobs" &&
	meson test -C build-tsan --print-errorlogs --num-processes "$jobs" \
		agent_robustness_test isolation_test faultinj_agent_test load_soak_test \
		rpc_ops_test hardening_exec_test
}
step "meson test under TSan: unit + concurrent integration tests" tsan_tests

# libFuzzer targets (clang, ASan+UBSan): regression inputs, then a short
# fuzzing run per target.
step "fuzz suite (libFuzzer, clang)" bash tests/fuzz/run-fuzz-suite.sh build-fuzz

echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
passed=$(printf '%s\n' "${summary[@]}" | grep -c '^PASS' || true)
failed=$(printf '%s\n' "${summary[@]}" | grep -c '^FAIL' || true)
echo "$passed passed, $failed failed"
exit $status
