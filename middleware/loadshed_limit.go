package middleware

// This file holds the adaptive concurrency limit of LoadShedder.
//
// The limit follows the gradient algorithm of Netflix's concurrency-limits
// (Gradient2): a baseline of request latency is compared with the recent
// latency, and the limit shrinks in proportion when requests start to
// queue somewhere. The baseline is measured the way Envoy's adaptive
// concurrency filter does, in probe windows during which the limit drops
// low (ProbeLimit, by default MinLimit). Only requests that end with a
// latency worth learning from are sampled: a long-lived response (an
// event stream) moved out of the limit by MarkLongLived is not, and a
// probe learns only from the requests it admitted itself — those admitted
// before it, under the higher limit, end during it with the queueing it
// is there to leave out.
//
// With OverloadMinLimit, MinLimit is a floor for loads the server
// carries, not for overload: a window in which at least a tenth as many
// requests were refused as admitted (outside probes) puts the limiter in
// overload, where the limit may go down to OverloadMinLimit and a probe
// runs at no more than it. The floor comes back after a window without a
// refusal (the clients back off, as Retry-After asks), or after a trial:
// every trialInterval in overload the limit goes up to MinLimit, and a
// window through which nobody is refused ends the overload (clients that
// retry at once, but are no more than the floor admits), while the first
// refusal ends the trial. An overload that comes back within a
// trialInterval of its end starts from the limit it had reached.

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// limiter is a gradient concurrency limiter. Its baseline is the
// latency of the server without queueing, measured in a probe window
// during which the limit drops to probeLimit, at start and again after
// probeEvery windows and probeInterval; between probes it is the lowest
// window mean seen. Between probes the limit moves by the gradient
// baseline·tolerance/recent latency (clamped to [0.5, 1]) plus a
// square-root allowance for growth, within [min, max].
type limiter struct {
	inflight atomic.Int64
	limit    atomic.Int64 // current limit, read on every request
	// epoch counts the probes' starts and ends: odd while a probe runs.
	// A request carries the epoch of its admission, so that a probe tells
	// its own requests from those admitted before it.
	epoch atomic.Uint64
	// probeEnd is when the running probe gives up, in Unix nanoseconds:
	// a refusal past it ends the probe, should its requests never end.
	probeEnd atomic.Int64
	// refused counts the refusals of requests over the limit itself (not
	// over a Low request's share of it) since the window started.
	refused atomic.Int64
	// trial is set while the limit is at min to learn whether the demand
	// of an overload fits under the floor; a refusal ends it.
	trial atomic.Bool
	now   func() time.Time // the test's clock; nil: time.Now
	// over is set while the limiter is in overload: with overloadMin, as
	// overloaded; without, from a window in which it refused at least a
	// tenth as many requests as it admitted, until a window without a
	// refusal. The scheduler gate acts only then, and only while a
	// request is in flight, so that windows go on ending.
	over  atomic.Bool
	sched *schedGate // SchedulingDelay's; nil: none

	mu          sync.Mutex
	min, max    float64
	probeLimit  float64
	overloadMin float64   // the floor in overload; 0: MinLimit always
	overloaded  bool      // refusing: the floor is overloadMin
	trialAt     time.Time // when overload began or the last trial ended
	probedAt    float64   // the limit of the last probe
	// overEstimate is the estimate when the last overload ended, at
	// overEnded: an overload that comes back soon starts from it.
	overEstimate float64
	overEnded    time.Time
	estimate     float64 // the limit as a float, smoothed
	baseline     float64 // latency without queueing, ns; 0 until a probe has samples
	windows      int     // since the last probe
	probeEnded   time.Time
	windowSum    time.Duration
	windowN      int
	windowStart  time.Time
}

const (
	windowSamples  = 50
	windowDuration = 100 * time.Millisecond
	// A probe comes again after probeEvery windows and probeInterval,
	// whichever is later: under load a window is 50 requests, and a probe
	// sheds most of what comes while it lasts.
	probeEvery    = 100
	probeInterval = 10 * time.Second
	// A probe ends after windowSamples of its own requests, or after
	// windowDuration with at least probeMinSamples; it gives up after
	// probeMaxDuration (requests admitted before it still running, or
	// none coming), keeping the baseline it had.
	probeMinSamples  = 5
	probeMaxDuration = time.Second
	smoothing        = 0.2
	tolerance        = 1.5 // recent latency may be this much above the baseline before the limit shrinks
	// In overload (OverloadMinLimit), the limit goes back up to MinLimit
	// for a trial every trialInterval: requests admitted then may wait
	// for a floor's worth ahead of them, until the first refusal.
	trialInterval = 5 * time.Second
)

