#!/usr/bin/env bash
# The main job: installs what is missing, builds and installs vAccel into
# out/prefix, then shows it doing real work — every example program through
# the noop, exec, mbench and torch plugins — and the same work again through
# vaccel-agent over a UNIX socket, with local and remote results and timings
# side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

bash scripts/setup.sh

prefix=$root/out/prefix
if [ -f build/build.ninja ]; then
	meson configure build --prefix="$prefix" --libdir=lib -Dbuildtype=release -Dtests=false >/dev/null
else
	meson setup build --prefix="$prefix" --libdir=lib -Dbuildtype=release -Dtests=false
fi
ninja -C build -j "$(nproc)"
meson install -C build --quiet

/usr/bin/python3 scripts/make-models.py --models resnet18

L=$prefix/lib
B=$prefix/bin
export LD_LIBRARY_PATH=$L${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
img=$prefix/share/vaccel/images/example.jpg
labels=$prefix/share/vaccel/labels/imagenet.txt
model=$root/data/models/resnet18.pt
lib=$L/libmytestlib.so
work=$(mktemp -d)
agent_pid=
cleanup() {
	[ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

banner() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# run PLUGINS CMD...: runs one example on the given plugins, echoing it.
run() {
	local plugins=$1
	shift
	echo "\$ VACCEL_PLUGINS=$(basename "$plugins") ${*/#$B\//}"
	VACCEL_PLUGINS=$plugins "$@"
}

banner "noop plugin: dispatch without work (every op returns dummy results)"
run "$L/libvaccel-noop.so" "$B/noop" 3
run "$L/libvaccel-noop.so" "$B/classify" "$img" 1

banner "exec plugin: call mytestfunc() from libmytestlib.so"
run "$L/libvaccel-exec.so" "$B/exec" "$lib" 1
run "$L/libvaccel-exec.so" "$B/exec_generic" "$lib" 1
run "$L/libvaccel-exec.so" "$B/exec_with_resource" "$lib" 1

banner "mbench plugin: busy-wait 20 ms per call"
run "$L/libvaccel-mbench.so" "$B/mbench" 20 "$lib" 3

banner "torch plugin (libtorch $(dpkg-query -W -f='${Version}' libtorch-dev 2>/dev/null || echo '?')): sgemm through torch matmul"
run "$L/libvaccel-torch.so" "$B/sgemm" 1
run "$L/libvaccel-torch.so" "$B/sgemm_generic" 1

banner "torch plugin: image classification and TorchScript inference on ResNet18 (random weights)"
run "$L/libvaccel-torch.so" "$B/classify" "$img" 3 "$model"
run "$L/libvaccel-torch.so" "$B/torch_inference" "$img" "$model" "$labels" 5

# The same work through the agent: the program loads only the rpc plugin;
# the agent runs the torch and exec plugins on the "host".
banner "remote: vaccel-agent on a UNIX socket, same programs through the rpc plugin"
sock=$work/vaccel.sock
mkfifo "$work/ready"
VACCEL_LOG_LEVEL=2 "$B/vaccel-agent" -a "unix://$sock" \
	--plugins "$L/libvaccel-exec.so:$L/libvaccel-torch.so" \
	--exec-allow "$lib" --exec-allow-uploaded --ready-fd 3 3>"$work/ready" &
agent_pid=$!
grep -q READY "$work/ready"
echo "agent pid $agent_pid listening on unix://$sock"
export VACCEL_RPC_ADDRESS=unix://$sock

# per_call OUTPUT: "MEDIAN COUNT", the median per-call time of an example's
# "iteration N: X us" or "run N: X ms" lines and how many there were,
# leaving out the first call (it pays for warm-up: loading the model,
# opening the library).
per_call() {
	printf '%s\n' "$1" | awk '
		/^iteration [0-9]+: .* us$/ && $2 != "1:" { print $3 }
		/^run [0-9]+: .* ms$/ && $2 != "1:"       { print $3 * 1000 }' |
		sort -g | awk '
		{ v[n++] = $1 }
		END {
			if (n == 0) { print "- 0"; exit }
			m = (n % 2) ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2
			if (m >= 1000) u = sprintf("%.2f_ms", m / 1000); else if (m >= 10) u = sprintf("%.1f_us", m); else u = sprintf("%.3f_us", m)
			print u, n
		}'
}

# compare NAME PATTERN CMD...: runs CMD with the host plugins loaded locally
# and then through the rpc plugin; prints the result line matching PATTERN
# (which must be the same both ways), the median per-call time of each and
# the number of calls behind the medians. Both runs must exit 0.
printf '
%-19s | %-52s | %-4s | %10s | %10s | %5s
' example "result (local, then remote)" same local remote calls
printf '%s
' "$(printf -- '-%.0s' {1..116})"
compare() {
	local name=$1 pattern=$2
	shift 2
	local lout rout lres rres lt rt n same=yes lrc=0 rrc=0
	lout=$(VACCEL_PLUGINS="$L/libvaccel-exec.so:$L/libvaccel-torch.so" "$@" 2>&1) || lrc=$?
	rout=$(VACCEL_PLUGINS="$L/libvaccel-rpc.so" "$@" 2>&1) || rrc=$?
	lres=$(printf '%s
' "$lout" | grep -E -m1 "$pattern" || echo FAILED)
	rres=$(printf '%s
' "$rout" | grep -E -m1 "$pattern" || echo FAILED)
	read -r lt n <<<"$(per_call "$lout")"
	read -r rt _ <<<"$(per_call "$rout")"
	{ [ "$lres" != FAILED ] && [ "$lres" = "$rres" ]; } || same=NO
	printf '%-19s | %-52s | %-4s | %10s | %10s | %5s
' "$name" "$lres" "$same" \
		"${lt/_/ }" "${rt/_/ }" "$n"
	if [ "$lrc" != 0 ] || [ "$rrc" != 0 ]; then
		echo "  FAILED: exit status $lrc locally, $rrc remotely"
		printf '%s
' "$lout" "$rout" | sed 's/^/    /' | tail -n 20
		return 1
	fi
	if [ "$same" = NO ]; then
		printf '%-19s | %-52s |
' "" "$rres"
		echo "  MISMATCH or failure: local and remote differ"
		return 1
	fi
}
status=0
compare noop '^noop:' "$B/noop" 1000 || status=1
compare exec '^exec:' "$B/exec" "$lib" 200 || status=1
compare exec_generic '^exec' "$B/exec_generic" "$lib" 200 || status=1
compare exec_with_resource 'buffer' "$B/exec_with_resource" "$lib" 200 || status=1
compare sgemm '^sgemm:' "$B/sgemm" 50 || status=1
compare sgemm_generic '^sgemm' "$B/sgemm_generic" 50 || status=1
compare classify 'tags' "$B/classify" "$img" 21 "$model" || status=1
compare torch_inference '^top-1' "$B/torch_inference" "$img" "$model" "$labels" 21 || status=1
echo "(per-call: median over the calls after the first, 'calls' of them; the first pays for loading the model or library)"

kill -TERM "$agent_pid"
wait "$agent_pid" || true
agent_pid=
echo "agent stopped; socket removed: $([ -e "$sock" ] && echo no || echo yes)"
exit $status
