// SPDX-License-Identifier: Apache-2.0

package vaccel

import (
	"sync"
	"time"
)

// ProfEnabled reports whether profiling is enabled (VACCEL_PROFILING_ENABLED
// or Config.Profiling). When it is not, regions record nothing.
func ProfEnabled() bool { return cProfEnabled() }

// ProfTimestamp returns the library's profiling clock (CLOCK_MONOTONIC) in
// nanoseconds, the clock of ProfSample.Start.
func ProfTimestamp() uint64 { return cProfTimestamp() }

// A ProfSample is one timed interval of a region.
type ProfSample struct {
	Start    uint64        // ns of the profiling clock (ProfTimestamp)
	Duration time.Duration // the interval's length
}

func durationNS(ns uint64) time.Duration { return time.Duration(ns) }

// A ProfRegion is a named profiling region (struct vaccel_prof_region) that
// records one sample per Start/Stop pair while profiling is enabled. Unlike
// C's, a ProfRegion may be used from several goroutines: its calls are
// serialized.
type ProfRegion struct {
	mu sync.Mutex
	h  profHandle
}

// NewProfRegion creates a region named name.
func NewProfRegion(name string) (*ProfRegion, error) {
	h, err := cProfNew(name)
	if err != nil {
		return nil, err
	}
	return &ProfRegion{h: h}, nil
}

func (r *ProfRegion) with(op string, f func(profHandle) error) error {
	if r == nil {
		return invalid(op, "nil region")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.h == nil {
		return closed(op, "region")
	}
	return f(r.h)
}

// Start opens a sample.
func (r *ProfRegion) Start() error { return r.with("ProfRegion.Start", cProfStart) }

// Stop closes the sample that Start opened.
func (r *ProfRegion) Stop() error { return r.with("ProfRegion.Stop", cProfStop) }

// Print logs the region's total at info level, in the library's format
// ("[prof] <name>: total_time: <ns> nsec nr_entries: <n>").
func (r *ProfRegion) Print() error { return r.with("ProfRegion.Print", cProfPrint) }

// AddSample records an interval measured elsewhere.
func (r *ProfRegion) AddSample(s ProfSample) error {
	return r.with("ProfRegion.AddSample", func(h profHandle) error {
		return cProfAddSample(h, s.Start, uint64(s.Duration))
	})
}

// Name returns the region's name ("" once closed).
func (r *ProfRegion) Name() string {
	var n string
	_ = r.with("", func(h profHandle) error { n = cProfName(h); return nil })
	return n
}

// Samples returns a copy of the recorded samples.
func (r *ProfRegion) Samples() []ProfSample {
	var s []ProfSample
	_ = r.with("", func(h profHandle) error { s = cProfSamples(h); return nil })
	return s
}

// Total returns the sum of the samples' durations.
func (r *ProfRegion) Total() time.Duration {
	var t time.Duration
	for _, s := range r.Samples() {
		t += s.Duration
	}
	return t
}

// Close frees the region. Closing again does nothing.
func (r *ProfRegion) Close() error {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.h != nil {
		cProfDelete(r.h)
		r.h = nil
	}
	return nil
}
