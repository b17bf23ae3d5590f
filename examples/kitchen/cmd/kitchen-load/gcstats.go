package main

// This file holds the garbage collector's accounts of the servers: each
// child serves its runtime/metrics GC counters at its debug address
// (/debug/gc), and measureReads reads them around every slice, so that a
// read's line says how much of each server's CPU the collector took and
// how much live heap it marked.

import (
	"fmt"
	"io"
	"net/http"
	"runtime/metrics"
	"strconv"
	"strings"
)

// gcMetrics are the runtime/metrics counters /debug/gc serves, in this
// order.
var gcMetrics = []string{
	"/gc/cycles/total:gc-cycles",
	"/cpu/classes/gc/total:cpu-seconds",
	"/gc/heap/live:bytes",
	"/gc/scan/heap:bytes",
	"/gc/scan/stack:bytes",
	"/gc/scan/globals:bytes",
	"/gc/heap/goal:bytes",
}

// serveGC writes the process's gcMetrics, one "name value" a line.
func serveGC(w http.ResponseWriter, _ *http.Request) {
	samples := make([]metrics.Sample, len(gcMetrics))
	for i, name := range gcMetrics {
		samples[i].Name = name
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

// gcStats is a server's collector's work so far.
type gcStats struct {
	cycles float64
	cpu    float64 // seconds of CPU, as the runtime estimates it
	live   float64 // bytes of heap the last cycle found live
	// scan is what the last cycle scanned: the heap it could scan (objects
	// with pointers), the goroutines' stacks and the globals, in bytes.
	scan float64
	goal float64 // the heap's size at which the next cycle is to end
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
	var s gcStats
	var scan [3]float64
	fields := map[string]*float64{gcMetrics[0]: &s.cycles, gcMetrics[1]: &s.cpu, gcMetrics[2]: &s.live,
		gcMetrics[3]: &scan[0], gcMetrics[4]: &scan[1], gcMetrics[5]: &scan[2], gcMetrics[6]: &s.goal}
	for line := range strings.Lines(string(b)) {
		name, v, _ := strings.Cut(strings.TrimSpace(line), " ")
		if p := fields[name]; p != nil {
			if *p, err = strconv.ParseFloat(v, 64); err != nil {
				return gcStats{}, fmt.Errorf("%s: %w", name, err)
			}
		}
	}
	s.scan = scan[0] + scan[1] + scan[2]
	return s, nil
}

// gcWork sums the collector's work over a server's slices of a read.
type gcWork struct {
	cycles, cpu float64
	live, scan  float64 // summed over the slices, of which there are slices
	goal        float64 // likewise
	slices      int
}

// add adds the work between two readings.
func (g *gcWork) add(before, after gcStats) {
	g.cycles += after.cycles - before.cycles
	g.cpu += after.cpu - before.cpu
	g.live += after.live
	g.scan += after.scan
	g.goal += after.goal
	g.slices++
}

// format says, for n requests: cycles per thousand, the collector's CPU
// per request, and the means, at the end of the slices, of the live heap
// of what the collector scans (the heap with pointers, stacks and
// globals) and of the heap goal.
func (g gcWork) format(n int) string {
	if n == 0 || g.slices == 0 {
		return "unknown"
	}
	return fmt.Sprintf("%4.1f GCs/1k req, GC %5.1f µs/req, live %5.0f kB, scan %5.0f kB, goal %5.0f kB", 1000*g.cycles/float64(n),
		1e6*g.cpu/float64(n), g.live/float64(g.slices)/1000, g.scan/float64(g.slices)/1000, g.goal/float64(g.slices)/1000)
}
