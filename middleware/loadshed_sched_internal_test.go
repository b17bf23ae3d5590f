package middleware

// The scheduler gate of LoadShedder (SchedulingDelay): its reading of
// the runtime's histogram, tested with histograms the test writes and a
// fake clock; the limiter's use of it in and out of overload; and, once,
// against the real scheduler of this process.

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

// fakeLatencies is a histogram of scheduling latencies the test fills:
// buckets of 0–0.1 ms, 0.1–1 ms, 1–10 ms and 10 ms and more.
type fakeLatencies struct {
	h     metrics.Float64Histogram
	reads int
}

func newFakeLatencies() *fakeLatencies {
	return &fakeLatencies{h: metrics.Float64Histogram{
		Counts:  make([]uint64, 4),
		Buckets: []float64{0, 0.0001, 0.001, 0.01, 1e9},
	}}
}

// add counts n goroutines that waited in bucket i.
func (f *fakeLatencies) add(i int, n uint64) { f.h.Counts[i] += n }

func (f *fakeLatencies) read() *metrics.Float64Histogram {
	f.reads++
	return &f.h
}

// TestSchedGate: the gate is late when at least a quarter of the waits
// since its last reading reached the target, reads at most once a
// target, ignores the history before its first reading, and is never late
// where the runtime has no histogram.
func TestSchedGate(t *testing.T) {
	t.Parallel()
	clk := &fakeClock{t: time.Unix(0, 0)}
	f := newFakeLatencies()
	g := newSchedGate(time.Millisecond, clk.now, f.read)
	step := func(fast, slow uint64, want bool) {
		t.Helper()
		clk.t = clk.t.Add(time.Millisecond)
		f.add(1, fast) // under 1 ms
		f.add(2, slow) // 1–10 ms: at or over the target
		if got := g.isLate(); got != want {
			t.Fatalf("after %d fast and %d slow waits: late %v, want %v", fast, slow, got, want)
		}
	}
	f.add(3, 1000) // before the first reading: none of the gate's business
	step(10, 0, false)
	step(3, 1, true) // a quarter
	step(4, 1, false)
	step(0, 0, false) // nothing ran: not late
	step(0, 7, true)

	// Within the target of the last reading, the gate answers without
	// reading, whatever has happened since.
	reads := f.reads
	f.add(1, 100)
	clk.t = clk.t.Add(time.Millisecond / 2)
	if !g.isLate() || f.reads != reads {
		t.Fatalf("within the target: late %v after %d new reads; want the last answer (late) and no read", g.isLate(), f.reads-reads)
	}
	step(0, 0, false) // the 100 fast waits count at the next reading

	// A histogram of another shape has nothing to subtract from: learned
	// from, not judged.
	f.h = metrics.Float64Histogram{Counts: []uint64{0, 0, 0, 1000, 0}, Buckets: []float64{0, 1e-4, 1e-3, 2e-3, 1e-2, 1e9}}
	clk.t = clk.t.Add(time.Millisecond)
	if g.isLate() {
		t.Fatal("late on the first reading of a histogram of another shape")
	}

	none := newSchedGate(time.Millisecond, clk.now, func() *metrics.Float64Histogram { return nil })
	for range 3 {
		clk.t = clk.t.Add(time.Millisecond)
		if none.isLate() {
			t.Fatal("late without a histogram")
		}
	}
}

