package roux

// This file holds the CPU pool: where operations declared CPUBound run.
//
// Goroutines give real parallelism, so the danger is one class of work
// starving another: a burst of CPU-heavy requests keeps every P busy, and
// an I/O-bound request whose timer fired waits for the scheduler to
// preempt one (about 10 ms a time) before it can answer. Measured on two
// cores, 8 clients saturating a 20 ms CPU endpoint raise a 5 ms I/O
// endpoint's p99 about 20x with plain goroutines; a semaphore of one keeps
// it at 1.1x but halves CPU throughput.
//
// The pool runs CPU-bound handlers on a set of worker goroutines, by
// default as many as the runtime's default GOMAXPROCS (the container's
// CPU limit, followed while the pool runs: cpu_procs.go), each locked to
// its own OS thread whose scheduling priority is lowered (nice 19, on
// Linux), and makes sure the Go scheduler has one P more than there are
// workers while CPU-bound jobs run or wait (and for a second after: the
// spare P costs I/O-bound work CPU when the machine has no core for it,
// cpu_procs.go; on one CPU it stays, as the process's second P). The
// workers then use every core while nothing else
// needs it, and the moment an I/O-bound goroutine becomes runnable it has
// a P, on a thread the kernel prefers to the workers': measured the same
// way, the I/O endpoint's p99 stays at 1.0x with 125% of the plain
// goroutines' CPU throughput (bench/cmd/isolation, BENCHMARKS.md).
//
// The workers' low priority holds against every process on the machine:
// other busy processes, not only this one's I/O-bound goroutines, take
// the CPU from them first. On a machine shared with other busy work, the
// pool's throughput drops accordingly.
//
// The workers and their threads exit when the API shuts down, and start
// again if it serves a CPU-bound request afterwards.
//
// Admission is bounded: at most Workers running and Queue waiting; past
// that, or after QueueTimeout in the queue, the request gets 503 with
// Retry-After rather than waiting until every client times out.

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// CPUConfig sizes the pool of [CPUBound] operations. The zero value
// means the defaults documented on each field.
type CPUConfig struct {
	// Workers is how many CPU-bound handlers run at once. By default the
	// pool follows the runtime's default GOMAXPROCS: the CPUs the process
	// may use, which since Go 1.25 is the container's CPU limit, re-read
	// every ten seconds while the pool runs (so the pool grows and
	// shrinks with the limit). The GOMAXPROCS environment variable, when
	// set, is that default instead.
	Workers int
	// Queue is how many more may wait for a worker; it defaults to four
	// per worker the pool starts with. Requests beyond get 503 at once.
	Queue int
	// QueueTimeout is how long a request may wait for a worker before it
	// gets 503; it defaults to one second.
	QueueTimeout time.Duration
	// KeepGOMAXPROCS stops the pool from setting runtime.GOMAXPROCS,
	// which it otherwise does while it has jobs running or waiting (and
	// for a second after the last): to the runtime's default plus one, or
	// Workers+1 when that is more, so that I/O-bound goroutines always
	// find a P (without that spare P the isolation is lost), and back to
	// the runtime's default when the pools are idle or stopped. Where the
	// default is one P, the spare P stays while the pools run: without a
	// second P, a goroutine blocked in a system call holds the only one
	// until the runtime takes it back. The pool
	// then has Workers workers, or GOMAXPROCS as it is when the pool
	// starts. A program that sets GOMAXPROCS itself sets KeepGOMAXPROCS.
	// A change to GOMAXPROCS that roux sees while its spare P is there
	// makes the pools leave it alone from then on; one made while they
	// are idle is taken for the runtime's own, and replaced by the
	// runtime's default when the spare P goes.
	KeepGOMAXPROCS bool
}

// CPUBound declares the operation CPU-bound: its handler runs on the
// API's CPU pool (see [CPUConfig]), so that a flood of it cannot starve
// the I/O-bound operations, and the excess is shed with 503. The class is
// published as the extension x-roux-class: cpu.
func CPUBound() Option { return serverOption{"CPUBound", func(c *opConfig) { c.cpuBound = true }} }

