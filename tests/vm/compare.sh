# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
#
# The one way the VM tests compare a guest's results with the host's: both
# sides run the guest driver (guest/vaccel-guest-test.sh; on the host with
# VACCEL_GUEST_PREFIX=<host-tree.sh's tree>), which prints every program's
# output as "OUT NAME: LINE" and "RC NAME STATUS" lines, and the two files
# of lines are compared program by program. Sourced by the VM tests, which
# count their checks in `passed` and `failed`.

passed=0
failed=0

# check DESCRIPTION STATUS: one check, passed when STATUS is 0.
check() {
	if [ "$2" = 0 ]; then
		echo "ok   $1"
		passed=$((passed + 1))
	else
		echo "FAIL $1"
		failed=$((failed + 1))
	fi
}

# host_driver MODE: runs the guest driver on the host, in host-tree.sh's
# tree $tree (the caller sets it and the driver's VACCEL_GUEST_* settings).
# shellcheck disable=SC2154
host_driver() {
	VACCEL_GUEST_PREFIX=$tree sh "$here/guest/vaccel-guest-test.sh" "$1"
}

# compare_runs WANT GOT [WHAT]: for every NAME with an RC line in WANT, GOT
# must hold the same OUT and RC lines and the status must be 0. One check
# per program, "NAME: WHAT" (default: the guest's output equals the
# host's), with the diff on failure.
compare_runs() {
	local want=$1 got=$2 what=${3:-} name w g

	[ -n "$what" ] || what="the guest's output equals the host's"

	for name in $(sed -n 's/^RC \([^ ]*\) .*/\1/p' "$want"); do
		w=$(grep -E "^(OUT $name:|RC $name )" "$want" || true)
		g=$(grep -E "^(OUT $name:|RC $name )" "$got" || true)
		if [ "$w" = "$g" ] && grep -qx "RC $name 0" <<<"$g"; then
			check "$name: $what" 0
		else
			check "$name: $what" 1
			diff -u <(echo "$w") <(echo "$g") | sed 's/^/    /' || true
		fi
	done
	check "the host run printed results" "$(grep -q '^RC ' "$want"; echo $?)"
}

# check_runs HOST_RC HOST_OUT GUEST_OUT: the host run of the driver must
# have passed (its output is shown when it did not), then compare_runs.
check_runs() {
	check "the host run of the driver passed (exit $1)" "$([ "$1" = 0 ]; echo $?)"
	[ "$1" = 0 ] || sed 's/^/    /' "$2" | tail -n 40
	compare_runs "$2" "$3"
}

# finish_runs HOST_RC HOST_OUT GUEST_RC: the end of a VM test whose guest
# ran only the driver: check_runs against guest.txt next to HOST_OUT, the
# guest driver must have passed; prints "N passed, N failed" and returns 1
# on any failure.
finish_runs() {
	check_runs "$1" "$2" "$(dirname "$2")/guest.txt"
	check "the guest driver passed (exit $3)" "$([ "$3" = 0 ]; echo $?)"
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
}