// TestSchedGateInOverload: the limiter asks its scheduler gate only in
// overload, refuses Normal and Low requests while it is late even below
// the concurrency limit while a request is in flight, counting them as
// the window's refusals, lets one in when none is, and never refuses a
// Critical request for it; the overload and the gate's refusals end
// after a window without refusals.
func TestSchedGateInOverload(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		cfg  loadShedConfig
	}{
		{"without OverloadMinLimit", loadShedConfig{initialLimit: 8, minLimit: 8, probeLimit: 8}},
		{"with OverloadMinLimit", loadShedConfig{initialLimit: 8, minLimit: 8, probeLimit: 2, overloadMinLimit: 2}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := &fakeClock{t: time.Unix(0, 0)}
			f := newFakeLatencies()
			l := newLimiter(tt.cfg, clk.now)
			l.sched = newSchedGate(time.Millisecond, clk.now, f.read)
			l.sched.isLate() // its first reading, which learns nothing
			late := func() {
				clk.t = clk.t.Add(time.Millisecond)
				f.add(2, 10)
			}
			// The start's probe, then a window with a refusal for every
			// admitted request: overload.
			for probing(l.epoch.Load()) {
				for _, r := range admit(l, 2) {
					clk.t = clk.t.Add(100 * time.Microsecond)
					l.release(time.Millisecond, r.epoch)
				}
			}
			late()
			if _, ok := l.acquire(Normal); !ok {
				t.Fatal("refused for the scheduler's delay before any overload")
			}
			l.release(time.Millisecond, l.epoch.Load())
			for !l.over.Load() {
				held := admit(l, 100)
				if _, ok := l.acquire(Normal); ok {
					t.Fatalf("admitted past the limit of %d", l.Limit())
				}
				for _, r := range held {
					clk.t = clk.t.Add(time.Millisecond)
					l.release(time.Millisecond, r.epoch)
				}
				if clk.t.After(time.Unix(10, 0)) {
					t.Fatal("never in overload")
				}
			}
			if probing(l.epoch.Load()) {
				t.Fatal("a probe runs; the test expects none")
			}

			// In overload and late, with one request running: Normal and
			// Low refused with places free, Critical admitted.
			late()
			running, ok := l.acquire(Normal)
			if !ok {
				t.Fatal("refused for the scheduler's delay with nothing in flight")
			}
			before := l.refused.Load()
			for _, p := range []Priority{Normal, Low} {
				if _, ok := l.acquire(p); ok {
					t.Fatalf("priority %d admitted while the scheduler is late (%d in flight, limit %d)", p, l.inflight.Load(), l.Limit())
				}
			}
			if got := l.refused.Load() - before; got != 2 {
				t.Fatalf("the gate's refusals counted %d times in the window, want 2", got)
			}
			epoch, ok := l.acquire(Critical)
			if !ok {
				t.Fatal("Critical refused for the scheduler's delay")
			}
			l.release(time.Millisecond, epoch)
			l.release(time.Millisecond, running)

			// On time again: admitted.
			clk.t = clk.t.Add(time.Millisecond)
			f.add(1, 10)
			if _, ok := l.acquire(Normal); !ok {
				t.Fatal("refused when the scheduler is on time")
			}
			l.release(time.Millisecond, l.epoch.Load())

			// The overload ends after a window without a refusal; then a
			// late scheduler refuses nobody.
			l.refused.Store(0)
			for l.over.Load() {
				clk.t = clk.t.Add(time.Millisecond)
				f.add(1, 10)
				for _, r := range admit(l, 2) {
					clk.t = clk.t.Add(time.Millisecond)
					l.release(time.Millisecond, r.epoch)
				}
				if clk.t.After(time.Unix(30, 0)) {
					t.Fatal("the overload never ended")
				}
			}
			late()
			if _, ok := l.acquire(Normal); !ok {
				t.Fatal("refused for the scheduler's delay after the overload ended")
			}
		})
	}
}

// overloadedLimiter returns a limiter with a scheduler gate, in overload,
// with nothing in flight, and the clock and histogram that drive it.
func overloadedLimiter(t *testing.T, cfg loadShedConfig) (*limiter, *fakeClock, *fakeLatencies) {
	t.Helper()
	clk := &fakeClock{t: time.Unix(0, 0)}
	f := newFakeLatencies()
	l := newLimiter(cfg, clk.now)
	l.sched = newSchedGate(time.Millisecond, clk.now, f.read)
	l.sched.isLate()
	for probing(l.epoch.Load()) {
		for _, r := range admit(l, 2) {
			clk.t = clk.t.Add(100 * time.Microsecond)
			l.release(time.Millisecond, r.epoch)
		}
	}
	for !l.over.Load() {
		held := admit(l, 100)
		l.acquire(Normal)
		for _, r := range held {
			clk.t = clk.t.Add(time.Millisecond)
			l.release(time.Millisecond, r.epoch)
		}
		if clk.t.After(time.Unix(10, 0)) {
			t.Fatal("never in overload")
		}
	}
	return l, clk, f
}

