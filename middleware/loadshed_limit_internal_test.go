package middleware

// The adaptive limit's behaviour, tested deterministically: a fake clock
// and synthetic latencies drive the limiter itself (it is unexported, and
// its decisions depend on time), with no server and no sleeping.

import (
	"slices"
	"testing"
	"time"
)

// fakeClock is a clock the test moves.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

// admitted is a request the limiter admitted, with its epoch.
type admitted struct{ epoch uint64 }

// admit admits up to n Normal requests, as many as the limit lets in.
func admit(l *limiter, n int) []admitted {
	var a []admitted
	for range n {
		epoch, ok := l.acquire(Normal)
		if !ok {
			break
		}
		a = append(a, admitted{epoch})
	}
	return a
}

// TestProbeBaseline: a probe's baseline is the latency of the requests it
// admitted itself. Requests admitted before it, under the higher limit,
// end during it with their queueing and are left out; a probe that gets
// no request of its own within probeMaxDuration keeps the baseline it had.
func TestProbeBaseline(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		held int           // requests in flight when the probe starts
		step time.Duration // between the ends of two of them, during the probe
		want time.Duration // the baseline after the probe
	}{
		{"nothing in flight", 0, 0, 3 * time.Millisecond},
		{"a few in flight", 3, time.Millisecond, 3 * time.Millisecond},
		{"the limit in flight", 64, time.Millisecond, 3 * time.Millisecond},
		// They end only after probeMaxDuration: no sample of its own, the
		// baseline of the first probe stays.
		{"requests in flight past the probe's time", 64, 20 * time.Millisecond, 2 * time.Millisecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := &fakeClock{t: time.Unix(0, 0)}
			l := newLimiter(loadShedConfig{initialLimit: 64, minLimit: 4, probeLimit: 4}, clk.now)
			// The first probe, at start: 2 ms without queueing.
			for probing(l.epoch.Load()) {
				for _, r := range admit(l, 4) {
					clk.t = clk.t.Add(500 * time.Microsecond)
					l.release(2*time.Millisecond, r.epoch)
				}
			}
			if l.baseline != float64(2*time.Millisecond) || l.Limit() != 64 {
				t.Fatalf("after the first probe: baseline %v, limit %d; want 2ms and 64", time.Duration(l.baseline), l.Limit())
			}
			held := admit(l, tt.held)
			if len(held) != tt.held {
				t.Fatalf("admitted %d of %d before the probe", len(held), tt.held)
			}
			l.mu.Lock()
			l.startProbe()
			l.mu.Unlock()
			if l.Limit() != 4 {
				t.Fatalf("limit during the probe: %d, want 4", l.Limit())
			}
			// Those admitted before end with 40 ms of queueing.
			for _, r := range held {
				clk.t = clk.t.Add(tt.step)
				l.release(40*time.Millisecond, r.epoch)
			}
			// Then the probe's own: 3 ms.
			for probing(l.epoch.Load()) {
				for _, r := range admit(l, 4) {
					clk.t = clk.t.Add(750 * time.Microsecond)
					l.release(3*time.Millisecond, r.epoch)
				}
			}
			if got := time.Duration(l.baseline); got != tt.want {
				t.Errorf("baseline %v, want %v", got, tt.want)
			}
			if l.Limit() != 64 {
				t.Errorf("limit after the probe: %d, want 64 again", l.Limit())
			}
		})
	}
}

// Limit is the current limit (as LoadShedder.Limit).
func (l *limiter) Limit() int { return int(l.limit.Load()) }

// overloaded is a synthetic server under more load than it can take:
// whenever the limit lets a request in, one is there. A request admitted
// with n in flight (itself included) takes latency(n): base without
// queueing, n/capacity once more are in flight than the server runs at
// once (Little's law).
type overloaded struct {
	capacity float64 // requests per second
	base     time.Duration
}

func (s overloaded) latency(n int64) time.Duration {
	return max(s.base, time.Duration(float64(n)/s.capacity*float64(time.Second)))
}

// running is a request of the simulation.
type running struct {
	end   time.Time
	rtt   time.Duration
	epoch uint64
}

