#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Mixed architectures: clients and agents of different word sizes talk to
# each other and get byte for byte what the same program gets locally.
#
#   tests/mixed/mixed-arch.sh NATIVE_BUILD ARM64_BUILD ARMHF_BUILD
#
# NATIVE_BUILD is an x86-64 build tree, ARM64_BUILD and ARMHF_BUILD cross
# build trees (cross/); foreign programs run under qemu-user (cross/emulate.sh).
# The foreign processes find their libraries in the Debian roots of
# cross/sysroot.sh (arm64's has libtorch, so an arm64 agent has its torch
# plugin).
#
# vaccel-mixed-ops runs one call of every op family and prints each result's
# bytes. Its report through an agent must equal, byte for byte, its report
# run locally on the agent's architecture with the same plugins
# (torch:exec:noop):
#
#   armhf and arm64 clients -> x86-64 agent, over UNIX and TCP
#   x86-64 client -> x86-64 agent (the same-architecture baseline)
#   x86-64 and armhf clients -> arm64 agent, over UNIX and TCP / UNIX
#
# Whether arm64's own local results equal x86-64's is printed for
# information (libtorch's float kernels differ between the two).
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
if [ $# -ne 3 ]; then
	echo "usage: mixed-arch.sh NATIVE_BUILD ARM64_BUILD ARMHF_BUILD" >&2
	exit 2
fi
# The qemu library root of each architecture (cross/sysroot.sh); apt runs
# there, outside the emulation namespace, where it can drop its privileges.
if [ -z "${VACCEL_MIXED_ROOTS:-}" ]; then
	arm64_root=$(bash "$src/cross/sysroot.sh" arm64) &&
		armhf_root=$(bash "$src/cross/sysroot.sh" armhf) || exit 1
	export VACCEL_MIXED_ROOTS=$arm64_root:$armhf_root
	exec "$src/cross/emulate.sh" aarch64,arm bash "$0" "$@"
fi
native=$(cd "$1" && pwd)
arm64=$(cd "$2" && pwd)
armhf=$(cd "$3" && pwd)
declare -A root=([$native]="" [$arm64]=${VACCEL_MIXED_ROOTS%%:*}
	[$armhf]=${VACCEL_MIXED_ROOTS#*:})
declare -A arch=([$native]=x86-64 [$arm64]=arm64 [$armhf]=armhf)

tmp=$(mktemp -d)
agents=()
cleanup() {
	for pid in "${agents[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

export VACCEL_TORCH_THREADS=1
export VACCEL_TORCH_LABELS=$src/data/imagenet.txt
data=$src/tests/data
image=$src/data/example.jpg
failures=0
passes=0

plugins() { # build
	local p="$1/plugins/exec/libvaccel-exec.so:$1/plugins/noop/libvaccel-noop.so"
	if [ -f "$1/plugins/torch/libvaccel-torch.so" ]; then
		p="$1/plugins/torch/libvaccel-torch.so:$p"
	fi
	echo "$p"
}

lib() { # build
	echo "$1/tests/mixed/libvaccel-mixedlib.so"
}

# run_ops <report> <client build> <plugins> <lib>: the report of one run.
run_ops() {
	QEMU_LD_PREFIX=${root[$2]} VACCEL_PLUGINS=$3 \
		"$2/tests/mixed/vaccel-mixed-ops" "$4" "$data" "$image" \
		>"$tmp/$1.txt" 2>"$tmp/$1.err"
	local rc=$?
	if [ $rc != 0 ] || [ ! -s "$tmp/$1.txt" ]; then
		echo "FAIL $1: vaccel-mixed-ops exited $rc"
		cat "$tmp/$1.err"
		failures=$((failures + 1))
		return 1
	fi
}

# start_agent <name> <build>: starts the agent of <build> on a UNIX socket
# and a TCP port; sets agent_unix and agent_tcp.
start_agent() {
	local name=$1 build=$2 line
	mkfifo "$tmp/$name.ready"
	QEMU_LD_PREFIX=${root[$build]} "$build/agent/vaccel-agent" \
		-a "unix://$tmp/$name.sock" -a tcp://127.0.0.1:0 \
		-p "$(plugins "$build")" --exec-allow "$(lib "$build")" \
		--exec-allow-uploaded --ready-fd 3 \
		3>"$tmp/$name.ready" 2>"$tmp/$name.log" &
	agents+=($!)
	agent_unix="" agent_tcp=""
	# The agent writes LISTEN lines, then READY, and closes the pipe (also
	# when it dies), so these reads end.
	while read -r line; do
		case $line in
		"LISTEN unix"*) agent_unix=${line#LISTEN } ;;
		"LISTEN tcp"*) agent_tcp=${line#LISTEN } ;;
		esac
	done <"$tmp/$name.ready"
	if [ -z "$agent_unix" ] || [ -z "$agent_tcp" ]; then
		echo "FAIL: the $name agent did not start"
		cat "$tmp/$name.log"
		exit 1
	fi
}

# compare <what> <report> <reference report>
compare() {
	if cmp -s "$tmp/$2.txt" "$tmp/$3.txt"; then
		echo "PASS $1: $(wc -l <"$tmp/$2.txt") results byte-identical"
		passes=$((passes + 1))
		return
	fi
	echo "FAIL $1: results differ from $3 in:"
	diff <(cut -d' ' -f1-2 "$tmp/$3.txt") <(cut -d' ' -f1-2 "$tmp/$2.txt") |
		sed -n 's/^[<>]/  &/p'
	diff "$tmp/$3.txt" "$tmp/$2.txt" | cut -c1-200 | head -20
	cat "$tmp/$2.err"
	failures=$((failures + 1))
}

# remote <agent build> <client build> <address> <transport>: the client's
# report through the agent against the agent architecture's local one.
remote() {
	local name="${arch[$2]}-to-${arch[$1]}-$4"
	VACCEL_RPC_ADDRESS=$3 run_ops "$name" "$2" \
		"$2/plugins/rpc/libvaccel-rpc.so" "$(lib "$1")" &&
		compare "${arch[$2]} client -> ${arch[$1]} agent over $4" \
			"$name" "local-${arch[$1]}"
}

for b in "$native" "$arm64"; do
	run_ops "local-${arch[$b]}" "$b" "$(plugins "$b")" "$(lib "$b")" || exit 1
	# A reference where calls failed would make equal reports meaningless.
	if grep -v ' rc=0' "$tmp/local-${arch[$b]}.txt"; then
		echo "FAIL: calls above failed in the local ${arch[$b]} run"
		exit 1
	fi
	start_agent "${arch[$b]}" "$b"
	remote "$b" "$native" "$agent_unix" unix
	remote "$b" "$native" "$agent_tcp" tcp
	if [ "$b" = "$native" ]; then
		for c in "$armhf" "$arm64"; do
			remote "$b" "$c" "$agent_unix" unix
			remote "$b" "$c" "$agent_tcp" tcp
		done
	else
		remote "$b" "$armhf" "$agent_unix" unix
	fi
done

# The two local reports line by line (the same program: the same calls in
# the same order): the names of the calls whose results differ.
differ=$(paste -d'\n' "$tmp/local-x86-64.txt" "$tmp/local-arm64.txt" |
	awk 'NR % 2 { ref = $0; next } $0 != ref { print $1 }' | xargs)
echo "note: arm64 and x86-64 local results differ in: ${differ:-nothing}" \
	"(of $(wc -l <"$tmp/local-x86-64.txt") calls)"
echo "$passes passed, $failures failed"
[ $failures = 0 ]
