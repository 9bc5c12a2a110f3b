// SPDX-License-Identifier: Apache-2.0

package vaccel_test

// What a call through the bindings costs next to the same call from C:
//
//	Benchmark{Noop,Exec600K}/{local,unix}/{go,c}, BenchmarkCgoCall
//
// "go" calls the bindings, "c" runs the same call in a C loop
// (internal/cref) on a session of the same flags, in the same process,
// through the same plugins and agent connection. Exec600K is bench-vaccel's
// "exec noop 614400": exec of the noop plugin with one 600 KiB RAW read
// argument and no write argument. CgoCall is one call of an empty C
// function: cgo's own share.
//
// Both sides time their calls the same way, in blocks of k calls (1000
// locally, 1 through the agent), and report the median and the 99th
// percentile of the per-call time over the blocks (p50-ns/call,
// p99-ns/call): on a loaded machine they hold up better than the mean
// (ns/op), which preemption inflates. bench/go-bindings.sh runs them in
// rounds (all variants once per round, so Go and C interleave) and prints
// medians and ratios.

import (
	"sort"
	"testing"
	"time"

	"vaccel"
	"vaccel/internal/cref"
)

const execPayload = 600 << 10

// blockSize is k for a transport.
func blockSize(tr transport) int {
	if tr.remote {
		return 1
	}
	return 1000
}

func forEachBenchTransport(b *testing.B, f func(b *testing.B, tr transport)) {
	for _, tr := range []transport{local, overUnix} {
		b.Run(tr.name, func(b *testing.B) {
			if tr.remote && agent == nil {
				b.Skip("no agent")
			}
			if err := bootstrap(tr, false); err != nil {
				b.Fatal(err)
			}
			f(b, tr)
		})
	}
}

// timeBlocks runs call b.N times in blocks of k and reports the per-call
// percentiles.
func timeBlocks(b *testing.B, k int, call func() error) {
	ns := make([]uint64, 0, (b.N+k-1)/k)
	b.ResetTimer()
	for done := 0; done < b.N; {
		m := k
		if b.N-done < k {
			m = b.N - done
		}
		t0 := time.Now()
		for i := 0; i < m; i++ {
			if err := call(); err != nil {
				b.Fatal(err)
			}
		}
		ns = append(ns, uint64(time.Since(t0)))
		done += m
	}
	b.StopTimer()
	reportBlocks(b, ns, k)
}

// reportBlocks reports the median and p99 per-call time of blocks of k
// calls (the last block may be shorter: it counts only when it is alone).
func reportBlocks(b *testing.B, ns []uint64, k int) {
	per := make([]float64, 0, len(ns))
	for i, t := range ns {
		n := k
		if i == len(ns)-1 && b.N%k != 0 {
			if len(ns) > 1 {
				break
			}
			n = b.N % k
		}
		per = append(per, float64(t)/float64(n))
	}
	sort.Float64s(per)
	at := func(q float64) float64 { return per[int(q*float64(len(per)-1))] }
	b.ReportMetric(at(0.50), "p50-ns/call")
	b.ReportMetric(at(0.99), "p99-ns/call")
}

func BenchmarkCgoCall(b *testing.B) {
	timeBlocks(b, 1000, func() error { cref.Empty(); return nil })
}

func BenchmarkNoop(b *testing.B) {
	benchOp(b, false)
}

func BenchmarkExec600K(b *testing.B) {
	benchOp(b, true)
}

// benchOp benchmarks Noop, or with exec the 600 KiB Exec, from Go and
// from C.
func benchOp(b *testing.B, exec bool) {
	forEachBenchTransport(b, func(b *testing.B, tr transport) {
		k := blockSize(tr)
		b.Run("go", func(b *testing.B) {
			s := session(b, tr, vaccel.PluginDebug)
			payload := make([]byte, execPayload)
			for i := range payload {
				payload[i] = 0x5a
			}
			read := []vaccel.Arg{vaccel.Raw(payload)}
			call := s.Noop
			if exec {
				call = func() error { return s.Exec(noopPlugin, "noop", read, nil) }
			}
			timeBlocks(b, k, call)
		})
		b.Run("c", func(b *testing.B) {
			r, err := cref.Open(uint32(tr.flags(vaccel.PluginDebug)), noopPlugin, execPayload)
			if err != nil {
				b.Fatal(err)
			}
			defer r.Close()
			run := r.Noop
			if exec {
				run = r.Exec
			}
			b.ResetTimer()
			ns, err := run(b.N, k)
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			reportBlocks(b, ns, k)
		})
	})
}
