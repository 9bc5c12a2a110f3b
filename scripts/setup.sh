#!/usr/bin/env bash
# Installs (with apt) whatever this project needs that the machine lacks.
# Debian 12, run as root. Safe to run again: does nothing when all is there.
set -euo pipefail

packages=(
	build-essential pkg-config meson ninja-build
	clang libclang-rt-14-dev valgrind
	libtorch-dev libstb-dev libopenblas0-openmp
	python3-torch python3-torchvision python3-numpy python3-pytest python3-cffi
	qemu-system-x86 busybox-static cpio xz-utils zstd
	python3-matplotlib
)

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
	exit 0
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
