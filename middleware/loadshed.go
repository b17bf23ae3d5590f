package middleware

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Priority orders requests for [LoadShed]: under overload, Low is shed
// first and Critical last.
type Priority int

// The priorities, from shed-first to shed-last.
const (
	Low Priority = iota
	Normal
	Critical
)

// LoadShedConfig configures [LoadShed]. The zero value is usable.
type LoadShedConfig struct {
	// InitialLimit is the concurrency limit to start from; it defaults
	// to 20. MinLimit and MaxLimit bound the adaptive limit; they default
	// to 4 and 1000.
	InitialLimit, MinLimit, MaxLimit int
	// Priority classifies a request; it defaults to Normal for every
	// request. Health checks deserve Critical, cheap reads Normal,
	// expensive or retryable work Low.
	Priority func(*http.Request) Priority
	// RetryAfter is the Retry-After sent with 503; it defaults to 1s.
	RetryAfter time.Duration
}

// LoadShedder admits as many concurrent requests as the server can take
// without its latency rising, and answers the rest 503 with Retry-After
// at once, instead of queueing them until everyone times out.
//
// The limit adapts to observed latency with the gradient algorithm of
// Netflix's concurrency-limits (Gradient2): it compares a long-term
// average of request latency with the recent one. While they agree, the
// limit grows by about its square root per window (headroom to find more
// capacity); when recent latency rises well above the long-term level —
// requests are queueing somewhere — the limit shrinks in proportion.
// The baseline is measured in a probe window during which the limit is
// MinLimit: the first window after start (so a burst right at start is
// mostly shed) and again about every ten seconds under load.
// Low-priority requests are admitted only below 80% of the limit and
// Critical ones up to 150%, so health checks and cheap operations are
// shed last. A shed request costs microseconds: it never reaches the
// handlers. A LoadShedder is safe for concurrent use.
type LoadShedder struct {
	l          *limiter
	classify   func(*http.Request) Priority
	retryAfter string
	shed       atomic.Int64
}

// NewLoadShedder returns a load shedder configured by c.
func NewLoadShedder(c LoadShedConfig) *LoadShedder {
	retry := c.RetryAfter
	if retry <= 0 {
		retry = time.Second
	}
	s := &LoadShedder{l: newLimiter(c), classify: c.Priority,
		retryAfter: strconv.Itoa(max(1, int(retry.Round(time.Second)/time.Second)))}
	if s.classify == nil {
		s.classify = func(*http.Request) Priority { return Normal }
	}
	return s
}

// LoadShed returns the middleware of a new [LoadShedder].
func LoadShed(c LoadShedConfig) func(http.Handler) http.Handler { return NewLoadShedder(c).Middleware }

// Middleware sheds the requests to next beyond the limit.
func (s *LoadShedder) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.l.acquire(s.classify(r)) {
			s.shed.Add(1)
			w.Header().Set("Retry-After", s.retryAfter)
			writeProblem(w, http.StatusServiceUnavailable, "the server is at capacity; retry later")
			return
		}
		start := time.Now()
		defer func() { s.l.release(time.Since(start)) }()
		next.ServeHTTP(w, r)
	})
}

// Limit returns the current concurrency limit.
func (s *LoadShedder) Limit() int { return int(s.l.limit.Load()) }

// Shed returns how many requests have been shed.
func (s *LoadShedder) Shed() int64 { return s.shed.Load() }

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

func newLimiter(c LoadShedConfig) *limiter {
	if c.InitialLimit <= 0 {
		c.InitialLimit = 20
	}
	if c.MinLimit <= 0 {
		c.MinLimit = 4
	}
	if c.MaxLimit <= 0 {
		c.MaxLimit = 1000
	}
	l := &limiter{min: float64(c.MinLimit), max: float64(c.MaxLimit), estimate: float64(c.InitialLimit), windowStart: time.Now()}
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
