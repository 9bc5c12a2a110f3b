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

# per_call OUTPUT: median per-call time of an example's "iteration N: X us"
# or "run N: X ms" lines, leaving out the first call (it pays for warm-up:
# loading the model, opening the library).
per_call() {
	printf '%s\n' "$1" | awk '
		/^iteration [0-9]+: .* us$/ && $2 != "1:" { print $3 }
		/^run [0-9]+: .* ms$/ && $2 != "1:"       { print $3 * 1000 }' |
		sort -g | awk '
		{ v[n++] = $1 }
		END {
			if (n == 0) { print "-"; exit }
			m = (n % 2) ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2
			if (m >= 1000) printf "%.2f ms\n", m / 1000; else if (m >= 10) printf "%.1f us\n", m; else printf "%.3f us\n", m
		}'
}

# compare NAME PATTERN CMD...: runs CMD with the host plugins loaded locally
# and then through the rpc plugin, and prints the result line matching
# PATTERN and the median per-call time of each; the results must agree.
printf '\n%-20s | %-44s | %-44s | %10s | %10s\n' example "local result" "remote result" local remote
printf '%s\n' "$(printf -- '-%.0s' {1..140})"
compare() {
	local name=$1 pattern=$2
	shift 2
	local lout rout lres rres
	lout=$(VACCEL_PLUGINS="$L/libvaccel-exec.so:$L/libvaccel-torch.so" "$@" 2>&1) || true
	rout=$(VACCEL_PLUGINS="$L/libvaccel-rpc.so" "$@" 2>&1) || true
	lres=$(printf '%s\n' "$lout" | grep -E -m1 "$pattern" || echo FAILED)
	rres=$(printf '%s\n' "$rout" | grep -E -m1 "$pattern" || echo FAILED)
	printf '%-20s | %-44.44s | %-44.44s | %10s | %10s\n' "$name" "$lres" "$rres" \
		"$(per_call "$lout")" "$(per_call "$rout")"
	[ "$lres" != FAILED ] && [ "$lres" = "$rres" ] ||
		{ echo "  MISMATCH or failure: local and remote differ"; return 1; }
}
status=0
compare noop '^noop:' "$B/noop" 1000 || status=1
compare exec '^exec:' "$B/exec" "$lib" 100 || status=1
compare exec_generic '^exec' "$B/exec_generic" "$lib" 100 || status=1
compare exec_with_resource 'buffer' "$B/exec_with_resource" "$lib" 100 || status=1
compare sgemm '^sgemm:' "$B/sgemm" 20 || status=1
compare sgemm_generic '^sgemm' "$B/sgemm_generic" 20 || status=1
compare classify 'tags' "$B/classify" "$img" 5 "$model" || status=1
compare torch_inference '^top-1' "$B/torch_inference" "$img" "$model" "$labels" 5 || status=1
echo "(per-call: median over the calls after the first; the first pays for loading the model or library)"

kill -TERM "$agent_pid"
wait "$agent_pid" || true
agent_pid=
echo "agent stopped; socket removed: $([ -e "$sock" ] && echo no || echo yes)"
exit $status
