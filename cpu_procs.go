package roux

// This file keeps GOMAXPROCS where the CPU pools need it.
//
// A pool's isolation rests on one P more than it has workers (cpu.go).
// Since Go 1.25 the runtime's default GOMAXPROCS follows the container's
// CPU limit (the cgroup's quota, rounded up, at least 2) and the CPUs
// the process may run on, and the runtime re-reads it about once a
// second — but only while no program has set GOMAXPROCS, and the pool
// must set it to add its spare P.
//
// Where the default is two or more, the spare P is there only while
// CPU-bound work is: the first job that finds it missing sets GOMAXPROCS
// to the default plus one (or a fixed pool's Workers+1, when more), and
// once no job has run or waited for spareHold, GOMAXPROCS goes back to
// the runtime (which follows the default again). A P more than the
// machine has CPUs is not free: with three Ps on two cores, measured with
// the kitchen's reads, the runtime spent about 10% more CPU a request
// (more threads contending for the cores, more preemptions and
// scheduling), which an API whose CPU-bound operations are idle should
// not pay. Raising and lowering each cost a stop-the-world pause of the
// GOMAXPROCS kind (BenchmarkRereadGOMAXPROCS: tens of microseconds), at
// most twice per spareHold.
//
// Where the default is one (a process confined to one CPU, or
// GOMAXPROCS=1), the spare P stays while the pools run: it is the
// process's only second P. With one P, a goroutine blocked in a system
// call the runtime does not hand its P off for at once (a file sync made
// by a driver's own system call, say) holds the only P until the
// runtime's monitor takes it back, and every other goroutine waits:
// measured with the kitchen's SQLite writer on one core, its orders fell
// by half without the second P.
//
// While the spare P is there, roux does what the runtime would have done:
// every procsInterval it re-reads the runtime's default
// (runtime.SetDefaultGOMAXPROCS, then GOMAXPROCS(0)), sizes the pools
// that follow it to the default and sets GOMAXPROCS to the default plus
// one. Without it, the runtime follows the default itself and the pools
// follow GOMAXPROCS. A GOMAXPROCS environment variable is the default and
// is never re-read; a GOMAXPROCS set by the program while roux's spare P
// is there is left alone for good. One set while the pools are idle
// cannot be told from the runtime's own change (the runtime does not say
// whether GOMAXPROCS is its default), so it is taken as the base of the
// next spare P and replaced by the default when that goes: a program
// that sets GOMAXPROCS sets CPUConfig.KeepGOMAXPROCS.

import (
	"cmp"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// procsInterval is how often the runtime's default is re-read while
// pools run.
const procsInterval = 10 * time.Second

// spareHold is how long the spare P stays after the pools' last job.
const spareHold = time.Second

// procs is the process's governor of GOMAXPROCS: one, since GOMAXPROCS
// is the process's.
var procs governor

type governor struct {
	mu       sync.Mutex
	pools    []*cpuPool // running pools that let roux set GOMAXPROCS
	set      int        // the GOMAXPROCS roux set last; 0 when it has not
	given    bool       // the program set GOMAXPROCS itself: roux leaves it alone
	def      int        // the runtime's default, as read last
	lowering bool       // a goroutine waits to take the spare P away
	stop     chan struct{}
	// spare is set while GOMAXPROCS has the spare P (or the program
	// set GOMAXPROCS: nothing for roux to add); jobs counts the jobs the
	// pools were given, so that lowering sees a job that came and went.
	spare atomic.Bool
	jobs  atomic.Int64
	// interval is procsInterval and hold spareHold; tests shorten them.
	interval, hold time.Duration
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
	close(g.stop) // and the goroutine lowering the spare P, if any, returns
	g.lowering = false
	g.restore(p.log, "roux: the CPU pools stopped; GOMAXPROCS is the runtime's default again")
}

// restore hands GOMAXPROCS back to the runtime, if roux set it. g.mu is
// held.
func (g *governor) restore(log *slog.Logger, msg string) {
	if !g.given {
		g.spare.Store(false)
	}
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
	log.Debug(msg, slog.Int("from", from), slog.Int("to", runtime.GOMAXPROCS(0)))
}

// job notes a job given to a pool, after the pool counted it as pending:
// the first one that finds no spare P adds it.
func (g *governor) job() {
	g.jobs.Add(1)
	if !g.spare.Load() {
		g.raise()
	}
}

// raise adds the spare P (apply starts the goroutine that takes it away
// once the pools are idle).
func (g *governor) raise() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.spare.Load() || len(g.pools) == 0 {
		return
	}
	g.spare.Store(true)
	g.apply(g.def)
}

