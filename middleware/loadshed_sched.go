package middleware

// This file holds the scheduler gate of LoadShedder (SchedulingDelay):
// in overload, it refuses requests while the Go scheduler runs late.
//
// A concurrency limit bounds how many requests run, not how much
// processor time the server spends. Under an overload the requests to
// refuse cost processor time too — net/http reads each one and writes its
// answer, tens of microseconds — and when the admitted ones leave too
// little of it, the refusals fall behind: requests wait unread in the
// kernel's socket buffers, where no shedder sees them, clients time out
// and connect again, which costs more still. The scheduler's delay (how
// long a runnable goroutine waits for a processor, which the runtime
// samples into /sched/latencies:seconds) is the queue in front of all
// that work, refusals included, so it is the signal to stop admitting
// work until the refusals have caught up.

import (
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// schedLatencies is the runtime metric the gate reads.
const schedLatencies = "/sched/latencies:seconds"

// schedGate reports whether the Go scheduler is late: whether at least a
// quarter of the goroutines that began to run since its last reading had
// waited target or longer for a processor (target rounded up to the
// lower bound of a bucket of the runtime's histogram). It reads the
// histogram at most once a target, on the request path (no goroutine of
// its own); between readings it answers with the last one. A reading
// with no new sample keeps the last answer.
type schedGate struct {
	target int64 // ns
	next   atomic.Int64
	late   atomic.Bool
	now    func() time.Time // the limiter's clock

	mu   sync.Mutex // one reader at a time; the others use the last answer
	read func() *metrics.Float64Histogram
	prev []uint64 // the counts of the last reading
}

// newSchedGate returns a gate late at target, on the clock now, reading
// the histogram with read (the test's), or from the runtime if read is
// nil.
func newSchedGate(target time.Duration, now func() time.Time, read func() *metrics.Float64Histogram) *schedGate {
	if read == nil {
		read = readSchedLatencies()
	}
	return &schedGate{target: int64(target), now: now, read: read}
}

// readSchedLatencies returns a function that reads the runtime's
// histogram of scheduling latencies, or returns nil where the runtime has
// none. Each function reuses its sample, which the runtime fills in place.
func readSchedLatencies() func() *metrics.Float64Histogram {
	sample := []metrics.Sample{{Name: schedLatencies}}
	return func() *metrics.Float64Histogram {
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindFloat64Histogram {
			return nil
		}
		return sample[0].Value.Float64Histogram()
	}
}

// isLate reports whether the scheduler was late at the last reading,
// reading again first when one is due and no other request is reading.
func (g *schedGate) isLate() bool {
	now := g.now().UnixNano()
	if now < g.next.Load() || !g.mu.TryLock() {
		return g.late.Load()
	}
	defer g.mu.Unlock()
	if now < g.next.Load() {
		// Another request read the histogram between our two looks:
		// reading again now would find next to nothing.
		return g.late.Load()
	}
	g.next.Store(now + g.target)
	h := g.read()
	if h == nil {
		return false // a runtime without the metric: never late
	}
	// The first reading holds everything since the process started, and
	// one of another shape has nothing to be subtracted from.
	first := len(g.prev) != len(h.Counts)
	if first {
		g.prev = make([]uint64, len(h.Counts))
	}
	target := float64(g.target) / float64(time.Second)
	var total, over uint64
	for i, c := range h.Counts {
		d := c - g.prev[i]
		g.prev[i] = c
		total += d
		// Buckets[i] is the lower bound of the bucket of Counts[i].
		if h.Buckets[i] >= target {
			over += d
		}
	}
	if first || total == 0 {
		return g.late.Load()
	}
	late := over*4 >= total
	g.late.Store(late)
	return late
}
