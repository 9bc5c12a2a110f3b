#!/usr/bin/env bash
# Installs (with apt) whatever this project needs that the machine lacks.
# Debian 12, run as root. Safe to run again: does nothing when all is there.
set -euo pipefail

packages=(
	build-essential pkg-config meson ninja-build
	clang libclang-rt-14-dev valgrind
	libtorch-dev libstb-dev libopenblas0-openmp
	python3-torch python3-torchvision python3-numpy python3-pytest python3-cffi
	python3-pycparser
	python3-pip python3-venv
	qemu-system-x86 busybox-static cpio xz-utils zstd
	python3-matplotlib
	python3-venv
	golang-go
	gcc-aarch64-linux-gnu g++-aarch64-linux-gnu
	gcc-arm-linux-gnueabihf g++-arm-linux-gnueabihf qemu-user-static
	dpkg-dev debootstrap lintian
	# vaccel-device-plugin (Go, offline from /usr/share/gocode; docs/kubernetes.md)
	protobuf-compiler golang-google-grpc-dev golang-google-protobuf-dev
	golang-github-golang-protobuf-1-5-dev
)
# The manifests' validator (tests/k8s) runs on Node.js: Debian's unless the
# machine has one already (npm comes with it then).
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)

# Its npm packages, exactly as tests/k8s/validate/package-lock.json pins
# them (npm ci); again only when the lock file is newer than what is there.
npm_deps() {
	local d
	d=$(cd "$(dirname "$0")/.." && pwd)/tests/k8s/validate
	if [ ! -f "$d/node_modules/.package-lock.json" ] ||
	   [ "$d/package-lock.json" -nt "$d/node_modules/.package-lock.json" ]; then
		echo "setup: npm ci in tests/k8s/validate"
		npm ci --prefix "$d" --no-audit --no-fund --loglevel=error
	fi
}

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "setup: all ${#packages[@]} packages present"
	# The VM tests fetch the guest kernel with `apt-get download`, which
	# needs package lists even when nothing is missing.
	if ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then
		apt-get update -q
	fi
	npm_deps
	exit 0
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
npm_deps
