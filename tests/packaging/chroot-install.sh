#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Installs the amd64 packages (scripts/package.sh amd64) into a fresh Debian
# 12 chroot and uses them there, with no source or build tree in sight:
#
#   tests/packaging/chroot-install.sh PKGDIR      (as root)
#
# apt installs the .debs and whatever they depend on from Debian's archive,
# so a dependency that dpkg-shlibdeps missed shows as a program or plugin
# that cannot load. Then, inside the chroot: pkg-config finds vaccel; the
# examples run on the noop, exec and torch plugins (image classification
# with the labels the torch package installs); the agent starts with the
# configuration the package ships (/etc/default/vaccel-agent), serves an
# example over its UNIX socket and stops cleanly on SIGTERM; the systemd
# unit passes systemd-analyze verify (systemd is installed in the chroot,
# not running); purging removes everything, the configuration included.
#
# The chroot comes from a debootstrap --variant=minbase tarball cached in
# $VACCEL_CHROOT_CACHE (default ~/.cache/vaccel-chroot) with apt's downloaded
# .debs, so a second run downloads nothing; the tarball is rebuilt after a
# week. Mounts live in a private mount namespace and vanish with it.
set -euo pipefail

pkgdir=$(cd "${1:?usage: chroot-install.sh PKGDIR}" && pwd)
src=$(cd "$(dirname "$0")/../.." && pwd)
cache=${VACCEL_CHROOT_CACHE:-$HOME/.cache/vaccel-chroot}
mirror=${VACCEL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
tarball=$cache/bookworm-minbase-amd64.tar
mkdir -p "$cache/archives/partial"

debs=("$pkgdir"/*_amd64.deb)
if [ ! -e "${debs[0]}" ]; then
	echo "chroot-install: no amd64 .debs in $pkgdir (scripts/package.sh amd64)" >&2
	exit 1
fi

if [ -z "$(find "$tarball" -mtime -7 2>/dev/null)" ]; then
	echo "chroot-install: debootstrap bookworm (minbase) from $mirror"
	rm -rf "$cache/new"
	debootstrap --variant=minbase bookworm "$cache/new" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
		{ tail -20 "$cache/debootstrap.log"; exit 1; }
	tar -C "$cache/new" -cf "$tarball.tmp" .
	mv "$tarball.tmp" "$tarball"
	rm -rf "$cache/new"
fi

root=$(mktemp -d /tmp/vaccel-chroot.XXXXXX)
trap 'rm -rf "$root"' EXIT
tar -C "$root" -xf "$tarball"
mkdir -p "$root/tmp/debs"
cp "${debs[@]}" "$root/tmp/debs/"
cp "$src/tests/data/tiny_cnn.pt" "$root/tmp/"
cp /etc/resolv.conf "$root/etc/resolv.conf"

# The steps inside the chroot; each prints PASS or FAIL and the script
# exits with the number of failures.
cat >"$root/tmp/inside.sh" <<'EOF'
#!/bin/sh
set -u
fails=0
ex=/usr/libexec/vaccel/examples
check() { # name, expected output, command...
	name=$1 want=$2
	shift 2
	if out=$("$@" 2>&1) && printf '%s\n' "$out" | grep -qF -- "$want"; then
		echo "PASS $name"
	else
		echo "FAIL $name: expected '$want' from: $*"
		printf '%s\n' "$out" | tail -20
		fails=$((fails + 1))
	fi
}

export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/tmp/apt.log 2>&1 &&
	apt-get install -y -q --no-install-recommends /tmp/debs/*.deb pkg-config \
	systemd \
	>>/tmp/apt.log 2>&1 || { tail -30 /tmp/apt.log; exit 1; }
echo "PASS apt-get install $(ls /tmp/debs | tr '\n' ' ')"

check "no source tree" "none" sh -c 'ls /work 2>/dev/null || echo none'
check "systemd-analyze verify vaccel-agent.service" "verified" sh -c \
	'systemd-analyze verify --man=no vaccel-agent.service && echo verified'
check "pkg-config vaccel" "-lvaccel" pkg-config --cflags --libs vaccel
check "header installed" "vaccel.h" ls /usr/include/vaccel.h
check "noop example" "noop: 2 call(s) OK" \
	env VACCEL_PLUGINS=libvaccel-noop.so $ex/noop 2
check "exec example" "exec: mytestfunc(10) = 20" \
	env VACCEL_PLUGINS=libvaccel-exec.so $ex/exec $ex/libmytestlib.so 1
check "torch classify (packaged labels)" "classification tags:" \
	env VACCEL_PLUGINS=libvaccel-torch.so VACCEL_TORCH_THREADS=1 \
	$ex/classify /usr/share/vaccel/images/example.jpg 1 /tmp/tiny_cnn.pt

# The agent with the shipped configuration, as the unit runs it.
set -a
. /etc/default/vaccel-agent
set +a
mkdir -p /run/vaccel
mkfifo /tmp/ready
# shellcheck disable=SC2086
vaccel-agent $VACCEL_AGENT_OPTS --ready-fd 3 3>/tmp/ready 2>/tmp/agent.log &
agent=$!
ready=$(cat /tmp/ready)
check "agent starts with /etc/default/vaccel-agent" "READY" echo "$ready"
rpc="VACCEL_PLUGINS=libvaccel-rpc.so VACCEL_RPC_ADDRESS=unix:///run/vaccel/agent.sock"
check "noop example through the agent" "noop: 2 call(s) OK" \
	env $rpc $ex/noop 2
check "classify example through the agent" "classification tags:" \
	env $rpc $ex/classify /usr/share/vaccel/images/example.jpg 1
kill -TERM $agent
wait $agent
check "agent exits 0 on SIGTERM" "status 0" echo "status $?"
check "agent removed its socket" "gone" \
	sh -c 'test -e /run/vaccel/agent.sock || echo gone'

apt-get purge -y -q libvaccel0 libvaccel-dev vaccel-plugins \
	vaccel-plugin-torch vaccel-agent vaccel-examples >/tmp/purge.log 2>&1 ||
	{ tail -20 /tmp/purge.log; fails=$((fails + 1)); }
check "purge removes the configuration" "gone" \
	sh -c 'test -e /etc/default/vaccel-agent || echo gone'
check "purge removes the libraries" "gone" \
	sh -c 'ls /usr/lib/x86_64-linux-gnu/libvaccel* 2>/dev/null || echo gone'
exit $fails
EOF
chmod +x "$root/tmp/inside.sh"

status=0
unshare --mount --fork sh -c '
	set -e
	root=$1 archives=$2
	mount -t proc proc "$root/proc"
	mount --rbind /dev "$root/dev"
	mount --bind "$archives" "$root/var/cache/apt/archives"
	chroot "$root" /tmp/inside.sh
' sh "$root" "$cache/archives" || status=$?
[ $status = 0 ] && echo "chroot-install: all passed"
exit $status
