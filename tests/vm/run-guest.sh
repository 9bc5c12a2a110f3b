#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Boots the image made by build-image.sh under QEMU (TCG), runs one command in
# the guest and exits with that command's exit status.
#
#   run-guest.sh [options] IMAGE_DIR [-- COMMAND [ARGS...]]
#
# The command (or --script) runs as root in /tmp of the guest, with
# /opt/vaccel/bin on PATH and LD_LIBRARY_PATH=/opt/vaccel/lib. Without a
# command and without --shell, the guest's /vaccel-run/script is absent and the
# guest only boots and reports 127.
#
# Options:
#   --serial [NAME=]PATH   add a virtio-serial port NAME (default org.vaccel.0)
#                          backed by the unix socket PATH. QEMU is the CLIENT:
#                          something on the host (the agent, an echo server)
#                          must already listen on PATH. Repeatable.
#   --serial-listen [NAME=]PATH
#                          same, but QEMU is the SERVER: it creates PATH and
#                          the host side connects whenever it likes.
#   --vsock CID            add -device vhost-vsock-pci,guest-cid=CID when
#                          /dev/vhost-vsock is usable; otherwise say so and
#                          boot without it.
#   --vhost-user-vsock PATH
#                          add a vhost-user-vsock-pci device whose back-end
#                          (vaccel-vsock-device) listens on PATH; guest RAM
#                          becomes a shared memfd the back-end maps.
#   --script FILE          run FILE in the guest (copied in as
#                          /vaccel-run/script)
#   --file SRC[:DST]       copy SRC into the guest at DST (default
#                          /vaccel-run/<basename>). Repeatable.
#   --append ARGS          extra kernel command line
#   --timeout SECONDS      kill the VM after this long (default 300)
#   --mem SIZE             guest memory (default 512M)
#   --log FILE             keep the console log in FILE
#   --quiet                do not copy the console to stdout
#   --shell                interactive: boot to a shell on this terminal
#   --verbose              boot without "quiet" (all kernel messages)
#
# Exit status: the guest command's status; 77 (test skip) only when
# qemu-system-x86_64 is not installed; 1 when QEMU is there but fails to
# start (a bad -device line is a failure, never a skip) or when the guest
# ended without the end marker (kernel panic, init crash); 124 on timeout;
# 2 on bad usage.
# It prints "run-guest: boot X.XXs ..." with the time from starting QEMU to
# the guest's /init and to the end marker.

set -euo pipefail

prog=run-guest
qemu=${QEMU:-qemu-system-x86_64}
serials=()
vsock_cid=
vuvsock=
script=
files=()
append=
timeout=300
mem=512M
log_file=
quiet=0
shell=0
verbose=0

die() {
	echo "$prog: error: $*" >&2
	exit 2
}

usage() {
	awk 'NR >= 4 && /^#/ { sub(/^# ?/, ""); print; next } NR >= 4 { exit }' \
		"${BASH_SOURCE[0]}" >&2
	exit 2
}

need() {
	[ $# -ge 2 ] || die "$1 needs an argument"
}

while [ $# -gt 0 ]; do
	case "$1" in
	--serial) need "$@"; serials+=("client|$2"); shift 2 ;;
	--serial-listen) need "$@"; serials+=("server|$2"); shift 2 ;;
	--vsock) need "$@"; vsock_cid=$2; shift 2 ;;
	--vhost-user-vsock) need "$@"; vuvsock=$2; shift 2 ;;
	--script) need "$@"; script=$2; shift 2 ;;
	--file) need "$@"; files+=("$2"); shift 2 ;;
	--append) need "$@"; append="$append $2"; shift 2 ;;
	--timeout) need "$@"; timeout=$2; shift 2 ;;
	--mem) need "$@"; mem=$2; shift 2 ;;
	--log) need "$@"; log_file=$2; shift 2 ;;
	--quiet) quiet=1; shift ;;
	--shell) shell=1; shift ;;
	--verbose) verbose=1; shift ;;
	-h|--help) usage ;;
	-*) echo "$prog: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || usage
