#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# End-to-end vAccel from a QEMU guest to the host over virtio-serial.
#
#   rpc-serial.sh BUILD_DIR [CACHE_DIR]
#
# The host agent listens on virtio:///WORK/ch0.sock and ch1.sock (QEMU's
# chardevs for the guest ports org.vaccel.0 and org.vaccel.1) and on a unix
# socket for this script's STATS queries, with the exec, torch (when built)
# and noop plugins. Then:
#   1. The guest driver (guest/vaccel-guest-test.sh: every example but
#      mbench, image classification with a model uploaded from the guest,
#      torch_inference and the reference check, i.e. every op family, typed
#      and genop, on the agent's reference plugin, compared with values
#      computed in the guest) runs with VACCEL_RPC_ADDRESS=virtio://org.vaccel.0;
#      the host runs the same driver locally with the agent's plugins; the
#      output must be equal (compare.sh).
#   2. Channel resync with real guest processes: a classify client killed
#      after registering its model (the host sees its session and resource
#      still held, the channel never disconnected); garbage; a normal
#      client, after which the host sees the killed client's objects gone;
#      a torn frame (a process that dies inside a frame); a normal client
#      again; a 10 MB flood on port 0 while a client on port 1 is served;
#      a normal client on port 0 after the flood.
#
# Exits 77 (skip) only when QEMU is not installed or what it needs is not
# built; QEMU failing to start is a failure.
# Models: VACCEL_VM_MODEL (default tests/data/tiny_cnn.pt; e.g.
# data/models/resnet18.pt) for classify, tests/data/tiny_cnn.pt for
# torch_inference.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
[ $# -ge 1 ] || { echo "usage: rpc-serial.sh BUILD_DIR [CACHE_DIR]" >&2; exit 2; }
build=$(realpath "$1")
cache=${2:-${VACCEL_VM_CACHE:-$HOME/.cache/vaccel-vm}}

skip() {
	echo "rpc-serial: SKIP: $*" | tee /dev/stderr
	exit 77
}
need() {
	[ -e "$1" ] || skip "${1##*/} not built in $build"
	echo "$1"
}
agent=$(need "$build/agent/vaccel-agent")
noop=$(need "$build/plugins/noop/libvaccel-noop.so")
exec_plugin=$(need "$build/plugins/exec/libvaccel-exec.so")
need "$build/plugins/rpc/libvaccel-rpc.so" >/dev/null
testlib=$(need "$build/examples/libmytestlib.so")
stats=$(need "$build/tests/vm/vm-agent-stats")
reference=$(need "$build/tests/reference/libvaccel-reference.so")
torch=$build/plugins/torch/libvaccel-torch.so
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not found"
# shellcheck source=tests/vm/compare.sh
. "$here/compare.sh"

plugins=$exec_plugin:$noop:$reference
if [ -e "$torch" ]; then
	plugins=$exec_plugin:$torch:$noop:$reference
fi
# The tiny CNN keeps the test fast (a 47 MB resnet18 adds ~10 s of boot for
# the bigger initrd and ~10 s per upload under TCG);
# VACCEL_VM_MODEL=data/models/resnet18.pt runs the real thing.
tiny=$src/tests/data/tiny_cnn.pt
model=${VACCEL_VM_MODEL:-$tiny}
[ -f "$model" ] || skip "model $model not found"

image=$("$here/build-image.sh" "$build" "$cache" | tail -n1)

work=$(mktemp -d "${TMPDIR:-/tmp}/vaccel-rpc-vm.XXXXXX")
agent_pid=
guest_pid=
cleanup() {
	[ -n "$guest_pid" ] && kill "$guest_pid" 2>/dev/null
	[ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

ctl=unix://$work/ctl.sock
export VACCEL_TORCH_LABELS=$src/data/imagenet.txt VACCEL_TORCH_THREADS=1
"$agent" -a "virtio://$work/ch0.sock" -a "virtio://$work/ch1.sock" -a "$ctl" \
	-p "$plugins" --exec-allow "$testlib" --exec-allow-uploaded -l 3 \
	--admin-stats >"$work/agent.log" 2>&1 &
agent_pid=$!
for _ in $(seq 100); do
	[ -S "$work/ch1.sock" ] && [ -S "$work/ctl.sock" ] && break
	sleep 0.1
done
if [ ! -S "$work/ctl.sock" ]; then
	echo "rpc-serial: FAIL: the agent did not start; its log:"
	sed 's/^/    /' "$work/agent.log"
	exit 1
fi

# The driver's settings on both sides: exec and the reference check name
# the host's test library, which the agent opens; classify uploads $model.
driver_env="VACCEL_GUEST_SKIP=mbench VACCEL_GUEST_EXEC_LIB=$testlib"
port0=/dev/virtio-ports/org.vaccel.0
{
	echo '#!/bin/sh'
	# rc_of NAME PROGRAM ARGS...: prints "RC NAME status".
	echo 'rc_of() { n=$1; shift; "$@" >/dev/null 2>&1; echo "RC $n $?"; }'
	echo "$driver_env VACCEL_GUEST_MODEL=/vaccel-run/tiny_cnn.pt" \
		"VACCEL_GUEST_CLASSIFY_MODEL=/vaccel-run/${model##*/}" \
		"VACCEL_RPC_ADDRESS=virtio://org.vaccel.0 vaccel-guest-test rpc"
	echo 'cd /opt/vaccel/bin'
	echo 'export VACCEL_PLUGINS=/opt/vaccel/lib/libvaccel-rpc.so'
	echo 'export VACCEL_RPC_ADDRESS=virtio://org.vaccel.0'
	cat <<GUEST
# A client killed after registering its model: its session and resource
# stay on the host, since the channel sees no disconnect.
./classify /opt/vaccel/share/data/example.jpg 100000 /vaccel-run/${model##*/} \
	>/tmp/c1.out 2>&1 &
c1=\$!
i=0
until grep -q '^iteration 1:' /tmp/c1.out || [ \$i -ge 1200 ]; do
	sleep 0.1
	i=\$((i + 1))
done
kill -9 \$c1
wait \$c1
echo "VMSTEP killed"
sleep 3
port-abuse $port0 garbage 100000; echo "RC garbage \$?"
rc_of after-garbage ./noop 1
echo "VMSTEP resynced"
sleep 3
port-abuse $port0 torn; echo "RC torn \$?"
rc_of after-torn ./noop 1
port-abuse $port0 zeros 10000000 &
flood=\$!
VACCEL_RPC_ADDRESS=virtio://org.vaccel.1 rc_of port1-during-flood ./noop 20
wait \$flood; echo "RC flood \$?"
rc_of after-flood ./noop 1
echo "VMSTEP done"
GUEST
} >"$work/guest.sh"

files=(--file "$tiny:/vaccel-run/tiny_cnn.pt")
[ "$model" = "$tiny" ] || files+=(--file "$model:/vaccel-run/${model##*/}")
rc=0
"$here/run-guest.sh" --timeout "${VACCEL_VM_TIMEOUT:-400}" --quiet \
	--serial "org.vaccel.0=$work/ch0.sock" --serial "org.vaccel.1=$work/ch1.sock" \
	--log "$work/console.log" --script "$work/guest.sh" "${files[@]}" "$image" \
	>"$work/run.log" 2>&1 &
guest_pid=$!

# Host-local reference: the driver in the image's programs laid out on the
# host (host-tree.sh) with the agent's plugins, while the guest boots
# (loading libtorch per example takes a while on a loaded host).
tree=$work/host
"$here/host-tree.sh" "$build" "$tree"
(
	# shellcheck disable=SC2086,SC2163
	export $driver_env VACCEL_GUEST_MODEL="$tiny" \
		VACCEL_GUEST_CLASSIFY_MODEL="$model" VACCEL_PLUGINS="$plugins"
	host_driver plugins
) >"$work/host.txt" 2>&1 &
host_pid=$!


# Watches the console for the guest's steps and asks the agent (through
# the unix socket) what it holds at each.
wait_step() {
	while kill -0 "$guest_pid" 2>/dev/null; do
		[ -f "$work/console.log" ] && tr -d '\r' <"$work/console.log" |
			grep -qx "VMSTEP $1" && return 0
		sleep 0.2
	done
	return 1
}
st_killed=
st_resynced=
if wait_step killed; then
	st_killed=$("$stats" "$ctl" || true)
fi
if wait_step resynced; then
	st_resynced=$("$stats" "$ctl" || true)
fi
wait "$guest_pid" || rc=$?
guest_pid=
hrc=0
wait "$host_pid" || hrc=$?
cat "$work/run.log"
if [ "$rc" = 77 ]; then
	echo "rpc-serial: SKIP: QEMU is not installed"
	exit 77
fi
tr -d '\r' <"$work/console.log" >"$work/console.txt"

check "guest script ran to the end (exit $rc)" \
	"$(grep -qx 'VMSTEP done' "$work/console.txt" && [ "$rc" = 0 ]; echo $?)"
grep -E '^(OUT|RC) ' "$work/console.txt" >"$work/guest.txt" || true
check_runs "$hrc" "$work/host.txt" "$work/guest.txt"
# connections: both channels plus the asking one.
check "killed client's session and model still held ($st_killed)" \
	"$([[ "$st_killed" =~ ^connections=3\ sessions=1\ resources=1 ]]; echo $?)"
check "after the next client's SYNC they are gone ($st_resynced)" \
	"$([[ "$st_resynced" =~ ^connections=3\ sessions=0\ resources=0\ upload_bytes=0 ]]; echo $?)"
for name in garbage torn flood; do
	check "port-abuse $name wrote everything" \
		"$(grep -qx "RC $name 0" "$work/guest.txt"; echo $?)"
done
for name in after-garbage after-torn port1-during-flood after-flood; do
	check "client $name works" \
		"$(grep -qx "RC $name 0" "$work/guest.txt"; echo $?)"
done
check "the agent logged the resyncs" \
	"$(grep -q 'resynchronised after' "$work/agent.log"; echo $?)"
check "the agent is still running" "$(kill -0 "$agent_pid"; echo $?)"
if [ "$failed" != 0 ]; then
	echo "rpc-serial: guest console:"
	sed 's/^/    /' "$work/console.txt" | tail -n 80
	echo "rpc-serial: the agent's log (tail):"
	tail -n 40 "$work/agent.log" | sed 's/^/    /'
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
