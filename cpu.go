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
// The pool runs CPU-bound handlers on a fixed set of worker goroutines,
// each locked to its own OS thread whose scheduling priority is lowered
// (nice 19, on Linux), and makes sure the Go scheduler has one P more than
// there are workers. The workers then use every core while nothing else
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
	// Workers is how many CPU-bound handlers run at once; it defaults to
	// runtime.GOMAXPROCS(0) as the process had it before any pool raised
	// it: the CPUs the process may use (in a container, its CPU limit).
	Workers int
	// Queue is how many more may wait for a worker; it defaults to four
	// per worker. Requests beyond get 503 at once.
	Queue int
	// QueueTimeout is how long a request may wait for a worker before it
	// gets 503; it defaults to one second.
	QueueTimeout time.Duration
	// KeepGOMAXPROCS stops the pool from raising runtime.GOMAXPROCS to
	// Workers+1 when it is lower, which it does (once, logged) so that
	// I/O-bound goroutines always find a P. Without that spare P the
	// isolation is lost. Setting GOMAXPROCS stops the runtime from
	// following later changes of a container's CPU limit.
	KeepGOMAXPROCS bool
}

// CPUBound declares the operation CPU-bound: its handler runs on the
// API's CPU pool (see [CPUConfig]), so that a flood of it cannot starve
// the I/O-bound operations, and the excess is shed with 503. The class is
// published as the extension x-roux-class: cpu.
func CPUBound() Option { return serverOption{"CPUBound", func(c *opConfig) { c.cpuBound = true }} }

// cpuPool runs jobs on low-priority worker threads.
type cpuPool struct {
	cfg     CPUConfig
	jobs    chan *cpuJob
	pending atomic.Int64 // jobs in the channel (abandoned ones included) + running
	running atomic.Int64
	shed    atomic.Int64
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

// procsBefore is GOMAXPROCS as it was before any pool raised it, so that
// a second API in the process sizes its pool like the first rather than
// raising GOMAXPROCS once more.
var procsBefore = sync.OnceValue(func() int { return runtime.GOMAXPROCS(0) })

// cpuPool returns the API's pool, starting it on first use.
func (a *API) cpuPool() *cpuPool {
	a.cpuOnce.Do(func() {
		c := a.cfg.CPU
		base := procsBefore() // read before this pool can raise it
		if c.Workers <= 0 {
			c.Workers = base
		}
		if c.Queue <= 0 {
			c.Queue = 4 * c.Workers
		}
		if c.QueueTimeout <= 0 {
			c.QueueTimeout = time.Second
		}
		p := &cpuPool{cfg: c, jobs: make(chan *cpuJob, c.Workers+c.Queue)}
		if have := runtime.GOMAXPROCS(0); !c.KeepGOMAXPROCS && have <= c.Workers {
			runtime.GOMAXPROCS(c.Workers + 1)
			a.cfg.Logger.Info("roux: raised GOMAXPROCS so that I/O-bound work keeps a P beside the CPU pool",
				slog.Int("from", have), slog.Int("to", c.Workers+1))
		}
		for range c.Workers {
			go p.work()
		}
		a.cpu = p
	})
	return a.cpu
}

func (p *cpuPool) work() {
	runtime.LockOSThread() // never unlocked: the thread keeps its lowered priority
	lowerThreadPriority()
	for j := range p.jobs {
		if !j.state.CompareAndSwap(jobQueued, jobTaken) {
			p.pending.Add(-1) // its request gave up waiting; only now is its place in the channel free
			continue
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
	if n := p.pending.Add(1); n > int64(p.cfg.Workers+p.cfg.Queue) {
		p.pending.Add(-1)
		p.shed.Add(1)
		return errShed(fmt.Sprintf("the server is busy: %d CPU-bound requests are running or waiting", n-1), p.cfg.QueueTimeout)
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
