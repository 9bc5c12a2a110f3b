#!/usr/bin/env bash
# Runs the integration suite of BUILD_DIR twice, in the two environments a
# user's machine may give it, so that no test depends on the one it was
# written on:
#   1. /run/user/<uid> exists (a login session) and TMPDIR is set;
#   2. no /run/user/<uid> (root, containers, CI) and TMPDIR is unset.
# Each run gets a private mount namespace with an empty tmpfs over
# /run/user (needs root, or CAP_SYS_ADMIN), so nothing outside it changes.
# Extra arguments go to `meson test`. The logs are
# BUILD_DIR/meson-logs/env-runuser-tmpdir.* and env-none.*.
#   scripts/test-env.sh BUILD_DIR [meson test args...]
set -euo pipefail
build=${1:?usage: $0 BUILD_DIR [meson test args...]}
shift
uid=$(id -u)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The mount point must exist; creating an empty /run/user changes nothing.
[ -d /run/user ] || mkdir -p /run/user

# in_ns SETUP CMD...: runs CMD in a new mount namespace after mounting the
# tmpfs over /run/user and running the shell command SETUP.
in_ns() {
	local setup=$1
	shift
	unshare -m sh -c "mount -t tmpfs -o mode=755 tmpfs /run/user && $setup"' && exec "$@"' \
		sh "$@"
}

status=0
echo "== with /run/user/$uid, TMPDIR=$tmp"
in_ns "mkdir -m 700 /run/user/$uid" env TMPDIR="$tmp" \
	meson test -C "$build" --suite integration --logbase env-runuser-tmpdir "$@" ||
	status=1
echo "== without /run/user/$uid, TMPDIR unset"
in_ns true env -u TMPDIR \
	meson test -C "$build" --suite integration --logbase env-none "$@" ||
	status=1
exit $status
