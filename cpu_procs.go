package roux

// This file keeps GOMAXPROCS where the CPU pools need it.
//
// A pool's isolation rests on one P more than it has workers (cpu.go).
// Since Go 1.25 the runtime's default GOMAXPROCS follows the container's
// CPU limit (the cgroup's quota, rounded up, at least 2) and the CPUs
// the process may run on, and the runtime re-reads it about once a
// second — but only while no program has set GOMAXPROCS, and the pool
// must set it to add its spare P. So while pools run, roux does what
// the runtime would have done: every procsInterval it re-reads the
// runtime's default (runtime.SetDefaultGOMAXPROCS, then GOMAXPROCS(0)),
// sizes the pools that follow it to the default and sets GOMAXPROCS to
// the default plus one (or a fixed pool's Workers+1, when more). When
// the last pool stops it hands GOMAXPROCS back to the runtime.
//
// Re-reading costs two stop-the-world pauses of the GOMAXPROCS kind
// (BenchmarkRereadGOMAXPROCS), so it is done every ten seconds rather
// than every second as the runtime does. A GOMAXPROCS environment
// variable is the default and is never re-read; a GOMAXPROCS set by the
// program while pools run is left alone for good.

import (
	"cmp"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"
)

// procsInterval is how often the runtime's default is re-read while
// pools run.
const procsInterval = 10 * time.Second

// procs is the process's governor of GOMAXPROCS: one, since GOMAXPROCS
// is the process's.
var procs governor

type governor struct {
	mu    sync.Mutex
	pools []*cpuPool // running pools that let roux set GOMAXPROCS
	set   int        // the GOMAXPROCS roux set last; 0 when it has not
	given bool       // the program set GOMAXPROCS itself: roux leaves it alone
	stop  chan struct{}
	// interval is procsInterval; tests shorten it.
	interval time.Duration
}

// join adds a starting pool: it sizes the pool and sets GOMAXPROCS for it.
func (g *governor) join(p *cpuPool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.changedByProgram(p.log)
	def := g.defaultProcs()
	n := def
	if p.cfg.Workers > 0 {
		n = p.cfg.Workers
	}
	// The runtime's default is at most the CPUs the process may run on;
	// NumCPU is their number at start-up.
	p.init(n, max(n, runtime.NumCPU()))
	g.pools = append(g.pools, p)
	if len(g.pools) == 1 {
		g.stop = make(chan struct{})
		go g.watch(g.stop, cmp.Or(g.interval, procsInterval))
	}
	g.apply(def)
}

// leave removes a stopping pool; the last one hands GOMAXPROCS back.
func (g *governor) leave(p *cpuPool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	i := slices.Index(g.pools, p)
	if i < 0 {
		return
	}
	g.pools = slices.Delete(g.pools, i, i+1)
	if g.changedByProgram(p.log); len(g.pools) > 0 {
		g.apply(g.defaultProcs())
		return
	}
	close(g.stop)
	if g.set == 0 || g.given {
		return
	}
	from := g.set
	if env := envProcs(); env > 0 {
		runtime.GOMAXPROCS(env)
	} else {
		runtime.SetDefaultGOMAXPROCS() // and the runtime follows the limit again
	}
	g.set = 0
	p.log.Debug("roux: the CPU pools stopped; GOMAXPROCS is the runtime's default again",
		slog.Int("from", from), slog.Int("to", runtime.GOMAXPROCS(0)))
}

// watch re-reads the runtime's default every interval until stop closes.
func (g *governor) watch(stop <-chan struct{}, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			g.mu.Lock()
			if len(g.pools) > 0 {
				g.changedByProgram(g.pools[0].log)
				g.apply(g.defaultProcs())
			}
			g.mu.Unlock()
		}
	}
}

// changedByProgram notices that GOMAXPROCS is no longer what roux set:
// roux then leaves it alone for good, and says so once.
func (g *governor) changedByProgram(log *slog.Logger) {
	if g.set == 0 || g.given {
		return
	}
	if now := runtime.GOMAXPROCS(0); now != g.set {
		g.given = true
		log.Warn("roux: GOMAXPROCS was set by the program; the CPU pools leave it alone from now on and keep one P spare within it",
			slog.Int("roux set", g.set), slog.Int("now", now))
	}
}

// defaultProcs returns the runtime's default GOMAXPROCS: the
// environment's GOMAXPROCS if set, otherwise what the runtime derives
// from the CPUs and the container's limit. Reading the latter sets
// GOMAXPROCS to it, which apply then changes. g.mu is held.
func (g *governor) defaultProcs() int {
	if g.given {
		return max(1, runtime.GOMAXPROCS(0)-1)
	}
	if env := envProcs(); env > 0 {
		return env
	}
	runtime.SetDefaultGOMAXPROCS()
	return runtime.GOMAXPROCS(0)
}

// apply sizes the pools that follow the default and sets GOMAXPROCS to
// one more than the largest pool. g.mu is held.
func (g *governor) apply(def int) {
	want := def + 1
	for _, p := range g.pools {
		p.mu.Lock()
		p.resize(cmp.Or(p.cfg.Workers, def))
		want = max(want, int(p.size.Load())+1)
		p.mu.Unlock()
	}
	if g.given {
		return
	}
	if was := runtime.GOMAXPROCS(want); want != g.set {
		g.pools[0].log.Info("roux: set GOMAXPROCS so that I/O-bound work keeps a P beside the CPU pool",
			slog.Int("from", was), slog.Int("to", want), slog.Int("default", def))
	}
	g.set = want
}

// envProcs returns the GOMAXPROCS environment variable as the runtime
// reads it, or 0 when it is unset or not a positive number.
func envProcs() int {
	n, err := strconv.Atoi(os.Getenv("GOMAXPROCS"))
	if err != nil || n <= 0 {
		return 0
	}
	return n
}