// lowerWhenIdle takes the spare P away once no job has been given to
// the pools, or waited in them, for a whole hold; it returns then, or
// when the pools stop.
func (g *governor) lowerWhenIdle(stop <-chan struct{}, hold time.Duration) {
	t := time.NewTicker(hold)
	defer t.Stop()
	seen := g.jobs.Load()
	for {
		select {
		case <-stop: // leave cleared g.lowering
			return
		case <-t.C:
		}
		g.mu.Lock()
		if g.stop != stop { // the pools stopped meanwhile, and may have started again
			g.mu.Unlock()
			return
		}
		if g.def < 2 { // the spare P stays; apply starts this again if the default grows
			g.lowering = false
			g.mu.Unlock()
			return
		}
		if g.idle(seen) {
			g.lowering = false
			g.restore(g.pools[0].log, "roux: the CPU pools are idle; GOMAXPROCS is the runtime's default again")
			g.mu.Unlock()
			return
		}
		seen = g.jobs.Load()
		g.mu.Unlock()
	}
}

// idle reports whether the pools have had no job since the count seen
// and have none pending; if they have, the spare P stays. The spare flag
// is cleared before the pools are looked at, so that a job counted after
// the look finds it cleared and raises it again (after restore, as it
// waits for g.mu). g.mu is held.
func (g *governor) idle(seen int64) bool {
	if len(g.pools) == 0 || g.given {
		return false
	}
	g.spare.Store(false)
	busy := g.jobs.Load() != seen
	for _, p := range g.pools {
		busy = busy || p.pending.Load() > 0
	}
	if busy {
		g.spare.Store(true)
	}
	return !busy
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
		g.spare.Store(true) // nothing for roux to add
		log.Warn("roux: GOMAXPROCS was set by the program; the CPU pools leave it alone from now on and keep one P spare within it",
			slog.Int("roux set", g.set), slog.Int("now", now))
	}
}

// defaultProcs returns the runtime's default GOMAXPROCS: the
// environment's GOMAXPROCS if set, otherwise what the runtime derives
// from the CPUs and the container's limit. While roux has set GOMAXPROCS,
// reading the latter sets GOMAXPROCS to it, which apply then changes;
// otherwise GOMAXPROCS is the runtime's own. g.mu is held.
func (g *governor) defaultProcs() int {
	if g.given {
		return max(1, runtime.GOMAXPROCS(0)-1)
	}
	if env := envProcs(); env > 0 {
		return env
	}
	if g.set != 0 {
		runtime.SetDefaultGOMAXPROCS()
	}
	return runtime.GOMAXPROCS(0)
}

// apply sizes the pools that follow the default def and, while the spare
// P is wanted (always, when def is one), sets GOMAXPROCS to one more than
// the largest pool, and starts the goroutine that takes the spare P away
// once the pools are idle (never, when def is one). g.mu is held.
func (g *governor) apply(def int) {
	g.def = def
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
	if def < 2 {
		g.spare.Store(true)
	}
	if !g.spare.Load() {
		return
	}
	if def >= 2 && !g.lowering {
		g.lowering = true
		go g.lowerWhenIdle(g.stop, cmp.Or(g.hold, spareHold))
	}
	if was := runtime.GOMAXPROCS(0); was != want {
		runtime.GOMAXPROCS(want)
		g.pools[0].log.Debug("roux: set GOMAXPROCS so that I/O-bound work keeps a P beside the CPU pool",
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