// cpuPool runs jobs on low-priority worker threads. Its workers start
// when the first CPU-bound operation is registered, stop when the API
// shuts down ([API.Shutdown]) and start again on the next job; their
// number follows the runtime's default GOMAXPROCS (cpu_procs.go) unless
// CPUConfig.Workers fixes it.
type cpuPool struct {
	cfg     CPUConfig // as configured: Workers 0 follows the default
	queue   int
	max     int // the most workers the pool may have: jobs has room for max+queue
	log     *slog.Logger
	jobs    chan *cpuJob
	size    atomic.Int64 // the workers the pool has, or is getting; 0 when stopped
	pending atomic.Int64 // jobs in the channel (abandoned ones included) + running
	running atomic.Int64
	shed    atomic.Int64

	// startMu orders start and stop, and is taken before procs.mu,
	// which is taken before mu.
	startMu sync.Mutex
	mu      sync.Mutex
	live    int           // workers started and not told to stop
	quit    chan struct{} // closed by stop; nil while stopped
	retire  chan struct{} // each value retires one worker
	workers sync.WaitGroup
}

type cpuJob struct {
	state atomic.Int32 // jobQueued, jobTaken, jobAbandoned
	fn    func()
	done  chan struct{}
	panic any
}

const (
	jobQueued int32 = iota
	jobTaken
	jobAbandoned
)

// cpuPool returns the API's pool, starting it on first use.
func (a *API) cpuPool() *cpuPool {
	a.cpuOnce.Do(func() {
		c := a.cfg.CPU
		c.Workers = max(c.Workers, 0)
		if c.QueueTimeout <= 0 {
			c.QueueTimeout = time.Second
		}
		p := &cpuPool{cfg: c, log: a.cfg.Logger}
		p.start()
		a.cpu = p
	})
	return a.cpu
}