// TestLimitUnderOverload: offered more than it can serve, the limit
// settles where the server keeps its throughput and requests hardly
// queue: near capacity·base·tolerance, or at MinLimit when that is
// higher, whatever the limit it started from; with a floor above what
// the server needs and the probe below it, at the floor — not, as when
// the probe ran at the floor, where the probe's baseline is queueing and
// the limit grows from there.
func TestLimitUnderOverload(t *testing.T) {
	t.Parallel()
	srv := overloaded{capacity: 2000, base: 3 * time.Millisecond} // 6 in flight fill it
	for _, tt := range []struct {
		name                 string
		cfg                  loadShedConfig
		lowest, highest      int           // of the limit after the first 10 s, out of probes
		maxLatency           time.Duration // mean of the last 20 s
		minThroughputPercent int           // of capacity
	}{
		{"defaults", loadShedConfig{}, 6, 16, 8 * time.Millisecond, 95},
		{"started high", loadShedConfig{initialLimit: 500, minLimit: 4}, 6, 16, 8 * time.Millisecond, 95},
		{"started low", loadShedConfig{initialLimit: 1, minLimit: 1}, 6, 16, 8 * time.Millisecond, 95},
		{"floor above the need, probe below", loadShedConfig{initialLimit: 24, minLimit: 24, probeLimit: 4}, 24, 24, 12 * time.Millisecond, 95},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := &fakeClock{t: time.Unix(0, 0)}
			l := newLimiter(tt.cfg, clk.now)
			start := clk.t
			var inFlight []running
			lowest, highest, served := 1<<30, 0, 0
			var waited time.Duration
			for clk.t.Sub(start) < 30*time.Second {
				for {
					epoch, ok := l.acquire(Normal)
					if !ok {
						break
					}
					d := srv.latency(l.inflight.Load())
					inFlight = append(inFlight, running{clk.t.Add(d), d, epoch})
				}
				next := slices.IndexFunc(inFlight, func(r running) bool {
					return !slices.ContainsFunc(inFlight, func(o running) bool { return o.end.Before(r.end) })
				})
				r := inFlight[next]
				inFlight = slices.Delete(inFlight, next, next+1)
				clk.t = r.end
				l.release(r.rtt, r.epoch)
				if clk.t.Sub(start) < 10*time.Second {
					continue
				}
				served++
				waited += r.rtt
				if !probing(l.epoch.Load()) {
					lowest, highest = min(lowest, l.Limit()), max(highest, l.Limit())
				}
			}
			throughput := float64(served) / 20
			mean := waited / time.Duration(served)
			t.Logf("limit %d..%d, %.0f/s (%.0f%% of capacity), mean latency %v", lowest, highest, throughput, throughput/srv.capacity*100, mean)
			if lowest < tt.lowest || highest > tt.highest {
				t.Errorf("limit %d..%d, want it within [%d, %d]", lowest, highest, tt.lowest, tt.highest)
			}
			if mean > tt.maxLatency {
				t.Errorf("mean latency %v, want at most %v", mean, tt.maxLatency)
			}
			if int(throughput*100/srv.capacity) < tt.minThroughputPercent {
				t.Errorf("throughput %.0f/s, want at least %d%% of %.0f/s", throughput, tt.minThroughputPercent, srv.capacity)
			}
		})
	}
}

// TestProbeGivesUp: a probe whose places are all held by requests that do
// not end gives the limit back after probeMaxDuration, at the next
// refusal: a few slow requests cannot keep the limit at the probe's.
func TestProbeGivesUp(t *testing.T) {
	t.Parallel()
	clk := &fakeClock{t: time.Unix(0, 0)}
	l := newLimiter(loadShedConfig{initialLimit: 16, minLimit: 16, probeLimit: 4}, clk.now)
	if got := len(admit(l, 100)); got != 4 {
		t.Fatalf("admitted %d during the first probe, want 4", got)
	}
	for _, tt := range []struct {
		after time.Duration
		want  int // admitted of 100, with the 4 still held
	}{
		{probeMaxDuration / 2, 0},
		{probeMaxDuration - time.Nanosecond, 0},
		{probeMaxDuration, 0}, // this refusal ends the probe
		{probeMaxDuration, 12},
	} {
		clk.t = time.Unix(0, 0).Add(tt.after)
		if got := len(admit(l, 100)); got != tt.want {
			t.Errorf("after %v: admitted %d, want %d", tt.after, got, tt.want)
		}
	}
	if l.baseline != 0 || l.Limit() != 16 {
		t.Errorf("baseline %v, limit %d; want none (no sample) and 16", time.Duration(l.baseline), l.Limit())
	}
}
