package middleware

// OverloadMinLimit, tested deterministically as loadshed_limit's
// behaviour is: a fake clock and a synthetic server drive the limiter,
// with open-loop arrivals and closed-loop clients.

import (
	"math"
	"slices"
	"testing"
	"time"
)

// sim drives a limiter with a synthetic server (overloaded's latency
// model): an open loop of rate arrivals a second until openUntil, whose
// refused requests are gone, and closed-loop clients, each sending its
// next request when its last ends, or retry after a refusal.
type sim struct {
	l         *limiter
	clk       *fakeClock
	srv       overloaded
	running   []simRequest
	rate      float64
	arrival   time.Time // the next open-loop request's
	openUntil time.Time
	clients   []time.Time // when each client sends next; zero while it waits for an answer
	retry     time.Duration
}

// simRequest is an admitted request: client is -1 for the open loop's.
type simRequest struct {
	running
	client int
}

// simEvent is what happened at the clock's time, for the test to count.
type simEvent struct {
	done    *simRequest // a request that ended
	refused bool        // a refusal, of the client's (-1: the open loop's)
	client  int
}

func newSim(cfg loadShedConfig, rate float64, openFor time.Duration, clients int, retry time.Duration) *sim {
	clk := &fakeClock{t: time.Unix(0, 0)}
	s := &sim{l: newLimiter(cfg, clk.now), clk: clk, srv: s0,
		rate: rate, arrival: clk.t, openUntil: clk.t.Add(openFor), clients: make([]time.Time, clients), retry: retry}
	for i := range s.clients {
		s.clients[i] = clk.t
	}
	return s
}

// admit starts a request of client, or reports a refusal.
func (s *sim) admit(client int) bool {
	epoch, ok := s.l.acquire(Normal)
	if ok {
		d := s.srv.latency(s.l.inflight.Load())
		s.running = append(s.running, simRequest{running{s.clk.t.Add(d), d, epoch}, client})
	}
	return ok
}

// step moves the clock to the next event and plays it.
func (s *sim) step() simEvent {
	next, what := time.Time{}, -3 // -3: none, -2: an end, -1: an arrival, i: client i
	end := -1
	for i, r := range s.running {
		if next.IsZero() || r.end.Before(next) {
			next, what, end = r.end, -2, i
		}
	}
	if s.rate > 0 && s.arrival.Before(s.openUntil) && (next.IsZero() || s.arrival.Before(next)) {
		next, what = s.arrival, -1
	}
	for i, t := range s.clients {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next, what = t, i
		}
	}
	if what == -3 {
		panic("sim: nothing to do")
	}
	s.clk.t = next
	switch {
	case what == -2:
		r := s.running[end]
		s.running = slices.Delete(s.running, end, end+1)
		s.l.release(r.rtt, r.epoch)
		if r.client >= 0 {
			s.clients[r.client] = s.clk.t
		}
		return simEvent{done: &r, client: r.client}
	case what == -1:
		s.arrival = s.arrival.Add(time.Duration(float64(time.Second) / s.rate))
		return simEvent{refused: !s.admit(-1), client: -1}
	}
	if s.admit(what) {
		s.clients[what] = time.Time{}
		return simEvent{client: what}
	}
	s.clients[what] = s.clk.t.Add(s.retry)
	return simEvent{refused: true, client: what}
}

// TestOverloadMinLimit: offered three times what it can serve in an open
// loop, a shedder with a floor of 32, where the server is full at 6 in
// flight, keeps 32 in flight (16 ms each); with OverloadMinLimit the
// limit leaves the floor for where requests hardly queue, except in the
// short trials of the floor, and the throughput stays.
func TestOverloadMinLimit(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name                 string
		cfg                  loadShedConfig
		lowest, highest      int           // of the limit after the first 10 s, out of probes and trials
		maxLatency           time.Duration // mean of the last 20 s
		maxP99               time.Duration
		minThroughputPercent int // of capacity
	}{
		// The probe at the floor measures a baseline that is mostly
		// queueing, and the limit grows from there.
		{"floor", loadShedConfig{initialLimit: 32, minLimit: 32}, 32, 64, 30 * time.Millisecond, 30 * time.Millisecond, 95},
		{"floor, overload floor", loadShedConfig{initialLimit: 32, minLimit: 32, overloadMinLimit: 4}, 4, 16, 8 * time.Millisecond, 9 * time.Millisecond, 95},
		{"floor, overload floor above the probe", loadShedConfig{initialLimit: 32, minLimit: 32, probeLimit: 2, overloadMinLimit: 8}, 8, 16, 9 * time.Millisecond, 9 * time.Millisecond, 95},
		// Not below MinLimit: no overload floor.
		{"overload floor at the floor", loadShedConfig{initialLimit: 32, minLimit: 32, overloadMinLimit: 32}, 32, 64, 30 * time.Millisecond, 30 * time.Millisecond, 95},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSim(tt.cfg, 3*s0.capacity, time.Hour, 0, 0)
			start := s.clk.t
			lowest, highest := math.MaxInt, 0
			var lat []time.Duration
			for s.clk.t.Sub(start) < 30*time.Second {
				e := s.step()
				if s.clk.t.Sub(start) < 10*time.Second {
					continue
				}
				if e.done != nil {
					lat = append(lat, e.done.rtt)
				}
				if !probing(s.l.epoch.Load()) && !s.l.trial.Load() {
					lowest, highest = min(lowest, s.l.Limit()), max(highest, s.l.Limit())
				}
			}
			throughput := float64(len(lat)) / 20
			var sum time.Duration
			for _, d := range lat {
				sum += d
			}
			mean := sum / time.Duration(len(lat))
			slices.Sort(lat)
			p99 := lat[len(lat)*99/100]
			t.Logf("limit %d..%d, %.0f/s (%.0f%% of capacity), latency mean %v, p99 %v", lowest, highest, throughput, throughput/s.srv.capacity*100, mean, p99)
			if lowest < tt.lowest || highest > tt.highest {
				t.Errorf("limit %d..%d, want it within [%d, %d]", lowest, highest, tt.lowest, tt.highest)
			}
			if mean > tt.maxLatency || p99 > tt.maxP99 {
				t.Errorf("latency mean %v, p99 %v; want at most %v and %v", mean, p99, tt.maxLatency, tt.maxP99)
			}
			if int(throughput*100/s.srv.capacity) < tt.minThroughputPercent {
				t.Errorf("throughput %.0f/s, want at least %d%% of %.0f/s", throughput, tt.minThroughputPercent, s.srv.capacity)
			}
		})
	}
}

