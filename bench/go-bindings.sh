#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The Go bindings against the C API: Noop and a 600 KiB Exec (noop plugin),
# locally and through a vaccel-agent over a UNIX socket, as Go testing.B
# benchmarks (go/bench_test.go) whose "c" variants run the same calls in C
# loops in the same process.
#
#   bench/go-bindings.sh [BUILD_DIR] [ROUNDS]      (build-test, 10)
#
# Each round is one run of the test binary, with every variant once, so Go
# and C interleave (go test -count would repeat each variant before the
# next). Printed: the machine, then per benchmark the medians over
# the rounds of the per-call p50 and p99 (go/bench_test.go says how they
# are timed) and of the mean, the median of the per-round Go/C ratios of
# p50, and the Go - C difference per call.
# BENCHTIME (default 0.5s) is each variant's time per round.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/go/env.sh" "${1:-$root/build-test}"
rounds=${2:-10}
raw=$(mktemp)
trap 'rm -f "$raw" "$raw.test"' EXIT

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) CPUs," \
	"load average $(cut -d' ' -f1-3 /proc/loadavg), $(go version | cut -d' ' -f3), kernel $(uname -r)"
(cd "$root/go" && go test -c -o "$raw.test" .)
for ((i = 1; i <= rounds; i++)); do
	(cd "$root/go" && "$raw.test" -test.run '^$' -test.bench 'CgoCall|Noop|Exec600K' \
		-test.benchtime "${BENCHTIME:-0.5s}")
done | tee "$raw" | grep -E '^Benchmark' >&2
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$raw" <<'PY'
import re, statistics, sys
from collections import defaultdict

runs = defaultdict(list)  # (bench, transport, side) -> [{metric: value}], one per round
for line in open(sys.argv[1]):
    m = re.match(r"Benchmark(\w+?)(?:/(\w+)/(go|c))?-\d+\s+\d+\s+(.*)", line)
    if not m:
        continue
    fields = m.group(4).split()
    vals = {fields[i + 1]: float(fields[i]) for i in range(0, len(fields) - 1, 2)}
    runs[(m.group(1), m.group(2) or "-", m.group(3) or "go")].append(vals)

def med(xs):
    return statistics.median(xs) if xs else float("nan")

def col(rs, key):
    return med([r[key] for r in rs])

print("Per call, medians over the rounds; Go/C is the median of the per-round ratios of p50.")
print()
print("| benchmark | transport | Go p50 ns | C p50 ns | Go/C | Go - C | Go p99 ns | C p99 ns | Go / C mean ns/op | rounds |")
print("|---|---|---|---|---|---|---|---|---|---|")
order = {"CgoCall": 0, "Noop": 1, "Exec600K": 2}
for bench, tr in sorted({(b, t) for b, t, _ in runs}, key=lambda k: (order.get(k[0], 9), k[1])):
    g, c = runs[(bench, tr, "go")], runs.get((bench, tr, "c"), [])
    if not c:
        print("| %s | %s | %.0f | | | | %.0f | | %.0f | %d |" % (
            bench, tr, col(g, "p50-ns/call"), col(g, "p99-ns/call"), col(g, "ns/op"), len(g)))
        continue
    n = min(len(g), len(c))
    ratio = med([g[i]["p50-ns/call"] / c[i]["p50-ns/call"] for i in range(n)])
    gp, cp = col(g, "p50-ns/call"), col(c, "p50-ns/call")
    print("| %s | %s | %.0f | %.0f | %.2f | %+.0f | %.0f | %.0f | %.0f / %.0f | %d |" % (
        bench, tr, gp, cp, ratio, gp - cp, col(g, "p99-ns/call"), col(c, "p99-ns/call"),
        col(g, "ns/op"), col(c, "ns/op"), n))
PY
