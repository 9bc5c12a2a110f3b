#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# End-to-end vAccel from a QEMU guest to the host over AF_VSOCK, through
# QEMU's vhost-user-vsock-pci device and our back-end vaccel-vsock-device
# (hybrid vsock: the guest's connections to host port P arrive on the UNIX
# socket WORK/v.sock_P), with no /dev/vhost-vsock on the host.
#
#   rpc-vsock.sh BUILD_DIR [CACHE_DIR]
#
# Host: vaccel-vsock-device -s WORK/vhost.sock -c 3 -u WORK/v.sock; the
# agent listens on unix://WORK/v.sock_2048 (exec, torch when built, noop,
# reference)
# and on a control socket for STATS; a second agent on v.sock_2049 has the
# mbench plugin. Then:
#   1. the guest driver (guest/vaccel-guest-test.sh: every example and the
#      reference check) runs in the guest with VACCEL_RPC_ADDRESS=vsock://2:2048
#      (mbench: :2049) and its results equal the host-local run of the same
#      driver with the agents' plugins (compare.sh);
#   2. a guest process killed mid-call: the agent held its session and
#      model while it ran, and releases them once it is killed;
#   3. host -> guest: the guest runs an agent on vsock port 3000; the host
#      runs noop and minmax with VACCEL_RPC_ADDRESS=hvsock://WORK/v.sock:3000
#      ("CONNECT 3000\n"), equal to host-local; CONNECT to a port where
#      nothing listens is refused; every step of the script waits on a
#      guest vsock-serve that the host releases with CONNECT and an echo;
#   4. QEMU killed (SIGKILL) mid-call: the back-end drops the front-end and
#      closes the guest's connections, the agent releases their state, and
#      the back-end keeps running.
# The back-end logs no bad packet, credit violation or queue fault for the
# Linux guest.
#
# Exits 77 (skip) only when QEMU is not installed or what it needs is not
# built.
# Models: VACCEL_VM_MODEL (default tests/data/tiny_cnn.pt) for classify,
# tests/data/tiny_cnn.pt for torch_inference.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
[ $# -ge 1 ] || { echo "usage: rpc-vsock.sh BUILD_DIR [CACHE_DIR]" >&2; exit 2; }
build=$(realpath "$1")
cache=${2:-${VACCEL_VM_CACHE:-$HOME/.cache/vaccel-vm}}
python=${PYTHON:-/usr/bin/python3}

skip() {
	echo "rpc-vsock: SKIP: $*" | tee /dev/stderr
	exit 77
}
need() {
	[ -e "$1" ] || skip "${1##*/} not built in $build"
	echo "$1"
}
agent=$(need "$build/agent/vaccel-agent")
device=$(need "$build/vsock-device/vaccel-vsock-device")
noop=$(need "$build/plugins/noop/libvaccel-noop.so")
exec_plugin=$(need "$build/plugins/exec/libvaccel-exec.so")
mbench_plugin=$(need "$build/plugins/mbench/libvaccel-mbench.so")
rpc_plugin=$(need "$build/plugins/rpc/libvaccel-rpc.so")
testlib=$(need "$build/examples/libmytestlib.so")
stats=$(need "$build/tests/vm/vm-agent-stats")
reference=$(need "$build/tests/reference/libvaccel-reference.so")
torch=$build/plugins/torch/libvaccel-torch.so
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not found"

main_plugins=$exec_plugin:$noop:$reference
[ -e "$torch" ] && main_plugins=$exec_plugin:$torch:$noop:$reference
mbench_plugins=$mbench_plugin
tiny=$src/tests/data/tiny_cnn.pt
model=${VACCEL_VM_MODEL:-$tiny}
[ -f "$model" ] || skip "model $model not found"
model=$(realpath "$model")
# shellcheck source=tests/vm/compare.sh
. "$here/compare.sh"

image=$("$here/build-image.sh" "$build" "$cache" | tail -n1)

work=$(mktemp -d "${TMPDIR:-/tmp}/vaccel-rpc-vsock.XXXXXX")
pids=()
guest_pid=
cleanup() {
	[ -n "$guest_pid" ] && kill "$guest_pid" 2>/dev/null
	for p in ${pids[@]+"${pids[@]}"}; do
		kill "$p" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

uds=$work/v.sock
ctl=unix://$work/ctl.sock
"$device" -s "$work/vhost.sock" -c 3 -u "$uds" -l 3 >"$work/device.log" 2>&1 &
device_pid=$!
pids+=("$device_pid")
export VACCEL_TORCH_LABELS=$src/data/imagenet.txt VACCEL_TORCH_THREADS=1
# --admin-stats: the checks below read the agent's totals through ctl.
"$agent" -a "unix://${uds}_2048" -a "$ctl" -p "$main_plugins" \
	--exec-allow "$testlib" --exec-allow-uploaded -l 3 --admin-stats \
	>"$work/agent.log" 2>&1 &
agent_pid=$!
pids+=("$agent_pid")
"$agent" -a "unix://${uds}_2049" -p "$mbench_plugins" \
	--exec-allow "$testlib" >"$work/agent-mbench.log" 2>&1 &
pids+=("$!")
for _ in $(seq 100); do
	[ -S "$work/vhost.sock" ] && [ -S "$work/ctl.sock" ] &&
		[ -S "${uds}_2049" ] && break
	sleep 0.1
done
if [ ! -S "$work/vhost.sock" ] || [ ! -S "$work/ctl.sock" ]; then
	echo "rpc-vsock: FAIL: the back-end or the agent did not start"
	cat "$work/device.log" "$work/agent.log"
	exit 1
fi

# The guest waits at each step in vsock-serve until the host lifts the
# barrier (below); a step that never comes ends the guest at its timeout.
# The driver's settings on both sides: exec and mbench name the host's test
# library, which the agents open; classify uploads $model.
driver_env="VACCEL_GUEST_EXEC_LIB=$testlib"
{
	echo '#!/bin/sh'
	echo "$driver_env VACCEL_GUEST_MODEL=/vaccel-run/tiny_cnn.pt" \
		"VACCEL_GUEST_CLASSIFY_MODEL=/vaccel-run/${model##*/}" \
		"VACCEL_GUEST_SKIP=mbench VACCEL_RPC_ADDRESS=vsock://2:2048 vaccel-guest-test rpc"
	echo "$driver_env VACCEL_GUEST_TESTS=mbench" \
		"VACCEL_RPC_ADDRESS=vsock://2:2049 vaccel-guest-test rpc"
	cat <<'GUEST'
# wait_line FILE PATTERN: until a line matches (the client is mid-call).
wait_line() {
	i=0
	until grep -q "$2" "$1" || [ $i -ge 1200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
export VACCEL_PLUGINS=/opt/vaccel/lib/libvaccel-rpc.so
cd /opt/vaccel/bin
GUEST
	cat <<GUEST
export VACCEL_RPC_ADDRESS=vsock://2:2048
./classify /opt/vaccel/share/data/example.jpg 100000 /vaccel-run/${model##*/} \\
	>/tmp/c1.out 2>&1 &
c1=\$!
wait_line /tmp/c1.out '^iteration 1:'
echo "VMSTEP midcall"
vsock-serve 3001
kill -9 \$c1
wait \$c1
echo "VMSTEP killed"
vsock-serve 3001
vaccel-agent -a vsock://any:3000 -p /opt/vaccel/lib/libvaccel-noop.so \\
	>/tmp/guest-agent.log 2>&1 &
ga=\$!
wait_line /tmp/guest-agent.log 'listening on vsock'
echo "VMSTEP guest-agent"
vsock-serve 3001
kill \$ga
wait \$ga
./classify /opt/vaccel/share/data/example.jpg 100000 /vaccel-run/${model##*/} \\
	>/tmp/c2.out 2>&1 &
wait_line /tmp/c2.out '^iteration 1:'
echo "VMSTEP midcall-final"
wait
GUEST
} >"$work/guest.sh"

files=(--file "$tiny:/vaccel-run/tiny_cnn.pt")
[ "$model" = "$tiny" ] || files+=(--file "$model:/vaccel-run/${model##*/}")
rc=0
VACCEL_VM_QEMU_ARGS="${VACCEL_VM_QEMU_ARGS:-} -pidfile $work/qemu.pid" \
"$here/run-guest.sh" --timeout "${VACCEL_VM_TIMEOUT:-600}" --quiet \
	--vhost-user-vsock "$work/vhost.sock" --log "$work/console.log" \
	--script "$work/guest.sh" "${files[@]}" "$image" >"$work/run.log" 2>&1 &
guest_pid=$!

# The host-local reference: the same driver in the image's programs laid
# out on the host (host-tree.sh), with the agents' plugins, while the guest
# boots.
tree=$work/host
"$here/host-tree.sh" "$build" "$tree"
(
	# shellcheck disable=SC2086,SC2163
	export $driver_env
	# (both runs, whatever the first one's status)
	hrc=0
	VACCEL_GUEST_MODEL=$tiny VACCEL_GUEST_CLASSIFY_MODEL=$model VACCEL_GUEST_SKIP=mbench \
		VACCEL_PLUGINS=$main_plugins host_driver plugins || hrc=$?
	VACCEL_GUEST_TESTS=mbench VACCEL_PLUGINS=$mbench_plugins host_driver plugins || hrc=$?
	exit "$hrc"
) >"$work/host.txt" 2>&1 &
host_pid=$!

wait_step() {
	while kill -0 "$guest_pid" 2>/dev/null; do
		[ -f "$work/console.log" ] && tr -d '\r' <"$work/console.log" |
			grep -qx "VMSTEP $1" && return 0
		sleep 0.2
	done
	return 1
}
# release: lifts the guest's barrier through CONNECT 3001 and an echo.
release() {
	"$python" "$here/hvsock-connect.py" "$uds" 3001 "go $1" >>"$work/release.log" 2>&1
}
# stats_until REGEX: asks the agent until its totals match (the release
# of a dead client's state follows the guest's RST); prints the last.
stats_until() {
	local st=
	for _ in $(seq 100); do
		st=$("$stats" "$ctl" || true)
		[[ "$st" =~ $1 ]] && break
		sleep 0.2
	done
	echo "$st"
}

st_mid=
st_killed=
guest_agent=1
refused=1
st_final=
st_dropped=
rel=0
if wait_step midcall; then
	st_mid=$(stats_until '^connections=2 sessions=1 resources=1')
	release midcall || rel=1
fi
if wait_step killed; then
	st_killed=$(stats_until '^connections=1 sessions=0 resources=0')
	release killed || rel=1
fi
if wait_step guest-agent; then
	VACCEL_GUEST_TESTS="noop minmax" VACCEL_PLUGINS=$rpc_plugin \
		VACCEL_RPC_ADDRESS=hvsock://$uds:3000 host_driver rpc \
		>"$work/hvsock-guest.txt" 2>&1 || true
	VACCEL_GUEST_TESTS="noop minmax" VACCEL_PLUGINS=$noop \
		host_driver plugins >"$work/hvsock-host.txt" 2>&1 || true
	guest_agent=0
	"$python" "$here/hvsock-connect.py" "$uds" 3999 >"$work/refused.log" 2>&1 ||
		refused=$?
	release guest-agent || rel=1
fi
if wait_step midcall-final; then
	st_final=$(stats_until '^connections=2 sessions=1 resources=1')
	kill -9 "$(cat "$work/qemu.pid")"
	st_dropped=$(stats_until '^connections=1 sessions=0 resources=0')
fi
wait "$guest_pid" || rc=$?
guest_pid=
hrc=0
wait "$host_pid" || hrc=$?
cat "$work/run.log"
[ -z "$st_final" ] ||
	echo "rpc-vsock: (QEMU was killed on purpose at the last step: run-guest.sh sees no end marker)"
if [ "$rc" = 77 ]; then
	echo "rpc-vsock: SKIP: QEMU is not installed"
	exit 77
fi
tr -d '\r' <"$work/console.log" >"$work/console.txt"
grep -E '^(OUT|RC) ' "$work/console.txt" >"$work/guest.txt" || true

check_runs "$hrc" "$work/host.txt" "$work/guest.txt"
# connections: the killed client's, and the one asking.
check "a client mid-call holds its session and model ($st_mid)" \
	"$([[ "$st_mid" =~ ^connections=2\ sessions=1\ resources=1 ]]; echo $?)"
check "killed, its session and model are released ($st_killed)" \
	"$([[ "$st_killed" =~ ^connections=1\ sessions=0\ resources=0\ upload_bytes=0 ]]; echo $?)"
check "the guest's agent came up (step guest-agent)" "$guest_agent"
[ "$guest_agent" != 0 ] || compare_runs "$work/hvsock-host.txt" "$work/hvsock-guest.txt" \
	"host -> guest agent over CONNECT equals host-local"
check "CONNECT to a guest port nobody listens on is refused (exit $refused)" \
	"$([ "$refused" = 1 ]; echo $?)"
check "the guest's barriers were lifted with CONNECT and an echo" "$rel"
check "QEMU killed mid-call: the client held a session ($st_final)" \
	"$([[ "$st_final" =~ ^connections=2\ sessions=1\ resources=1 ]]; echo $?)"
check "then everything it held is released ($st_dropped)" \
	"$([[ "$st_dropped" =~ ^connections=1\ sessions=0\ resources=0\ upload_bytes=0 ]]; echo $?)"
check "the back-end dropped the front-end and still runs" \
	"$(grep -q 'front-end dropped' "$work/device.log" && kill -0 "$device_pid"; echo $?)"
check "the back-end saw no bad packet, credit violation or queue fault" \
	"$(! grep -qE 'guest packet .* dropped|beyond its credit|guest [a-z]+ queue: ' "$work/device.log"; echo $?)"
check "the agents are still running" "$(kill -0 "$agent_pid"; echo $?)"
if [ "$failed" != 0 ]; then
	echo "rpc-vsock: guest console (tail):"
	sed 's/^/    /' "$work/console.txt" | tail -n 60
	echo "rpc-vsock: the back-end's log (tail):"
	tail -n 30 "$work/device.log" | sed 's/^/    /'
	echo "rpc-vsock: the agent's log (tail):"
	tail -n 30 "$work/agent.log" | sed 's/^/    /'
	sed 's/^/    release: /' "$work/release.log" 2>/dev/null || true
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
