#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Runs a command in which foreign arm binaries run under qemu-user, the
# processes it starts included:
#
#   cross/emulate.sh ARCH[,ARCH...] COMMAND [ARG...]     ARCH: aarch64, arm
#
# Meson's exe_wrapper (the cross files) only wraps the programs meson itself
# starts. Tests also start programs of their own (the agent, helper clients,
# the examples from examples.sh, re-executions of themselves), so the kernel
# must hand arm ELF files to qemu: a binfmt_misc handler. When the machine
# has one registered for every ARCH (binfmt-support or systemd-binfmt), it is
# used as it is. Otherwise the command runs in a new user and mount
# namespace with a private binfmt_misc instance (Linux >= 6.7) holding
# Debian's qemu-user handlers for those architectures: nothing outside the
# command changes, and no root is needed.
#
# QEMU_LD_PREFIX is the root where qemu looks up the target's dynamic loader
# and libraries. With one ARCH it is set to VACCEL_CROSS_SYSROOT when that is
# set (a Debian root unpacked from .debs, see cross/sysroot.sh), else to the
# cross toolchain's /usr/<triplet>. With several, the command sets it for
# each process it starts. Valgrind cannot run foreign binaries, so the
# examples run without it (EXAMPLES_NO_VALGRIND=1).
set -euo pipefail

if [ $# -lt 2 ]; then
	echo "usage: emulate.sh ARCH[,ARCH...] COMMAND [ARG...] (ARCH: aarch64, arm)" >&2
	exit 2
fi
arches=$1
shift
binfmt=/proc/sys/fs/binfmt_misc
IFS=, read -r -a list <<<"$arches"

for arch in "${list[@]}"; do
	case $arch in
	aarch64 | arm) ;;
	*)
		echo "emulate.sh: unknown architecture '$arch' (aarch64 or arm)" >&2
		exit 2
		;;
	esac
	if [ ! -f "/usr/lib/binfmt.d/qemu-$arch.conf" ]; then
		echo "emulate.sh: /usr/lib/binfmt.d/qemu-$arch.conf missing" \
			"(apt-get install qemu-user-static)" >&2
		exit 1
	fi
done
if [ ${#list[@]} = 1 ]; then
	case ${list[0]} in
	aarch64) triplet=aarch64-linux-gnu ;;
	arm) triplet=arm-linux-gnueabihf ;;
	esac
	export QEMU_LD_PREFIX=${VACCEL_CROSS_SYSROOT:-/usr/$triplet}
fi
export EXAMPLES_NO_VALGRIND=1

if [ "${VACCEL_EMULATE_INNER:-}" = "$arches" ]; then
	# Inside the private namespaces: our own binfmt_misc instance with
	# Debian's handler lines (comments dropped).
	unset VACCEL_EMULATE_INNER
	if ! mount -t binfmt_misc binfmt_misc "$binfmt"; then
		echo "emulate.sh: cannot mount a private binfmt_misc (Linux >= 6.7" \
			"needed), and no handler for $arches is registered" >&2
		exit 1
	fi
	for arch in "${list[@]}"; do
		grep -v '^#' "/usr/lib/binfmt.d/qemu-$arch.conf" >"$binfmt/register"
	done
	exec "$@"
fi

registered=1
for arch in "${list[@]}"; do
	grep -qs '^enabled' "$binfmt/qemu-$arch" || registered=0
done
if [ $registered = 1 ] && grep -qs '^enabled' "$binfmt/status"; then
	exec "$@"
fi
VACCEL_EMULATE_INNER=$arches exec unshare --user --map-root-user --mount \
	"$0" "$arches" "$@"