image=$1
shift
if [ $# -gt 0 ]; then
	[ "$1" = -- ] || die "unexpected '$1' (put the guest command after --)"
	shift
fi
[ $# -eq 0 ] || [ -z "$script" ] || die "give either --script or a command, not both"
[[ "$timeout" =~ ^[0-9]+$ ]] || die "bad --timeout '$timeout'"

[ -f "$image/image.env" ] || die "$image/image.env not found (run build-image.sh first)"
# shellcheck source=/dev/null
. "$image/image.env"
kernel=$image/$KERNEL
initrd=$image/$INITRD
[ -f "$kernel" ] && [ -f "$initrd" ] || die "kernel or initramfs missing in $image"

if ! command -v "$qemu" >/dev/null; then
	echo "$prog: SKIP: $qemu not found (apt-get install qemu-system-x86)"
	exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/vaccel-vm.XXXXXX")
qpid=
teepid=
cleanup() {
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null
	[ -n "$teepid" ] && kill "$teepid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The per-run command and files go into a small uncompressed cpio placed in
# front of the image's initramfs: the kernel unpacks concatenated archives
# in order, so nothing in the shared image has to be rebuilt per run.
overlay=$work/overlay
mkdir -p "$overlay/vaccel-run"
if [ -n "$script" ]; then
	[ -f "$script" ] || die "script $script not found"
	install -m 755 "$script" "$overlay/vaccel-run/script"
elif [ $# -gt 0 ]; then
	{
		echo '#!/bin/sh'
		printf '%q ' "$@"
		echo
	} >"$overlay/vaccel-run/script"
	chmod 755 "$overlay/vaccel-run/script"
fi
for f in ${files[@]+"${files[@]}"}; do
	src=${f%%:*}
	dst=/vaccel-run/$(basename "$src")
	[ "$src" = "$f" ] || dst=${f#*:}
	[ -e "$src" ] || die "--file $src not found"
	mkdir -p "$overlay$(dirname "$dst")"
	cp -L "$src" "$overlay$dst"
done
(cd "$overlay" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$work/initrd"
cat "$initrd" >>"$work/initrd"

args=(-accel tcg -m "$mem" -smp 1 -nographic -no-reboot -vga none -nic none
      -kernel "$kernel" -initrd "$work/initrd")
# no_timer_check: under TCG on a loaded host the kernel's IO-APIC timer test
# can fail ("8254 timer not connected") and leave the boot stuck; the
# virtual timer is known to work, so the test is skipped.
cmdline="console=ttyS0 panic=-1 no_timer_check"
[ "$verbose" = 1 ] || cmdline="$cmdline quiet"
[ "$shell" = 1 ] && cmdline="$cmdline vaccel.shell=1"

if [ ${#serials[@]} -gt 0 ]; then
	args+=(-device virtio-serial-pci,id=vser0)
	names=
	i=0
	for s in "${serials[@]}"; do
		mode=${s%%|*}
		spec=${s#*|}
		name=org.vaccel.$i
		path=$spec
		if [[ "$spec" == *=* ]]; then
			name=${spec%%=*}
			path=${spec#*=}
		fi
		if [ "$mode" = client ]; then
			[ -S "$path" ] ||
				die "no listener on $path (--serial makes QEMU connect; use --serial-listen for the other way)"
			# reconnect=1: QEMU reconnects within a second when the
			# agent restarts, instead of leaving the port dead.
			args+=(-chardev "socket,id=vs$i,path=$path,reconnect=1")
		else
			args+=(-chardev "socket,id=vs$i,path=$path,server=on,wait=off")
		fi
		args+=(-device "virtserialport,bus=vser0.0,chardev=vs$i,name=$name")
		names="$names,$name"
		i=$((i + 1))
	done
	cmdline="$cmdline vaccel.ports=${names#,}"
fi

if [ -n "$vsock_cid" ]; then
	if [ -w /dev/vhost-vsock ]; then
		args+=(-device "vhost-vsock-pci,guest-cid=$vsock_cid")
	else
		echo "$prog: note: /dev/vhost-vsock is not usable here; booting without vsock to the host" >&2
	fi
fi
if [ -n "$vuvsock" ]; then
	[ -S "$vuvsock" ] ||
		die "no vhost-user back-end listens on $vuvsock (start vaccel-vsock-device first)"
	# A vhost-user back-end reads the rings and buffers in guest RAM
	# itself, so the RAM must be a file it can map: a shared memfd.
	args+=(-object "memory-backend-memfd,id=mem,size=$mem,share=on"
	       -numa node,memdev=mem
	       -chardev "socket,id=vuvsock,path=$vuvsock"
	       -device vhost-user-vsock-pci,chardev=vuvsock)
fi
# Extra QEMU arguments from the environment, split on spaces (for example
# VACCEL_VM_QEMU_ARGS="-bios qboot.rom").
if [ -n "${VACCEL_VM_QEMU_ARGS:-}" ]; then
	read -r -a extra <<<"$VACCEL_VM_QEMU_ARGS"
	args+=("${extra[@]}")
fi
args+=(-append "$cmdline$append")

if [ "$shell" = 1 ]; then
	exec "$qemu" "${args[@]}"
fi

log=${log_file:-$work/console.log}
: >"$log"
now() {
	date +%s.%N
}
elapsed() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'
}

start=$(now)
"$qemu" "${args[@]}" </dev/null >"$log" 2>"$work/qemu.err" &
qpid=$!
if [ "$quiet" = 0 ]; then
	# The serial console ends lines with CRLF; show plain lines.
	tail -n +1 -f --pid="$qpid" "$log" | tr -d '\r' &
	teepid=$!
fi

boot_at=
end_at=
timed_out=0
deadline=$(($(date +%s) + timeout))
while kill -0 "$qpid" 2>/dev/null; do
	if [ -z "$boot_at" ] && grep -aq 'vaccel-vm: init started' "$log"; then
		boot_at=$(now)
	fi
	if grep -aq '^VACCEL-VM-EXIT [0-9]' "$log"; then
		end_at=$(now)
		break
	fi
	if [ "$(date +%s)" -ge "$deadline" ]; then
		timed_out=1
		break
	fi
	sleep 0.1
done

# After the marker the guest powers off by itself; give it a moment.
for _ in $(seq 50); do
	kill -0 "$qpid" 2>/dev/null || break
	sleep 0.1
done
kill "$qpid" 2>/dev/null || true
qrc=0
wait "$qpid" || qrc=$?
qpid=
if [ -n "$teepid" ]; then
	wait "$teepid" 2>/dev/null || true
	teepid=
fi
# QEMU may exit between two polls; then the log is read once more here.
if [ -z "$boot_at" ] && grep -aq 'vaccel-vm: init started' "$log"; then
	boot_at=$(now)
fi
if [ -z "$end_at" ] && grep -aq '^VACCEL-VM-EXIT [0-9]' "$log"; then
	end_at=$(now)
fi

if [ "$timed_out" = 1 ]; then
	echo "$prog: FAIL: no end marker within ${timeout}s (log: ${log_file:-console above})" >&2
	exit 124
fi
if [ -z "$boot_at" ] && [ "$qrc" -ne 0 ]; then
	echo "$prog: FAIL: $qemu failed to start (exit $qrc):" >&2
	sed 's/^/    /' "$work/qemu.err" >&2
	exit 1
fi
status=$(tr -d '\r' <"$log" | sed -n 's/^VACCEL-VM-EXIT \([0-9][0-9]*\)$/\1/p' | tail -n1)
if [ -z "$status" ]; then
	echo "$prog: FAIL: the guest ended without an end marker (qemu exit $qrc)" >&2
	sed 's/^/    /' "$work/qemu.err" >&2
	exit 1
fi
echo "$prog: boot $(elapsed "$start" "${boot_at:-$end_at}")s to /init," \
	"$(elapsed "$start" "$end_at")s to the end marker; guest exit $status"
exit "$status"