// start starts the pool's workers, unless they are running.
func (p *cpuPool) start() {
	p.startMu.Lock()
	defer p.startMu.Unlock()
	p.mu.Lock()
	if p.quit != nil {
		p.mu.Unlock()
		return
	}
	p.quit, p.retire = make(chan struct{}), nil
	if p.cfg.KeepGOMAXPROCS {
		n := p.cfg.Workers
		if n <= 0 {
			n = runtime.GOMAXPROCS(0)
		}
		p.init(n, n)
		p.resize(n)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	procs.join(p) // sizes the pool, through init and resize
}

// init makes the job channel, the first time the pool starts: n is the
// workers it starts with, most the most it may have.
func (p *cpuPool) init(n, most int) {
	if p.jobs != nil {
		return
	}
	p.queue = p.cfg.Queue
	if p.queue <= 0 {
		p.queue = 4 * n
	}
	p.max = most
	p.jobs = make(chan *cpuJob, p.max+p.queue)
}

// resize starts or retires workers until the pool has n (at most max).
// p.mu is held.
func (p *cpuPool) resize(n int) {
	n = min(n, p.max)
	if p.quit == nil {
		return // stopped
	}
	if p.retire == nil {
		p.retire = make(chan struct{}, p.max)
	}
	for ; p.live < n; p.live++ {
		select {
		case <-p.retire: // a worker told to go, and still there, stays
		default:
			p.workers.Add(1)
			go p.work(p.quit, p.retire)
		}
	}
	for ; p.live > n; p.live-- {
		p.retire <- struct{}{} // never blocks: one value per worker at most, and at most max workers
	}
	p.size.Store(int64(n))
}

// stop tells the workers to finish the queued jobs and exit, and waits
// for them until ctx is done. Their threads exit with them.
func (p *cpuPool) stop(ctx context.Context) error {
	p.startMu.Lock()
	p.mu.Lock()
	if p.quit == nil {
		p.mu.Unlock()
		p.startMu.Unlock()
		return nil
	}
	close(p.quit)
	p.quit, p.retire, p.live = nil, nil, 0
	p.size.Store(0)
	p.mu.Unlock()
	if !p.cfg.KeepGOMAXPROCS {
		procs.leave(p)
	}
	p.startMu.Unlock()
	done := make(chan struct{})
	go func() { p.workers.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("roux: CPU pool: %d jobs still running: %w", p.running.Load(), ctx.Err())
	}
}

// work runs jobs on a thread of its own until it is retired or the pool
// stops, when it runs the jobs still queued first.
func (p *cpuPool) work(quit, retire <-chan struct{}) {
	defer p.workers.Done()
	// Never unlocked: when the goroutine exits, so does its thread, with
	// its lowered priority. The main thread never exits (the runtime
	// parks it for good), so a worker that finds itself there hands over
	// to another goroutine, which runs on another thread.
	runtime.LockOSThread()
	if onMainThread() {
		p.workers.Add(1)
		go p.work(quit, retire)
		runtime.UnlockOSThread()
		return
	}
	lowerThreadPriority()
	for {
		select {
		case j := <-p.jobs:
			p.do(j)
		case <-retire:
			return
		case <-quit:
			for {
				select {
				case j := <-p.jobs:
					p.do(j)
				default:
					return
				}
			}
		}
	}
}

func (p *cpuPool) do(j *cpuJob) {
	if !j.state.CompareAndSwap(jobQueued, jobTaken) {
		p.pending.Add(-1) // its request gave up waiting; only now is its place in the channel free
		return
	}
	p.running.Add(1)
	func() {
		defer func() { j.panic = recover() }()
		j.fn()
	}()
	p.running.Add(-1)
	p.pending.Add(-1)
	close(j.done)
}

// errShed is the problem of a request the pool turned away.
func errShed(detail string, retry time.Duration) *Error {
	secs := max(1, int(retry.Round(time.Second)/time.Second))
	return NewError(http.StatusServiceUnavailable, detail).WithHeader("Retry-After", strconv.Itoa(secs))
}

// run runs fn on a worker and waits for it. It returns a problem when the
// request is shed: the pool is full, or no worker took it in time. A
// panic in fn is re-raised on the calling goroutine.
func (p *cpuPool) run(ctx context.Context, fn func()) *Error {
	if p.size.Load() == 0 {
		p.start() // stopped by a shutdown, and served again
	}
	if n := p.pending.Add(1); n > p.size.Load()+int64(p.queue) {
		p.pending.Add(-1)
		p.shed.Add(1)
		return errShed(fmt.Sprintf("the server is busy: %d CPU-bound requests are running or waiting", n-1), p.cfg.QueueTimeout)
	}
	if !p.cfg.KeepGOMAXPROCS {
		procs.job() // the spare P, before the job can take a P
	}
	j := &cpuJob{fn: fn, done: make(chan struct{})}
	p.jobs <- j // never blocks: pending bounds the channel's contents
	timer := time.NewTimer(p.cfg.QueueTimeout)
	defer timer.Stop()
	select {
	case <-j.done:
	case <-timer.C:
		if j.state.CompareAndSwap(jobQueued, jobAbandoned) {
			// pending drops when a worker skips the job: it still holds
			// its place in the channel until then.
			p.shed.Add(1)
			return errShed("the server is busy: no CPU worker was free within "+p.cfg.QueueTimeout.String(), p.cfg.QueueTimeout)
		}
		<-j.done // a worker took it just now
	case <-ctx.Done():
		if j.state.CompareAndSwap(jobQueued, jobAbandoned) {
			return nil // the client is gone; the caller sees ctx's error
		}
		<-j.done
	}
	if j.panic != nil {
		panic(j.panic)
	}
	return nil
}

// CPUStats reports the CPU pool's state: requests running on a worker,
// running or waiting, and shed since start. All are zero before the
// first CPU-bound operation is registered.
func (a *API) CPUStats() (running, pending, shed int64) {
	if a.cpu == nil {
		return 0, 0, 0
	}
	return a.cpu.running.Load(), a.cpu.pending.Load(), a.cpu.shed.Load()
}

// invokeCPU runs the handler on the pool.
func (op *operation) invokeCPU(ctx context.Context, in unsafe.Pointer) (out unsafe.Pointer, err error) {
	if shed := op.cpu.run(ctx, func() { out, err = op.spec.invoke(ctx, in) }); shed != nil {
		return nil, shed
	}
	if out == nil && err == nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return out, err
}
