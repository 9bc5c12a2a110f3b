#!/usr/bin/env bash
# Runs every test: the meson suites on a normal (-Werror) build with the
# torch plugin required, the unit and integration suites again under
# AddressSanitizer + UndefinedBehaviorSanitizer, the unit suite and the
# concurrent integration tests under ThreadSanitizer, the integration suite
# with and without /run/user/<uid> and TMPDIR, and the libFuzzer targets.
# The example programs run under valgrind inside the integration suite
# (test 'examples'). Then the arm64 and armhf cross builds, their unit and
# integration suites under qemu-user, RPC between the architectures, and the
# Debian packages (docs/install.md). Every skip must be on
# tests/skips-allowed.txt with its condition holding (scripts/check-skips.py),
# and every planted bug of tests/mutations.txt must be caught
# (scripts/mutate.sh, in build-mutate). Exits non-zero when anything fails or
# skips unexpectedly. Build dirs: build-test, build-asan, build-tsan,
# build-fuzz, build-arm64, build-armhf, build-pkg-<arch>, build-mutate (kept
# between runs, so a second run is incremental).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

bash scripts/setup.sh

jobs=$(nproc)
status=0
summary=()

step() { # name, command...
	local name=$1 t0=$SECONDS
	shift
	echo
	echo "=== $name"
	if "$@"; then
		summary+=("PASS  $name ($((SECONDS - t0)) s)")
	else
		summary+=("FAIL  $name ($((SECONDS - t0)) s)")
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

# Logs of earlier runs must not count: check-skips reads this run's only.
rm -f build-*/meson-logs/*.json

step "build (-Werror)" setup_build build-test -Dwerror=true -Dbuildtype=debugoptimized \
	-Dplugin-torch=enabled
step "meson test: all suites" meson test -C build-test --print-errorlogs --num-processes "$jobs" --no-suite k8s
# Kubernetes without a cluster: the manifests rendered and validated, the
# container recipes checked, the device plugin against a fake kubelet and
# the real agent (docs/kubernetes.md).
step "kubernetes: manifests, containerfiles, device plugin" meson test -C build-test --suite k8s \
	--print-errorlogs --num-processes "$jobs"
# The Go bindings against build-test: gofmt, go vet, go test, go test -race
# (GODEBUG=cgocheck=2), locally and through a real agent.
step "go bindings (vet, test, -race)" bash go/test.sh build-test

# Sanitizer builds leave out the libtorch plugin: libtorch itself is not
# instrumented, which makes ASan/TSan reports about its internals noise.
step "build (ASan+UBSan)" setup_build build-asan -Dwerror=true -Dbuildtype=debug \
	-Db_sanitize=address,undefined -Db_lundef=false -Dplugin-torch=disabled
step "meson test under ASan+UBSan: unit, integration, compat" env \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	meson test -C build-asan --suite unit --suite integration --suite compat \
	--print-errorlogs --num-processes "$jobs"

step "build (TSan)" setup_build build-tsan -Dwerror=true -Dbuildtype=debug \
	-Db_sanitize=thread -Db_lundef=false -Dplugin-torch=disabled
tsan_tests() {
	export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
	meson test -C build-tsan --suite unit --print-errorlogs --num-processes "$jobs" &&
	meson test -C build-tsan --print-errorlogs --num-processes "$jobs" \
		--logbase tsan-integration agent_robustness_test isolation_test faultinj_agent_test load_soak_test \
		rpc_ops_test hardening_exec_test tenants_test rpc_threads_test shm_test \
		serial_channel_test rpc_wait_test
}
step "meson test under TSan: unit + concurrent integration tests" tsan_tests

# libFuzzer targets (clang, ASan+UBSan): regression inputs, then a short
# fuzzing run per target.
step "fuzz suite (libFuzzer, clang)" bash tests/fuzz/run-fuzz-suite.sh build-fuzz

step "integration suite with and without /run/user/<uid>, TMPDIR set and unset" \
	bash scripts/test-env.sh build-test --print-errorlogs --num-processes "$jobs"

# arm64 and armhf (cross/, docs/install.md): cross builds with -Werror, their
# unit and integration suites under qemu-user, and RPC between the three
# architectures. Each builds against a Debian root of its architecture
# unpacked from Debian's .debs (cross/sysroot.sh); arm64's holds libtorch,
# so the arm64 build has the torch plugin. Emulation is several times
# slower than the machine: test timeouts are multiplied by 4.
declare -A cross_root
cross_sysroot() { cross_root[$1]=$(bash cross/sysroot.sh "$1"); }
cross_build() { # dir, debian arch, cross file
	if [ ! -f "$1/build.ninja" ]; then
		meson setup "$1" --cross-file "$3" \
			--cross-file "${cross_root[$2]}/meson.ini" \
			-Dwerror=true -Dbuildtype=debugoptimized || return 1
	fi
	ninja -C "$1" -j "$jobs"
}
cross_tests() { # dir, debian arch, qemu arch
	VACCEL_CROSS_SYSROOT=${cross_root[$2]} cross/emulate.sh "$3" \
		meson test -C "$1" --suite unit --suite integration \
		--print-errorlogs --num-processes "$jobs" --timeout-multiplier 4
}
for a in arm64:aarch64:aarch64-linux-gnu armhf:arm:arm-linux-gnueabihf; do
	IFS=: read -r deb qemu triplet <<<"$a"
	step "$deb root (Debian $deb packages, cross/sysroot.sh)" \
		cross_sysroot "$deb"
	step "build $deb (cross, -Werror)" \
		cross_build "build-$deb" "$deb" "cross/$triplet.ini"
	step "meson test $deb under qemu-$qemu: unit, integration" \
		cross_tests "build-$deb" "$deb" "$qemu"
done
step "mixed architectures: x86-64, arm64, armhf clients and agents" \
	bash tests/mixed/mixed-arch.sh build-test build-arm64 build-armhf

# Debian packages for the three architectures (scripts/package.sh), lintian
# (no error or warning but the one about an initial upload that closes no
# Debian bug: these are not Debian archive uploads), and the amd64 ones
# installed and used in a fresh Debian 12 chroot.
packages() {
	for a in amd64 arm64 armhf; do
		bash scripts/package.sh "$a" "out/packages/$a" || return 1
	done
}
step "Debian packages: amd64, arm64, armhf" packages
step "lintian on the packages" lintian --fail-on error,warning \
	--suppress-tags initial-upload-closes-no-bugs out/packages/*/*.deb
step "amd64 packages installed in a Debian 12 chroot" \
	bash tests/packaging/chroot-install.sh out/packages/amd64

# Every skip of the steps above, against the allow-list.
skip_report=$(mktemp)
step "skips (tests/skips-allowed.txt)" bash -c 'set -o pipefail; /usr/bin/python3 scripts/check-skips.py "$@" | tee "$0"' \
	"$skip_report" build-test/meson-logs/testlog.json \
	build-test/meson-logs/env-runuser-tmpdir.json build-test/meson-logs/env-none.json \
	build-asan/meson-logs/testlog.json build-tsan/meson-logs/testlog.json \
	build-tsan/meson-logs/tsan-integration.json build-fuzz/meson-logs/testlog.json \
	build-arm64/meson-logs/testlog.json build-armhf/meson-logs/testlog.json

# Planted bugs the tests must catch (tests/mutations.txt, docs/testing.md).
step "mutation check (scripts/mutate.sh)" bash scripts/mutate.sh

echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
passed=$(printf '%s\n' "${summary[@]}" | grep -c '^PASS' || true)
failed=$(printf '%s\n' "${summary[@]}" | grep -c '^FAIL' || true)
echo "$passed passed, $failed failed; $(tail -n1 "$skip_report" | sed 's/^skips: \([0-9]*\)/\1 tests skipped/')"
rm -f "$skip_report"
echo "total: $((SECONDS / 60)) min $((SECONDS % 60)) s"
exit $status