// s0 is the synthetic server of the tests here.
var s0 = overloaded{capacity: 2000, base: 3 * time.Millisecond}

// TestOverloadEnds: 32 closed-loop clients, as many as the floor, are
// never refused by a shedder with OverloadMinLimit that was not in
// overload; after an open-loop overload, they get the floor back — within
// a window of backing off when they wait Retry-After's second, within a
// trial when they retry at once — and are not refused after.
func TestOverloadEnds(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		overload time.Duration // of the open loop at 3·capacity, at the start
		retry    time.Duration // a client's delay after a refusal
		within   time.Duration // after the overload, until the last refusal
	}{
		{"never overloaded", 0, 100 * time.Microsecond, 0},
		{"clients wait Retry-After", 3 * time.Second, time.Second, time.Second + 200*time.Millisecond},
		{"clients retry at once", 3 * time.Second, 100 * time.Microsecond, trialInterval + 200*time.Millisecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSim(loadShedConfig{initialLimit: 32, minLimit: 32, overloadMinLimit: 4}, 3*s0.capacity, tt.overload, 32, tt.retry)
			start := s.clk.t
			end := start.Add(tt.overload)
			var last time.Time // of a client's refusal
			refused, served, lowest := 0, 0, math.MaxInt
			for s.clk.t.Sub(start) < 30*time.Second {
				e := s.step()
				if e.client >= 0 && e.refused {
					refused++
					last = s.clk.t
				}
				if e.done != nil && e.client >= 0 && s.clk.t.After(end) {
					served++
				}
				if tt.overload > 0 && s.clk.t.Before(end) {
					lowest = min(lowest, s.l.Limit())
				}
			}
			if t.Logf("%d refusals of the clients, %d served after the overload", refused, served); refused > 0 {
				t.Logf("the last refusal %v after the overload", last.Sub(end))
			}
			if tt.overload > 0 && lowest > 16 {
				t.Errorf("the limit during the overload stayed at %d or more, want it below the floor", lowest)
			}
			if tt.overload == 0 && refused > 0 {
				t.Errorf("%d refusals of the clients, want none", refused)
			}
			if refused > 0 && last.Sub(end) > tt.within {
				t.Errorf("the clients' last refusal came %v after the overload, want it within %v", last.Sub(end), tt.within)
			}
			// 32 in flight at capacity: 16 ms each.
			if want := int(float64(30*time.Second-tt.overload-tt.within) / float64(16*time.Millisecond) * 32 * 0.95); served < want {
				t.Errorf("%d requests of the clients served after the overload, want at least %d", served, want)
			}
			if s.l.Limit() < 32 || s.l.overloaded {
				t.Errorf("at the end: limit %d, overloaded %v; want 32 or more, false", s.l.Limit(), s.l.overloaded)
			}
		})
	}
}

// TestOverloadLull: a lull in an open-loop overload — a window through
// which nobody is refused — gives the floor back, but the overload that
// resumes after it starts from the limit it had learned, not from the
// floor's: its requests do not wait for a floor's worth ahead of them
// while the gradient brings the limit down again.
func TestOverloadLull(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		lull time.Duration // at a tenth of the overload's rate
		high int           // the highest limit from 50 ms after it to 1 s after it
	}{
		{"a lull", 300 * time.Millisecond, 16},
		// Long past: the overload starts from the floor again.
		{"a long lull", 2 * trialInterval, 64},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSim(loadShedConfig{initialLimit: 32, minLimit: 32, overloadMinLimit: 4}, 3*s0.capacity, time.Hour, 0, 0)
			start := s.clk.t
			lull, resume := start.Add(5*time.Second), start.Add(5*time.Second+tt.lull)
			ended, high := false, 0
			for s.clk.t.Before(resume.Add(time.Second)) {
				switch {
				case s.clk.t.Before(lull):
					s.rate = 3 * s0.capacity
				case s.clk.t.Before(resume):
					s.rate = 0.3 * s0.capacity
					ended = ended || !s.l.overloaded
				default:
					s.rate = 3 * s0.capacity
				}
				s.step()
				if s.clk.t.After(resume.Add(50*time.Millisecond)) && !probing(s.l.epoch.Load()) && !s.l.trial.Load() {
					high = max(high, s.l.Limit())
				}
			}
			if !ended {
				t.Fatal("the lull did not end the overload")
			}
			if high > tt.high {
				t.Errorf("the limit went up to %d after the lull, want at most %d", high, tt.high)
			}
			if tt.lull > trialInterval && high < 32 {
				t.Errorf("the limit went up to %d after the long lull, want the floor's 32", high)
			}
		})
	}
}