func newLimiter(c loadShedConfig, now func() time.Time) *limiter {
	if c.initialLimit <= 0 {
		c.initialLimit = 20
	}
	if c.minLimit <= 0 {
		c.minLimit = 4
	}
	if c.maxLimit <= 0 {
		c.maxLimit = 1000
	}
	if c.probeLimit <= 0 {
		c.probeLimit = c.minLimit
	}
	l := &limiter{now: now, min: float64(c.minLimit), max: float64(c.maxLimit), probeLimit: float64(c.probeLimit),
		estimate: math.Max(float64(c.minLimit), math.Min(float64(c.maxLimit), float64(c.initialLimit)))}
	if c.overloadMinLimit > 0 && c.overloadMinLimit < c.minLimit {
		l.overloadMin = float64(c.overloadMinLimit)
	}
	if c.schedDelay > 0 {
		l.sched = newSchedGate(c.schedDelay, l.clock, nil)
	}
	l.startProbe()
	return l
}

// clock returns the time: time.Now, or the test's clock.
func (l *limiter) clock() time.Time {
	if l.now != nil {
		return l.now()
	}
	return time.Now()
}

// since returns the time elapsed since t; time.Since reads only the
// monotonic clock, cheaper than time.Now.
func (l *limiter) since(t time.Time) time.Duration {
	if l.now != nil {
		return l.now().Sub(t)
	}
	return time.Since(t)
}

// probing reports whether epoch is a probe's.
func probing(epoch uint64) bool { return epoch%2 == 1 }

// startProbe drops the limit to probeLimit until the probe has its
// samples. Called with mu held, or before l is shared.
func (l *limiter) startProbe() {
	l.windows, l.windowSum, l.windowN, l.windowStart = 0, 0, 0, l.clock()
	l.probeEnd.Store(l.windowStart.Add(probeMaxDuration).UnixNano())
	l.epoch.Add(1)
	probe := l.probeLimit
	if l.overloaded {
		probe = math.Min(probe, l.overloadMin)
	}
	l.probedAt = probe
	l.limit.Store(int64(probe))
}

// floor is the lowest the limit goes now: min, or overloadMin in
// overload. Called with mu held.
func (l *limiter) floor() float64 {
	if l.overloaded {
		return l.overloadMin
	}
	return l.min
}

// endProbe sets the baseline from the probe's samples, if it has any,
// and gives the limit back. Called with mu held.
func (l *limiter) endProbe() {
	if l.windowN > 0 {
		l.baseline = float64(l.windowSum) / float64(l.windowN)
	}
	l.epoch.Add(1)
	l.windowSum, l.windowN, l.windowStart, l.probeEnded = 0, 0, l.clock(), l.clock()
	l.refused.Store(0)
	l.limit.Store(int64(math.Round(l.estimate)))
}

// acquire admits a request of priority p, or reports false; an admitted
// request gives back the epoch to release.
func (l *limiter) acquire(p Priority) (epoch uint64, ok bool) {
	epoch = l.epoch.Load()
	if l.sched != nil && p != Critical && l.over.Load() && l.inflight.Load() > 0 && l.sched.isLate() {
		l.refuse()
		return 0, false
	}
	limit := float64(l.limit.Load())
	switch p {
	case Low:
		limit *= 0.8
	case Critical:
		limit *= 1.5
	}
	if n := l.inflight.Add(1); float64(n) > math.Max(limit, 1) {
		l.inflight.Add(-1)
		switch {
		case probing(epoch):
			if l.clock().UnixNano() >= l.probeEnd.Load() {
				l.giveUpProbe(epoch)
			}
		case p < Normal && n <= l.limit.Load():
			// Only a Low request's share of the limit is full.
		default:
			l.refuse()
		}
		return 0, false
	}
	return epoch, true
}

// refuse counts a refusal of the window's, which ends a trial.
func (l *limiter) refuse() {
	l.refused.Add(1)
	if l.trial.Load() {
		l.endTrial()
	}
}

// pressed reports whether the limiter is refusing requests (it has
// refused one since its window started) or has just given its last place.
func (l *limiter) pressed() bool {
	return l.refused.Load() > 0 || l.inflight.Load() >= l.limit.Load()
}