// TestSchedGateLetsGo: in overload, with the scheduler late all the
// while (other work of the process, or refusals alone) and requests
// coming one at a time, the gate does not refuse them all: the one it
// lets in keeps the windows ending, and a window without a refusal ends
// the overload. It refused every request for good before the gate asked
// for one in flight.
func TestSchedGateLetsGo(t *testing.T) {
	t.Parallel()
	for _, cfg := range []loadShedConfig{
		{initialLimit: 8, minLimit: 8, probeLimit: 8},
		{initialLimit: 8, minLimit: 8, probeLimit: 2, overloadMinLimit: 2},
	} {
		l, clk, f := overloadedLimiter(t, cfg)
		admitted := 0
		for range 1000 { // a second, a request a millisecond
			clk.t = clk.t.Add(time.Millisecond)
			f.add(2, 10) // late
			if e, ok := l.acquire(Normal); ok {
				admitted++
				l.release(time.Millisecond, e)
			}
		}
		if admitted != 1000 || l.over.Load() {
			t.Errorf("%+v: %d of 1000 requests admitted one at a time, in overload after: %v; want all, and the overload over",
				cfg, admitted, l.over.Load())
		}
	}
}

// TestOverloadLasts: without OverloadMinLimit, the overload the gate acts
// in lasts until a window without a refusal, not only while windows
// refuse a tenth as many as they admit.
func TestOverloadLasts(t *testing.T) {
	t.Parallel()
	l, clk, _ := overloadedLimiter(t, loadShedConfig{initialLimit: 8, minLimit: 8, probeLimit: 8})
	window := func(refusals int) {
		l.refused.Add(int64(refusals))
		for range windowSamples {
			e, ok := l.acquire(Critical) // the gate lets Critical by
			if !ok {
				t.Fatal("refused")
			}
			clk.t = clk.t.Add(100 * time.Microsecond)
			l.release(time.Millisecond, e)
		}
	}
	window(1) // one refusal in a window of 50
	if !l.over.Load() {
		t.Fatal("the overload ended after a window with a refusal")
	}
	window(0)
	if l.over.Load() {
		t.Fatal("the overload goes on after a window without a refusal")
	}
	window(1)
	if l.over.Load() {
		t.Fatal("one refusal in 50 began an overload")
	}
}

// TestSchedGateRealScheduler: against this process's own scheduler, the
// gate is late while more goroutines spin than there are processors, and
// on time once they stop (a reading with samples, since one without keeps
// the last answer). It waits for each state (seconds at most) and
// asserts nothing about how soon it comes.
func TestSchedGateRealScheduler(t *testing.T) {
	if testing.Short() {
		t.Skip("spins the processors for up to seconds")
	}
	g := newSchedGate(time.Millisecond, time.Now, nil)
	if g.read() == nil {
		t.Skip("this runtime has no " + schedLatencies)
	}
	waitFor := func(want bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for g.isLate() != want {
			if time.Now().After(deadline) {
				t.Fatalf("the gate never became late=%v in 10s", want)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	// The first reading, of the process's history, is not judged; nor is
	// one without a new sample, so that each state below is a reading's.
	g.isLate()

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2*runtime.GOMAXPROCS(0) + 1 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				for i := 0; i < 1e5; i++ {
					_ = i * i
				}
			}
		})
	}
	waitFor(true)
	close(stop)
	wg.Wait()
	waitFor(false)
}

// BenchmarkSchedGate: what the gate costs a request in overload — an
// answer from the last reading (most requests), and a reading of the
// runtime's histogram (one request per target).
func BenchmarkSchedGate(b *testing.B) {
	b.Run("cached", func(b *testing.B) {
		g := newSchedGate(time.Hour, time.Now, nil)
		g.isLate()
		b.ReportAllocs()
		for b.Loop() {
			g.isLate()
		}
	})
	b.Run("read", func(b *testing.B) {
		g := newSchedGate(time.Nanosecond, time.Now, nil)
		b.ReportAllocs()
		for b.Loop() {
			g.isLate()
		}
	})
}
