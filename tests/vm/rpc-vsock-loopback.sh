#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# vAccel rpc over AF_VSOCK inside one VM: the guest starts vaccel-agent on
# vsock://any:PORT (served by vsock_loopback, CID 1) with the exec, noop and
# reference plugins (and a second one with mbench), then runs every example
# and the reference check (every op family) with the rpc plugin and
# VACCEL_RPC_ADDRESS=vsock://1:PORT. This exercises the rpc plugin, codec,
# vsock transport and agent in the guest kernel without needing
# /dev/vhost-vsock on the host (this host has none). The host runs the same
# programs through the same agents on unix sockets; each program's output
# must be the same.
#
#   rpc-vsock-loopback.sh BUILD_OR_PREFIX_DIR [CACHE_DIR]
#
# Exits 77 (skip) when QEMU is not installed or the agent / rpc plugin is
# not built.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -ge 1 ] || { echo "usage: rpc-vsock-loopback.sh BUILD_OR_PREFIX_DIR [CACHE_DIR]" >&2; exit 2; }
build=$(realpath "$1")
cache=${2:-${VACCEL_VM_CACHE:-$HOME/.cache/vaccel-vm}}

if ! command -v qemu-system-x86_64 >/dev/null; then
	echo "rpc-vsock-loopback: SKIP: qemu-system-x86_64 not found"
	exit 77
fi
image=$("$here/build-image.sh" "$build" "$cache" | tail -n1)
payload=$(cat "$image/inputs.manifest")
for want in /opt/vaccel/bin/vaccel-agent /opt/vaccel/lib/libvaccel-rpc.so \
	    /opt/vaccel/lib/libvaccel-noop.so; do
	if ! grep -q " $want\$" <<<"$payload"; then
		echo "rpc-vsock-loopback: SKIP: ${want##*/} is not built in $build"
		exit 77
	fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/vaccel-vsock-vm.XXXXXX")
trap 'rm -rf "$work"' EXIT

# shellcheck source=tests/vm/compare.sh
. "$here/compare.sh"

port=2048
# The agents refuse exec by default; the examples' test library and uploaded
# libraries are allowed explicitly.
# One agent serves exec, noop and the reference plugin; the mbench example
# goes to a second agent with the mbench plugin, because an agent hands each
# op to one plugin and exec("mbench") would otherwise reach the exec plugin.
# The plugins are named under $lib: the guest's or the host tree's lib dir.
agent_plugins='$lib/libvaccel-exec.so:$lib/libvaccel-noop.so:$lib/libvaccel-reference.so'
cat >"$work/guest.sh" <<GUEST
#!/bin/sh
lib=/opt/vaccel/lib
plugins=$agent_plugins
mbench=\$lib/libvaccel-mbench.so

# start_agent PORT PLUGINS LOG: starts an agent and waits for its
# "listening on" line.
start_agent() {
	vaccel-agent -a vsock://any:\$1 -p "\$2" \\
		--exec-allow \$lib/libmytestlib.so --exec-allow-uploaded >"\$3" 2>&1 &
	pid=\$!
	tries=0
	until grep -q "listening on vsock" "\$3"; do
		tries=\$((tries + 1))
		if [ \$tries -ge 100 ] || ! kill -0 \$pid 2>/dev/null; then
			echo "rpc-vsock-loopback: the agent on port \$1 did not come up; its log:"
			cat "\$3"
			return 1
		fi
		sleep 0.1
	done
}

start_agent $port "\$plugins" /tmp/agent.log || exit 1
agent=\$pid
start_agent $((port + 1)) "\$mbench" /tmp/agent-mbench.log || exit 1
agent_mbench=\$pid

VACCEL_GUEST_SKIP=mbench VACCEL_RPC_ADDRESS=vsock://1:$port vaccel-guest-test rpc
rc=\$?
VACCEL_GUEST_TESTS=mbench VACCEL_RPC_ADDRESS=vsock://1:$((port + 1)) vaccel-guest-test rpc
rc2=\$?
kill \$agent \$agent_mbench
wait \$agent \$agent_mbench
if [ \$rc -ne 0 ] || [ \$rc2 -ne 0 ]; then
	echo "the agents' logs:"
	cat /tmp/agent.log /tmp/agent-mbench.log
	exit 1
fi
GUEST

rc=0
"$here/run-guest.sh" --timeout "${VACCEL_VM_TIMEOUT:-400}" --log "$work/console.log" \
	--script "$work/guest.sh" "$image" || rc=$?
[ "$rc" = 77 ] && exit 77
tr -d '\r' <"$work/console.log" | grep -E '^(OUT|RC) ' >"$work/guest.txt" || true

# The host side: the same programs (host-tree.sh) through the same two
# agents, on unix sockets.
tree=$work/host
lib=$tree/lib
"$here/host-tree.sh" "$build" "$tree"
host_agent() { # SOCKET PLUGINS LOG
	LD_LIBRARY_PATH=$lib "$tree/bin/vaccel-agent" -a "unix://$1" -p "$2" \
		--exec-allow "$lib/libmytestlib.so" --exec-allow-uploaded >"$3" 2>&1 &
	agent_pids+=($!)
	for _ in $(seq 100); do
		[ -S "$1" ] && return 0
		sleep 0.1
	done
	echo "FAIL the host agent on $1 did not start:"
	sed 's/^/    /' "$3"
	return 1
}
agent_pids=()
hrc=0
host_agent "$work/a.sock" "$(eval echo "$agent_plugins")" "$work/agent.log" &&
	host_agent "$work/m.sock" "$lib/libvaccel-mbench.so" "$work/agent-mbench.log" || hrc=1
if [ "$hrc" = 0 ]; then
	{
		VACCEL_GUEST_SKIP=mbench VACCEL_RPC_ADDRESS=unix://$work/a.sock \
			host_driver rpc || hrc=$?
		VACCEL_GUEST_TESTS=mbench VACCEL_RPC_ADDRESS=unix://$work/m.sock \
			host_driver rpc || hrc=$?
	} >"$work/host.txt" 2>&1
fi
kill "${agent_pids[@]}" 2>/dev/null || true
wait 2>/dev/null || true

finish_runs "$hrc" "$work/host.txt" "$rc"
