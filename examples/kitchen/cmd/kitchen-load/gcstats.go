package main

// This file holds the garbage collector's accounts of the servers: each
// child serves its runtime/metrics GC counters at its debug address
// (/debug/gc), and measureReads reads them around every slice, so that a
// read's second line says how often each server collected, what its
// marking cost, and what it marked.

import (
	"fmt"
	"io"
	"net/http"
	"runtime/metrics"
	"strconv"
	"strings"
)

// gcStats is a server's collector's work so far, and its heap at the
// end of its last cycle.
type gcStats struct {
	cycles float64
	alloc  float64 // bytes allocated on the heap
	// mark is the CPU the collector's marking took, in seconds, as the
	// runtime estimates it (assists, dedicated and idle workers). Its
	// pauses are left out: the runtime counts them as the whole of every
	// P's time, which on a shared machine is mostly waiting for
	// descheduled threads, not work.
	mark float64
	live float64 // bytes of heap the last cycle found live
	// scan is what a cycle scans: the heap that can hold pointers, the
	// goroutines' stacks and the globals, in bytes.
	scan float64
	goal float64 // the heap's size at which the next cycle is to end
}

// gcMetrics are the runtime/metrics counters /debug/gc serves, with the
// field of gcStats each adds to.
var gcMetrics = []struct {
	name  string
	field func(*gcStats) *float64
}{
	{"/gc/cycles/total:gc-cycles", func(s *gcStats) *float64 { return &s.cycles }},
	{"/gc/heap/allocs:bytes", func(s *gcStats) *float64 { return &s.alloc }},
	{"/cpu/classes/gc/mark/assist:cpu-seconds", func(s *gcStats) *float64 { return &s.mark }},
	{"/cpu/classes/gc/mark/dedicated:cpu-seconds", func(s *gcStats) *float64 { return &s.mark }},
	{"/cpu/classes/gc/mark/idle:cpu-seconds", func(s *gcStats) *float64 { return &s.mark }},
	{"/gc/heap/live:bytes", func(s *gcStats) *float64 { return &s.live }},
	{"/gc/scan/heap:bytes", func(s *gcStats) *float64 { return &s.scan }},
	{"/gc/scan/stack:bytes", func(s *gcStats) *float64 { return &s.scan }},
	{"/gc/scan/globals:bytes", func(s *gcStats) *float64 { return &s.scan }},
	{"/gc/heap/goal:bytes", func(s *gcStats) *float64 { return &s.goal }},
}

// serveGC writes the process's gcMetrics, one "name value" a line.
func serveGC(w http.ResponseWriter, _ *http.Request) {
	samples := make([]metrics.Sample, len(gcMetrics))
	for i, m := range gcMetrics {
		samples[i].Name = m.name
	}
	metrics.Read(samples)
	for _, s := range samples {
		v := 0.0
		switch s.Value.Kind() {
		case metrics.KindUint64:
			v = float64(s.Value.Uint64())
		case metrics.KindFloat64:
			v = s.Value.Float64()
		}
		fmt.Fprintf(w, "%s %g\n", s.Name, v)
	}
}

// gc reads the child's gcStats from its debug address.
func (c *child) gc() (gcStats, error) {
	resp, err := http.Get(c.debug + "/debug/gc")
	if err != nil {
		return gcStats{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return gcStats{}, err
	}
	return parseGC(string(b))
}

// parseGC reads what serveGC wrote.
func parseGC(text string) (gcStats, error) {
	var s gcStats
	for line := range strings.Lines(text) {
		name, v, _ := strings.Cut(strings.TrimSpace(line), " ")
		for _, m := range gcMetrics {
			if m.name != name {
				continue
			}
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return gcStats{}, fmt.Errorf("%s: %w", name, err)
			}
			*m.field(&s) += f
		}
	}
	return s, nil
}

// gcWork sums the collector's work over a server's slices of a read.
type gcWork struct {
	cycles, alloc    float64
	mark             float64
	live, scan, goal float64 // summed over the slices
	slices           int
}

// add adds the work between two readings, and the heap at the second.
func (g *gcWork) add(before, after gcStats) {
	g.cycles += after.cycles - before.cycles
	g.alloc += after.alloc - before.alloc
	g.mark += after.mark - before.mark
	g.live += after.live
	g.scan += after.scan
	g.goal += after.goal
	g.slices++
}

// format says, for n requests: the bytes allocated per request (the
// server's background work included), cycles per thousand requests, the
// CPU of the collector's marking per request, and the means, at the end of the
// slices, of the live heap, of what a cycle scans and of the heap goal.
func (g gcWork) format(n int) string {
	if n == 0 || g.slices == 0 {
		return "unknown"
	}
	kB := func(v float64) float64 { return v / float64(g.slices) / 1000 }
	return fmt.Sprintf("%5.0f B/req, %4.1f GCs/1k req, mark %5.1f µs/req, live %5.0f kB, scan %5.0f kB, goal %5.0f kB",
		g.alloc/float64(n), 1000*g.cycles/float64(n), 1e6*g.mark/float64(n), kB(g.live), kB(g.scan), kB(g.goal))
}