// giveUpProbe ends the probe of epoch, if it still runs: its time is up
// and no request of its own has ended to end it (those in flight hold
// every place, and hold them still).
func (l *limiter) giveUpProbe(epoch uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.epoch.Load() == epoch {
		l.endProbe()
	}
}

// endTrial ends a trial at its first refusal: the overload goes on, and
// the limit goes back to the estimate. A refusal of the demand the
// trial let in is none of the window's, which starts again.
func (l *limiter) endTrial() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.trial.Load() {
		return
	}
	l.trial.Store(false)
	l.trialAt = l.clock()
	l.windowSum, l.windowN, l.windowStart = 0, 0, l.trialAt
	l.refused.Store(0)
	l.limit.Store(int64(math.Round(l.estimate)))
}

// overload moves the limiter in or out of overload at the end of a
// window of admitted requests in which refused were refused, and starts
// a trial when one is due. It reports whether the limit is set for the
// next window (a trial's). Called with mu held.
func (l *limiter) overload(admitted int, refused int64) (set bool) {
	if l.overloadMin == 0 {
		return false
	}
	switch {
	case l.trial.Load(), l.overloaded && refused == 0:
		// Nobody refused through a trial at min, or the clients back off:
		// the floor comes back.
		l.trial.Store(false)
		l.overloaded = false
		l.overEstimate, l.overEnded = l.estimate, l.clock()
		l.estimate = math.Max(l.estimate, l.min)
		l.limit.Store(int64(math.Round(l.estimate)))
	case !l.overloaded && refused > 0 && refused*10 >= int64(admitted):
		l.overloaded, l.trialAt = true, l.clock()
		// Back soon after it ended (a lull in the demand, which the
		// floor did not need): the limit it had learned still holds.
		if !l.overEnded.IsZero() && l.since(l.overEnded) < trialInterval {
			l.estimate = math.Min(l.estimate, l.overEstimate)
			l.limit.Store(int64(math.Round(l.estimate)))
		}
		// A baseline measured above the overload's probe limit may be
		// queueing, which the gradient would take for normal.
		if l.probedAt > math.Min(l.probeLimit, l.overloadMin) {
			l.startProbe()
			return true
		}
	case l.overloaded && l.estimate >= l.min:
		// Nothing to try: the limit is not below the floor.
		l.trialAt = l.clock()
	case l.overloaded && l.since(l.trialAt) >= trialInterval:
		l.trial.Store(true)
		l.limit.Store(int64(l.min))
		return true
	}
	return false
}

// release ends a request admitted in epoch that took rtt, and updates the
// limit once per window.
func (l *limiter) release(rtt time.Duration, epoch uint64) {
	inflight := l.inflight.Add(-1) + 1
	l.mu.Lock()
	defer l.mu.Unlock()
	if current := l.epoch.Load(); probing(current) {
		if epoch == current {
			l.windowSum += rtt
			l.windowN++
		}
		if d := l.since(l.windowStart); l.windowN >= windowSamples ||
			d >= windowDuration && l.windowN >= probeMinSamples || d >= probeMaxDuration {
			l.endProbe()
		}
		return
	}
	l.windowSum += rtt
	l.windowN++
	if l.windowN < windowSamples && l.since(l.windowStart) < windowDuration {
		return
	}
	recent := float64(l.windowSum) / float64(l.windowN)
	admitted := l.windowN
	l.windowSum, l.windowN, l.windowStart = 0, 0, l.clock()
	if l.baseline == 0 || recent < l.baseline {
		l.baseline = recent
	}
	refused := l.refused.Swap(0)
	set := l.overload(admitted, refused)
	switch {
	case l.overloadMin > 0:
		l.over.Store(l.overloaded)
	case refused == 0:
		l.over.Store(false)
	case refused*10 >= int64(admitted):
		l.over.Store(true)
	}
	if set {
		return
	}
	if l.windows++; l.windows >= probeEvery && l.since(l.probeEnded) >= probeInterval {
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
	l.estimate = math.Max(l.floor(), math.Min(l.max, l.estimate*(1-smoothing)+next*smoothing))
	l.limit.Store(int64(math.Round(l.estimate)))
}

// leave ends a request without a latency sample: one whose response
// became long-lived, whose duration says nothing about queueing.
func (l *limiter) leave() { l.inflight.Add(-1) }
