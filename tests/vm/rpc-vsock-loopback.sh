#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# vAccel rpc over AF_VSOCK inside one VM: the guest starts vaccel-agent on
# vsock://any:PORT (served by vsock_loopback, CID 1) with the noop and exec
# plugins (and a second one with mbench), then runs every example with the
# rpc plugin and
# VACCEL_RPC_ADDRESS=vsock://1:PORT. This exercises the rpc plugin, codec,
# vsock transport and agent in the guest kernel without needing
# /dev/vhost-vsock on the host (this host has none).
#
#   rpc-vsock-loopback.sh BUILD_OR_PREFIX_DIR [CACHE_DIR]
#
# Exits 77 (skip) when QEMU cannot run or the agent / rpc plugin is not built.

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

port=2048
# The agents refuse exec by default; the examples' test library and uploaded
# libraries are allowed explicitly.
# One agent serves exec and noop; the mbench example goes to a second agent
# with the mbench plugin, because an agent hands each op to one plugin and
# exec("mbench") would otherwise reach the exec plugin.
cat >"$work/guest.sh" <<GUEST
#!/bin/sh
lib=/opt/vaccel/lib
plugins=\$lib/libvaccel-noop.so
[ -e \$lib/libvaccel-exec.so ] && plugins=\$lib/libvaccel-exec.so:\$plugins
mbench=\$lib/libvaccel-mbench.so
[ -e \$mbench ] || mbench=\$lib/libvaccel-noop.so

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
"$here/run-guest.sh" --timeout "${VACCEL_VM_TIMEOUT:-400}" --script "$work/guest.sh" "$image" || rc=$?
if [ "$rc" = 0 ]; then
	echo "1 passed, 0 failed"
elif [ "$rc" != 77 ]; then
	echo "0 passed, 1 failed"
fi
exit "$rc"
