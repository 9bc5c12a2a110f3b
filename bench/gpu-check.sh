#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# bench/gpu-check.sh: the GPU check, one prepared script for a machine with
# an NVIDIA GPU and a Python whose PyTorch has CUDA (docs/benchmarks.md,
# "GPU check"). It
#
#   1. builds vAccel (build-gpu-check/) with the torch plugin linked against
#      that PyTorch's bundled libtorch (-Dtorch-prefix=<site-packages>/torch);
#   2. runs the torch test suite with VACCEL_TORCH_DEVICE=cuda;
#   3. checks that an op sent over rpc-unix to a vaccel-agent really ran on
#      CUDA in the agent's worker process (the torch plugin's first op logs
#      "[torch] running on <device>" with its pid; the line must name cuda and
#      come from a child of the agent, not from the agent's supervisor);
#   4. runs bench/run's native / local / rpc-unix / rpc-shm (the same UNIX
#      socket with the shared-memory region, docs/protocol.md 2b) modes,
#      interleaved, for ResNet18 and ResNet50 at 224 on the GPU, 1000
#      iterations each;
#
# and writes OUT/summary.md, OUT/checks.csv and bench/run's CSVs in OUT/bench/.
# On a machine without a usable CUDA PyTorch it runs the same steps on the CPU
# (fewer iterations), and summary.md says the CUDA part was skipped and why.
#
#   bench/gpu-check.sh [--out DIR] [--build DIR] [--python PY] [--iterations N]
#
# --build reuses an existing build folder instead of building one (its torch
# plugin then decides which libtorch is used). Exit status: 0 when every
# check passed (the CUDA part passed, or was skipped for want of a GPU),
# 1 otherwise.

set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out="$repo/out/gpu-check-$(date -u +%Y%m%d-%H%M%S)"
build=""
py=${PYTHON:-}
iters=""

while [ $# -gt 0 ]; do
	case "$1" in
	--out) out=$2; shift 2 ;;
	--build) build=$2; shift 2 ;;
	--python) py=$2; shift 2 ;;
	--iterations) iters=$2; shift 2 ;;
	-h | --help) sed -n '3,28p' "$0"; exit 0 ;;
	*) echo "gpu-check: unknown argument $1" >&2; exit 2 ;;
	esac
done

for tool in meson ninja; do
	if ! command -v $tool >/dev/null; then
		echo "gpu-check: $tool is missing (scripts/setup.sh installs the build tools)" >&2
		exit 1
	fi
done
mkdir -p "$out/logs"
out=$(cd "$out" && pwd)
t_start=$(date +%s)
checks="$out/checks.csv"
echo "check,result,detail" >"$checks"
failed=0

say() { echo "gpu-check: $*" >&2; }
record() { # check result detail
	echo "$1,$2,\"${3//\"/\'}\"" >>"$checks"
	say "$1: $2 ${3:+($3)}"
	[ "$2" = FAIL ] && failed=1
	return 0
}

# --- which PyTorch, and does it see a GPU ----------------------------------
# The first Python whose torch has CUDA wins; else one with any torch (its
# bundled libtorch is not used for a CPU-only build, the system one is).
if [ -z "$py" ]; then
	for cand in python3 /usr/bin/python3; do
		if command -v "$cand" >/dev/null &&
			"$cand" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
			py=$cand
			break
		fi
	done
	[ -n "$py" ] || py=/usr/bin/python3
fi
torch_info=$("$py" -c '
import os, torch
print(torch.__version__, torch.version.cuda or "none",
      int(torch.cuda.is_available()), os.path.dirname(torch.__file__))
' 2>"$out/logs/python.log") || torch_info=""
read -r torch_ver torch_cuda cuda_ok torch_dir <<<"${torch_info:-none none 0 none}"
gpu_name=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1)

cuda=1
why=""
if [ "$cuda_ok" != 1 ]; then
	cuda=0
	if [ -z "$gpu_name" ]; then
		why="no NVIDIA GPU (nvidia-smi finds none)"
	elif [ "$torch_ver" = none ]; then
		why="no PyTorch importable by $py"
	else
		why="PyTorch $torch_ver (CUDA $torch_cuda) under $py sees no usable GPU"
	fi
fi
say "python $py: torch $torch_ver, CUDA $torch_cuda, GPU: ${gpu_name:-none}"
[ $cuda = 1 ] || say "CUDA part skipped: $why; running the CPU path"

if [ $cuda = 1 ]; then
	device=cuda
	iters=${iters:-1000}
else
	device=cpu
	iters=${iters:-30}
fi

# --- 1. build ---------------------------------------------------------------
if [ -z "$build" ]; then
	build="$repo/build-gpu-check"
	opts=(-Dbuildtype=release -Dtests=true -Dexamples=true -Ddevice-plugin=disabled
		-Dplugin-torch=enabled)
	# Every option is given, so that reusing the folder of an earlier run
	# (meson keeps options it is not told) builds the same thing.
	if [ $cuda = 1 ]; then
		opts+=("-Dtorch-prefix=$torch_dir")
	else
		opts+=("-Dtorch-prefix=")
	fi
	say "building $build (${opts[*]})"
	if [ -d "$build" ]; then
		meson setup --reconfigure "$build" "${opts[@]}" >"$out/logs/build.log" 2>&1
	else
		meson setup "$build" "${opts[@]}" >"$out/logs/build.log" 2>&1
	fi &&
		ninja -C "$build" >>"$out/logs/build.log" 2>&1
	if [ $? -ne 0 ]; then
		record build FAIL "see logs/build.log"
		tail -30 "$out/logs/build.log" >&2
		exit 1
	fi
fi
build=$(cd "$build" && pwd)
torch_so="$build/plugins/torch/libvaccel-torch.so"
if [ ! -f "$torch_so" ]; then
	record build FAIL "no torch plugin in $build"
	exit 1
