package middleware

// This file holds the adaptive concurrency limit of LoadShedder.
//
// The limit follows the gradient algorithm of Netflix's concurrency-limits
// (Gradient2): a long-term baseline of request latency is compared with
// the recent latency, and the limit shrinks in proportion when requests
// start to queue somewhere. The baseline is measured the way Envoy's
// adaptive concurrency filter does, in probe windows during which the
// limit drops to its minimum. Only requests that end with a latency worth
// learning from are sampled: a long-lived response (an event stream) moved
// out of the limit by MarkLongLived is not.

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// limiter is a gradient concurrency limiter. Its baseline is the
// latency of the server without queueing, measured the way Envoy's
// adaptive concurrency filter does: in a probe window during which the
// limit drops to its minimum, at start and every probeEvery windows after.
// Between probes the limit moves by the gradient baseline·tolerance/recent
// latency (clamped to [0.5, 1]) plus a square-root allowance for growth.
type limiter struct {
	inflight atomic.Int64
	limit    atomic.Int64 // current limit, read on every request

	mu          sync.Mutex
	min, max    float64
	estimate    float64 // the limit as a float, smoothed
	baseline    float64 // latency without queueing, ns; 0 until the first probe ends
	probing     bool
	windows     int // since the last probe
	windowSum   time.Duration
	windowN     int
	windowStart time.Time
}

const (
	windowSamples  = 50
	windowDuration = 100 * time.Millisecond
	probeEvery     = 100 // windows: about ten seconds under load
	smoothing      = 0.2
	tolerance      = 1.5 // recent latency may be this much above the baseline before the limit shrinks
)

func newLimiter(c loadShedConfig) *limiter {
	if c.initialLimit <= 0 {
		c.initialLimit = 20
	}
	if c.minLimit <= 0 {
		c.minLimit = 4
	}
	if c.maxLimit <= 0 {
		c.maxLimit = 1000
	}
	l := &limiter{min: float64(c.minLimit), max: float64(c.maxLimit), estimate: float64(c.initialLimit), windowStart: time.Now()}
	l.startProbe()
	return l
}

// startProbe drops the limit to its minimum for one window.
func (l *limiter) startProbe() {
	l.probing, l.windows = true, 0
	l.limit.Store(int64(l.min))
}

// acquire admits a request of priority p, or reports false.
func (l *limiter) acquire(p Priority) bool {
	limit := float64(l.limit.Load())
	switch p {
	case Low:
		limit *= 0.8
	case Critical:
		limit *= 1.5
	}
	if n := l.inflight.Add(1); float64(n) > math.Max(limit, 1) {
		l.inflight.Add(-1)
		return false
	}
	return true
}

// release ends a request that took rtt and updates the limit once per
// window.
func (l *limiter) release(rtt time.Duration) {
	inflight := l.inflight.Add(-1) + 1
	l.mu.Lock()
	defer l.mu.Unlock()
	l.windowSum += rtt
	l.windowN++
	if l.windowN < windowSamples && time.Since(l.windowStart) < windowDuration {
		return
	}
	recent := float64(l.windowSum) / float64(l.windowN)
	l.windowSum, l.windowN, l.windowStart = 0, 0, time.Now()
	if l.probing {
		l.baseline, l.probing = recent, false
		l.limit.Store(int64(math.Round(l.estimate)))
		return
	}
	l.baseline = math.Min(l.baseline, recent)
	if l.windows++; l.windows >= probeEvery {
		l.startProbe()
		return
	}
	// An idle server learns nothing about its capacity: do not grow the
	// limit past twice what is in use.
	if float64(inflight) < l.estimate/2 {
		return
	}
	gradient := math.Max(0.5, math.Min(1, tolerance*l.baseline/recent))
	next := l.estimate*gradient + math.Sqrt(l.estimate)
	l.estimate = math.Max(l.min, math.Min(l.max, l.estimate*(1-smoothing)+next*smoothing))
	l.limit.Store(int64(math.Round(l.estimate)))
}

// leave ends a request without a latency sample: one whose response
// became long-lived, whose duration says nothing about queueing.
func (l *limiter) leave() { l.inflight.Add(-1) }
