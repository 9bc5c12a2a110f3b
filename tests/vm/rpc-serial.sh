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
#   1. The guest runs noop, minmax, sgemm, exec, the genop forms
#      (*_generic), exec_with_resource, image classification with a model
#      uploaded from the guest and torch_inference, all with
#      VACCEL_RPC_ADDRESS=virtio://org.vaccel.0; the host runs the same
#      examples locally with the same plugins; the result lines must be
#      equal.
#   2. Channel resync with real guest processes: a classify client killed
#      after registering its model (the host sees its session and resource
#      still held, the channel never disconnected); garbage; a normal
#      client, after which the host sees the killed client's objects gone;
#      a torn frame (a process that dies inside a frame); a normal client
#      again; a 10 MB flood on port 0 while a client on port 1 is served;
#      a normal client on port 0 after the flood.
#
# Exits 77 (skip) only when QEMU cannot start or what it needs is not built.
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
torch=$build/plugins/torch/libvaccel-torch.so
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not found"

plugins=$exec_plugin:$noop
if [ -e "$torch" ]; then
	plugins=$exec_plugin:$torch:$noop
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

passed=0
failed=0
check() {
	if [ "$2" = 0 ]; then
		echo "ok   $1"
		passed=$((passed + 1))
	else
		echo "FAIL $1"
		failed=$((failed + 1))
	fi
}

ctl=unix://$work/ctl.sock
export VACCEL_TORCH_LABELS=$src/data/imagenet.txt VACCEL_TORCH_THREADS=1
"$agent" -a "virtio://$work/ch0.sock" -a "virtio://$work/ch1.sock" -a "$ctl" \
	-p "$plugins" --exec-allow "$testlib" --exec-allow-uploaded -l 3 \
	>"$work/agent.log" 2>&1 &
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

# The example runs, as "name|program args"; @IMG@ and the like are replaced
# by host or guest paths. exec names a library the host's agent opens, so it
# gets the host path on both sides; exec_with_resource uploads its library.
cases() {
	cat <<'EOF'
noop|noop 3
minmax|minmax
sgemm|sgemm 1
sgemm_generic|sgemm_generic 1
exec|exec @EXECLIB@ 1
exec_generic|exec_generic @EXECLIB@ 1
exec_with_resource|exec_with_resource @TESTLIB@
classify|classify @IMG@ 1 @MODEL@
classify_generic|classify_generic @IMG@ 1 @MODEL@
torch_inference|torch_inference @IMG@ @TINY@ @LABELS@ 1
EOF
}
# One run prints its output lines as "OUT name: line" (without the lines
# that carry session ids or timings) and "RC name status".
run_fn='run() {
	name=$1
	shift
	"$@" >/tmp/vm-case.out 2>&1
	rc=$?
	grep -v -e "^Initialized session" -e "^iteration " -e "^run [0-9]*: " \
		-e "^mean: " /tmp/vm-case.out |
		sed "s/^/OUT $name: /"
	echo "RC $name $rc"
}'

port0=/dev/virtio-ports/org.vaccel.0
{
	echo '#!/bin/sh'
	echo "$run_fn"
	echo 'export VACCEL_PLUGINS=/opt/vaccel/lib/libvaccel-rpc.so'
	echo 'export VACCEL_RPC_ADDRESS=virtio://org.vaccel.0'
	echo 'cd /opt/vaccel/bin'
	cases | sed -e "s|@EXECLIB@|$testlib|g" \
		-e "s|@TESTLIB@|/opt/vaccel/lib/libmytestlib.so|g" \
		-e "s|@IMG@|/opt/vaccel/share/data/example.jpg|g" \
		-e "s|@MODEL@|/vaccel-run/${model##*/}|g" \
		-e "s|@TINY@|/vaccel-run/tiny_cnn.pt|g" \
		-e "s|@LABELS@|/opt/vaccel/share/data/imagenet.txt|g" |
		while IFS='|' read -r name cmd; do
			echo "run $name ./$cmd"
		done
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
run after-garbage ./noop 1
echo "VMSTEP resynced"
sleep 3
port-abuse $port0 torn; echo "RC torn \$?"
run after-torn ./noop 1
port-abuse $port0 zeros 10000000 &
flood=\$!
VACCEL_RPC_ADDRESS=virtio://org.vaccel.1 run port1-during-flood ./noop 20
wait \$flood; echo "RC flood \$?"
run after-flood ./noop 1
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

# Host-local reference, with the agent's plugins, while the guest boots
# (loading libtorch per example takes a while on a loaded host).
(
	cd "$work"
	eval "${run_fn//\/tmp\/vm-case.out/$work\/case.out}"
	cases | sed -e "s|@EXECLIB@|$testlib|g" -e "s|@TESTLIB@|$testlib|g" \
		-e "s|@IMG@|$src/data/example.jpg|g" -e "s|@MODEL@|$model|g" \
		-e "s|@TINY@|$tiny|g" -e "s|@LABELS@|$src/data/imagenet.txt|g" |
		while IFS='|' read -r name cmd; do
			# shellcheck disable=SC2086
			VACCEL_PLUGINS=$plugins run "$name" "$build/examples/"$cmd
		done
) >"$work/host.txt" &
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
wait "$host_pid" || true
cat "$work/run.log"
if [ "$rc" = 77 ]; then
	echo "rpc-serial: SKIP: QEMU cannot start here"
	exit 77
fi
tr -d '\r' <"$work/console.log" >"$work/console.txt"

check "guest script ran to the end (exit $rc)" \
	"$(grep -qx 'VMSTEP done' "$work/console.txt" && [ "$rc" = 0 ]; echo $?)"
grep -E '^(OUT|RC) ' "$work/console.txt" >"$work/guest.txt" || true
for name in $(cases | cut -d'|' -f1); do
	grep -E "^(OUT|RC) $name[: ]" "$work/host.txt" >"$work/want" || true
	grep -E "^(OUT|RC) $name[: ]" "$work/guest.txt" >"$work/got" || true
	if diff -u "$work/want" "$work/got" >"$work/diff" &&
	   grep -qx "RC $name 0" "$work/got"; then
		check "$name in the guest equals the host-local run" 0
	else
		check "$name in the guest equals the host-local run" 1
		sed 's/^/    /' "$work/diff"
		grep -q "RC $name 0" "$work/want" || sed 's/^/    host: /' "$work/want"
	fi
done
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