fi
linked=$(ldd "$torch_so" | awk '/libtorch_cpu/ {print $3}')
has_cuda_lib=0
ldd "$torch_so" | grep -q libtorch_cuda && has_cuda_lib=1
if [ $cuda = 1 ] && [ $has_cuda_lib = 0 ]; then
	record build FAIL "torch plugin not linked with libtorch_cuda ($linked)"
else
	record build PASS "torch plugin uses $linked"
fi

# --- 2. the torch test suite on the chosen device -------------------------
tests=(torch_model_test torch_native_test torch_preprocess_test
	torch_config_test torch_device_test compat_torch rpc_ops_test)
if VACCEL_TORCH_DEVICE=$device meson test -C "$build" --num-processes 2 \
	"${tests[@]}" >"$out/logs/tests.log" 2>&1; then
	record "tests ($device)" PASS "$(grep -E '^Ok:' "$out/logs/tests.log" | tr -s ' ')"
else
	record "tests ($device)" FAIL "$(grep -E '^(Ok|Fail|Skipped):' "$out/logs/tests.log" | tr -s ' ' | paste -sd' ')"
	cp "$build/meson-logs/testlog.txt" "$out/logs/testlog.txt" 2>/dev/null
fi

# --- 3. an rpc-unix op runs on the device in the agent's worker -----------
tmp=$(mktemp -d /tmp/vaccel-gpu-check.XXXXXX)
agent_log="$out/logs/agent.log"
VACCEL_LOG_LEVEL=3 VACCEL_TORCH_DEVICE=$device \
	"$build/agent/vaccel-agent" --plugins "$torch_so" \
	-a "unix://$tmp/a.sock" --ready-fd 3 3>"$tmp/ready" >"$agent_log" 2>&1 &
agent_pid=$!
for _ in $(seq 300); do
	grep -q READY "$tmp/ready" 2>/dev/null && break
	sleep 0.1
done
model="$repo/data/models/resnet18.pt"
[ -f "$model" ] || model="$repo/tests/data/tiny_cnn.pt"
worker_out=$(printf 'torch %s 224 %s\nrun 20\nquit\n' "$model" "$repo/data/example.jpg" |
	VACCEL_PLUGINS="$build/plugins/rpc/libvaccel-rpc.so" \
		VACCEL_RPC_ADDRESS="unix://$tmp/a.sock" VACCEL_PROFILING_ENABLED=1 \
		"$build/bench/bench-vaccel" 2>"$out/logs/rpc-client.log")
kill "$agent_pid" 2>/dev/null
wait "$agent_pid" 2>/dev/null
rm -rf "$tmp"
line=$(grep -m1 '\[torch\] running on' "$agent_log")
ran_pid=$(sed -n 's/.*(pid \([0-9]*\)).*/\1/p' <<<"$line")
calls=$(grep -c '^it ' <<<"$worker_out")
if [ -z "$line" ] || [ "$calls" -lt 20 ]; then
	record "rpc-unix on $device" FAIL "agent log line: '${line:-none}', $calls calls answered"
elif [ "$ran_pid" = "$agent_pid" ]; then
	record "rpc-unix on $device" FAIL "the op ran in the agent's supervisor ($line)"
elif ! grep -q "running on $device" <<<"$line"; then
	record "rpc-unix on $device" FAIL "$line"
else
	record "rpc-unix on $device" PASS "$calls calls; agent worker pid $ran_pid: ${line#*\] }"
fi

# --- 4. the benchmark --------------------------------------------------------
modes=native,local,rpc-unix,rpc-shm
models=resnet18,resnet50
for m in ${models//,/ }; do
	if [ ! -f "$repo/data/models/$m.pt" ]; then
		say "making data/models/$m.pt"
		"$py" "$repo/scripts/make-models.py" --models "$m" >>"$out/logs/models.log" 2>&1 ||
			/usr/bin/python3 "$repo/scripts/make-models.py" --models "$m" >>"$out/logs/models.log" 2>&1
	fi
done
mkdir -p "$out/bench"
if VACCEL_TORCH_DEVICE=$device "$repo/bench/run" --build "$build" \
	--out "$out/bench" --modes "$modes" --models "$models" --sizes 224 \
	--iterations "$iters" --no-micro --no-tiny --no-plots \
	>"$out/logs/bench.log" 2>&1; then
	record "bench ($device; $iters iterations)" PASS "modes $modes"
else
	record "bench ($device; $iters iterations)" FAIL "see logs/bench.log"
fi

# --- summary -----------------------------------------------------------------
{
	echo "# GPU check"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), took $(($(date +%s) - t_start)) s"
	echo "- git: $(git -C "$repo" describe --always --dirty 2>/dev/null)"
	echo "- host: $(uname -n), $(nproc) cpus, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
	echo "- load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "- GPU: ${gpu_name:-none}"
	echo "- PyTorch: $torch_ver (CUDA $torch_cuda) from $py; the plugin uses $linked"
	echo "- device: **$device**"
	if [ $cuda = 0 ]; then
		echo
		echo "**CUDA part skipped: $why.** Every step ran on the CPU instead, with $iters iterations."
	fi
	echo
	echo "## Checks"
	echo
	echo "| check | result | detail |"
	echo "|---|---|---|"
	tail -n +2 "$checks" | while IFS=, read -r c r d; do echo "| $c | $r | ${d//\"/} |"; done
	echo
	if [ -f "$out/bench/summary.md" ]; then
		echo "## Benchmark (bench/run, in bench/)"
		echo
		sed 's/^#/##/' "$out/bench/summary.md"
	fi
} >"$out/summary.md"
say "wrote $out/summary.md"
exit $failed
