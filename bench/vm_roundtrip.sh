#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Round trip of a noop op and of ops carrying a 4 KiB and a 600 KB
# argument, measured with the bench-vaccel worker (the exec op of the noop
# plugin, through the rpc plugin), five ways:
#
#   host-unix      host client -> host agent over a unix socket (native)
#   guest-local    guest client with the noop plugin in the guest: no
#                  transport at all, only the client-side call path under TCG
#   guest-vsock    guest client -> agent in the same guest over vsock
#                  loopback: the whole rpc path under TCG, no device
#   guest-virtio   guest client -> host agent over virtio-serial: the guest
#                  half under TCG, the agent native, QEMU's device between
#   guest-vhostuser guest client -> host agent over AF_VSOCK through QEMU's
#                  vhost-user-vsock and vaccel-vsock-device (hybrid vsock):
#                  the guest half under TCG, back-end and agent native
#
#   bench/vm_roundtrip.sh [BUILD_DIR] [ITERATIONS]
#
# Prints one line per way and size: "way size median_us p10_us p90_us n".
# Needs qemu-system-x86_64 and the VM image tools in tests/vm (the image is
# built or reused in $VACCEL_VM_CACHE, default ~/.cache/vaccel-vm). Exits 77
# when QEMU cannot run. Not a test: numbers only (docs/vm.md, "Performance").

set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(realpath "${1:-$repo/build}")
iters=${2:-200}
cache=${VACCEL_VM_CACHE:-$HOME/.cache/vaccel-vm}
vm=$repo/tests/vm
worker=$build/bench/bench-vaccel
agent=$build/agent/vaccel-agent
device=$build/vsock-device/vaccel-vsock-device
noop=$(realpath "$build/plugins/noop/libvaccel-noop.so")
rpc=$build/plugins/rpc/libvaccel-rpc.so
for f in "$worker" "$agent" "$device" "$noop" "$rpc"; do
	[ -e "$f" ] || { echo "vm_roundtrip: $f not built" >&2; exit 2; }
done
command -v qemu-system-x86_64 >/dev/null || { echo "vm_roundtrip: no qemu" >&2; exit 77; }

work=$(mktemp -d "${TMPDIR:-/tmp}/vaccel-vmrt.XXXXXX")
agent_pid=
device_pid=
trap '[ -n "$agent_pid" ] && kill $agent_pid 2>/dev/null;
      [ -n "$device_pid" ] && kill $device_pid 2>/dev/null; rm -rf "$work"' EXIT

# The worker's commands: a warm-up block, then the timed block, per size.
sizes=(0 4096 614400)
for size in "${sizes[@]}"; do
	printf 'exec noop %s\nrun 20\nrun %s\n' "$size" "$iters"
done >"$work/cmds"
echo quit >>"$work/cmds"

# stats WAY < worker output: median and spread of each timed block (the
# second block of each size; the first is the warm-up).
stats() {
	local way=$1 blk=0 line
	local -a vals=()

	while read -r line; do
		case "$line" in
		it\ *)
			set -- $line
			vals+=("$2")
			;;
		done)
			blk=$((blk + 1))
			if [ $((blk % 2)) = 0 ] && [ ${#vals[@]} -gt 0 ]; then
				printf '%s\n' "${vals[@]}" | sort -n | awk -v way="$way" \
					-v size="${sizes[$((blk / 2 - 1))]}" '
					{ v[NR] = $1 / 1000 }
					END {
						printf "%-16s %7s %9.1f %9.1f %9.1f %5d\n", way, size,
						       v[int(NR / 2) + 1], v[int(NR / 10) + 1],
						       v[int(NR * 9 / 10)], NR
					}'
			fi
			vals=()
			;;
		esac
	done
}

image=$("$vm/build-image.sh" "$build" "$cache" | tail -n1)
"$device" -s "$work/vhost.sock" -c 3 -u "$work/v.sock" >"$work/device.log" 2>&1 &
device_pid=$!
"$agent" -a "virtio://$work/ch0.sock" -a "unix://$work/host.sock" \
	-a "unix://$work/v.sock_2048" -p "$noop" \
	--exec-allow "$noop" >"$work/agent.log" 2>&1 &
agent_pid=$!
for _ in $(seq 100); do
	[ -S "$work/host.sock" ] && [ -S "$work/vhost.sock" ] && break
	sleep 0.1
done

echo "way                 size median_us    p10_us    p90_us     n"
VACCEL_PLUGINS=$rpc VACCEL_RPC_ADDRESS=unix://$work/host.sock \
	BENCH_EXEC_LIB=$noop "$worker" <"$work/cmds" | stats host-unix

cat >"$work/guest.sh" <<GUEST
#!/bin/sh
export BENCH_EXEC_LIB=$noop
lib=/opt/vaccel/lib
echo "WAY guest-local"
VACCEL_PLUGINS=\$lib/libvaccel-noop.so /vaccel-run/bench-vaccel </vaccel-run/cmds
# The in-guest agent allows the guest's copy of the noop plugin (the exec
# "library" is only a name the noop plugin never opens).
vaccel-agent -a vsock://any:2048 -p \$lib/libvaccel-noop.so \
	--exec-allow \$lib/libvaccel-noop.so >/tmp/agent.log 2>&1 &
i=0
until grep -q "listening on vsock" /tmp/agent.log || [ \$i -ge 100 ]; do
	sleep 0.1
	i=\$((i + 1))
done
echo "WAY guest-vsock"
BENCH_EXEC_LIB=\$lib/libvaccel-noop.so VACCEL_PLUGINS=\$lib/libvaccel-rpc.so \
	VACCEL_RPC_ADDRESS=vsock://1:2048 /vaccel-run/bench-vaccel </vaccel-run/cmds
echo "WAY guest-virtio"
VACCEL_PLUGINS=\$lib/libvaccel-rpc.so VACCEL_RPC_ADDRESS=virtio://org.vaccel.0 \
	/vaccel-run/bench-vaccel </vaccel-run/cmds
echo "WAY guest-vhostuser"
VACCEL_PLUGINS=\$lib/libvaccel-rpc.so VACCEL_RPC_ADDRESS=vsock://2:2048 \
	/vaccel-run/bench-vaccel </vaccel-run/cmds
GUEST
"$vm/run-guest.sh" --quiet --timeout 600 --serial "org.vaccel.0=$work/ch0.sock" \
	--vhost-user-vsock "$work/vhost.sock" \
	--file "$worker" --file "$work/cmds" --script "$work/guest.sh" \
	--log "$work/console.log" "$image" >"$work/run.log" 2>&1 || {
	rc=$?
	cat "$work/run.log" >&2
	exit "$rc"
}
tr -d '\r' <"$work/console.log" >"$work/console.txt"
[ -z "${VMRT_KEEP:-}" ] || cp "$work/console.txt" "$VMRT_KEEP"
for way in guest-local guest-vsock guest-virtio guest-vhostuser; do
	awk -v w="$way" '$1 == "WAY" { on = ($2 == w); next } on' \
		"$work/console.txt" | stats "$way"
done
