//go:build linux

package main

// The generator's event loop: one goroutine on one OS thread drives every
// connection with non-blocking sockets and epoll, so that a request costs
// the generator's core a write, a read and its share of an epoll_wait,
// with no goroutine switch, timer or allocation of its own. Go's net
// package would add a goroutine wake-up and a failed read per response,
// and its scheduler's thread hand-offs, which on one shared core made the
// generator the first thing to fall behind.

import (
	"errors"
	"fmt"
	"net"
	"runtime"
	"syscall"
	"time"
	"unsafe"
)

// maxResponse is the largest response the generator reads.
const maxResponse = 1 << 20

// sweepEvery is how often the loop looks for requests past their deadline.
const sweepEvery = 5 * time.Millisecond

// conn is a keep-alive connection of the generator.
type conn struct {
	fd         int
	buf        []byte
	w          int  // buf[:w] is what has been read of the current response
	busy       bool // a request is out on it, or it is being opened for one
	connecting bool
	job        job
}

// job is request i, due at due and queued at queued (nanoseconds since
// the generator's start).
type job struct {
	i           int
	due, queued int64
}

// generator sends requests to one server over keep-alive connections of
// its own, at most as many as newGenerator was given: an idle one if there
// is one, else a new one while fewer are open, else the request waits in
// a queue for the first to be free. Its methods are not safe for
// concurrent use.
type generator struct {
	addr    syscall.SockaddrInet4
	host    string // for the Host header
	max     int
	timeout int64
	start   time.Time
	epfd    int
	byFD    []*conn
	idle    []*conn
	open    int
	events  []syscall.EpollEvent
	errs    map[string]int // a few transport errors, for the report
	pwait2  bool           // epoll_pwait2 is there (nanosecond time-outs)
	request []byte         // what the current run sends
	// tick is the shortest wait for the next request due: those due
	// within it of each other are sent together, fewer wake-ups for a
	// lag of at most tick.
	tick int64
}

// defaultConns is the most connections a generator opens by default:
// more than a kitchen accepts (-max-conns, 4096), as a crowd of clients
// would open.
const defaultConns = 16384

// newGenerator returns a generator for the server at base
// (http://IPv4:port).
func newGenerator(base string, conns int, timeout time.Duration) (*generator, error) {
	host := base[len("http://"):]
	a, err := net.ResolveTCPAddr("tcp4", host)
	if err != nil || a.IP.To4() == nil {
		return nil, fmt.Errorf("the generator needs an IPv4 address, not %q: %v", host, err)
	}
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	g := &generator{host: host, max: max(1, conns), timeout: int64(timeout), start: time.Now(), epfd: epfd,
		events: make([]syscall.EpollEvent, 512), errs: map[string]int{}, pwait2: true}
	g.addr.Port = a.Port
	copy(g.addr.Addr[:], a.IP.To4())
	return g, nil
}

// generator returns a generator for the server at base with c's
// connections, time-out and tick.
func (c config) generator(base string) (*generator, error) {
	g, err := newGenerator(base, c.conns, c.timeout)
	if err == nil {
		g.tick = int64(c.tick)
	}
	return g, err
}

// close closes the generator's connections.
func (g *generator) close() {
	for _, c := range g.byFD {
		if c != nil {
			syscall.Close(c.fd)
		}
	}
	g.byFD, g.idle, g.open = nil, nil, 0
	syscall.Close(g.epfd)
}

func (g *generator) now() int64 { return int64(time.Since(g.start)) }

// plan is what a run sends: n requests due at due(i) (open loop), or
// clients requests at a time, each sent again when answered until end
// (closed loop).
type plan struct {
	n       int
	due     func(i int) int64
	clients int
	end     int64
}

// run sends p's requests, req each, and hands record what became of each.
// It returns the most connections open at once.
func (g *generator) run(p plan, req []byte, record func(job, sample)) int {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	g.request = req
	var queue []job
	head, next, busy, peak := 0, 0, 0, g.open
	finish := func(c *conn, s sample) { // c's request is over
		busy--
		c.busy = false
		record(c.job, s)
		if p.clients > 0 && g.now() < p.end {
			now := g.now()
			queue = append(queue, job{i: next, due: now, queued: now})
			next++
		}
	}
	if p.clients > 0 {
		now := g.now()
		for ; next < p.clients; next++ {
			queue = append(queue, job{i: next, due: now, queued: now})
		}
	}
	lastSweep := g.now()
	for {
		now := g.now()
		for ; p.clients == 0 && next < p.n && p.due(next) <= now; next++ {
			queue = append(queue, job{i: next, due: p.due(next), queued: now})
		}
		for head < len(queue) {
			j := queue[head]
			if now-j.queued > g.timeout {
				record(j, sample{kind: timedOut, lag: time.Duration(j.queued - j.due), latency: time.Duration(now - j.due)})
				head++
				continue
			}
			var c *conn
			if k := len(g.idle); k > 0 {
				c, g.idle = g.idle[k-1], g.idle[:k-1]
			} else if g.open < g.max {
				var err error
				if c, err = g.dial(); err != nil {
					g.noteErr(err)
					record(j, sample{kind: broken, lag: time.Duration(j.queued - j.due), latency: time.Duration(now - j.due)})
					head++
					continue
				}
				peak = max(peak, g.open)
			} else {
				break // every connection is busy: the rest wait
			}
			head++
			c.busy, c.job = true, j
			busy++
			if !c.connecting {
				if s, done := g.send(c, req); done {
					finish(c, s)
				}
			}
		}
		if head > 4096 && head*2 > len(queue) {
			queue = queue[:copy(queue, queue[head:])]
			head = 0
		}
		if now-lastSweep >= int64(sweepEvery) {
			lastSweep = now
			for _, c := range g.byFD {
				if c != nil && c.busy && now-c.job.queued > g.timeout {
					g.drop(c)
					finish(c, sample{kind: timedOut, lag: time.Duration(c.job.queued - c.job.due), latency: time.Duration(now - c.job.due)})
				}
			}
		}
		if busy == 0 && head == len(queue) && (p.clients > 0 || next == p.n) {
			return peak
		}
		wait := int64(sweepEvery)
		if p.clients == 0 && next < p.n {
			wait = min(wait, max(p.due(next)-now, g.tick))
		}
		n := g.wait(max(0, wait))
		now = g.now()
		for _, ev := range g.events[:n] {
			c := g.byFD[ev.Fd]
			if c == nil {
				continue
			}
			if s, done := g.ready(c, ev.Events, now); done {
				finish(c, s)
			}
		}
	}
}

// wait waits up to d nanoseconds for events and returns how many are in
// g.events.
func (g *generator) wait(d int64) int {
	for {
		var n uintptr
		var errno syscall.Errno
		if g.pwait2 {
			ts := syscall.NsecToTimespec(d)
			n, _, errno = syscall.Syscall6(sysEpollPwait2, uintptr(g.epfd), uintptr(unsafe.Pointer(&g.events[0])),
				uintptr(len(g.events)), uintptr(unsafe.Pointer(&ts)), 0, 0)
			if errno == syscall.ENOSYS {
				g.pwait2 = false
				continue
			}
		} else {
			k, err := syscall.EpollWait(g.epfd, g.events, int((d+999_999)/1_000_000))
			n = uintptr(max(k, 0))
			errno, _ = err.(syscall.Errno)
		}
		if errno == 0 {
			return int(n)
		}
		if errno != syscall.EINTR {
			panic(fmt.Sprintf("epoll_wait: %v", errno)) // a bad descriptor or buffer: a bug here
		}
	}
}

// sysEpollPwait2 is epoll_pwait2's number (Linux 5.11), the same on every
// architecture.
const sysEpollPwait2 = 441

// dial starts opening a connection.
func (g *generator) dial() (*conn, error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("socket: %w", err)
	}
	syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
	c := &conn{fd: fd, connecting: true}
	events := uint32(syscall.EPOLLOUT)
	switch err := syscall.Connect(fd, &g.addr); err {
	case nil:
		c.connecting, events = false, syscall.EPOLLIN|syscall.EPOLLRDHUP
	case syscall.EINPROGRESS:
	default:
		syscall.Close(fd)
		return nil, fmt.Errorf("connect: %w", err)
	}
	if err := syscall.EpollCtl(g.epfd, syscall.EPOLL_CTL_ADD, fd, &syscall.EpollEvent{Events: events, Fd: int32(fd)}); err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("epoll_ctl: %w", err)
	}
	for fd >= len(g.byFD) {
		g.byFD = append(g.byFD, make([]*conn, len(g.byFD)+64)...)
	}
	g.byFD[fd] = c
	g.open++
	return c, nil
}

// drop closes c.
func (g *generator) drop(c *conn) {
	syscall.Close(c.fd)
	g.byFD[c.fd] = nil
	g.open--
}

// send writes the request of c's job. done says that the request is over
// (it failed), and s what became of it.
func (g *generator) send(c *conn, req []byte) (s sample, done bool) {
	n, err := syscall.Write(c.fd, req)
	if err == nil && n < len(req) {
		err = errors.New("short write") // the send buffer of a connection with nothing else out: never full
	}
	if err != nil {
		g.drop(c)
		return g.broken(c, fmt.Errorf("write: %w", err)), true
	}
	return sample{}, false
}

// ready handles events on c at now. done says that c's request is over.
func (g *generator) ready(c *conn, events uint32, now int64) (s sample, done bool) {
	if c.connecting {
		if errno, err := syscall.GetsockoptInt(c.fd, syscall.SOL_SOCKET, syscall.SO_ERROR); err != nil || errno != 0 {
			if err == nil {
				err = syscall.Errno(errno)
			}
			g.drop(c)
			return g.broken(c, fmt.Errorf("connect: %w", err)), true
		}
		c.connecting = false
		syscall.EpollCtl(g.epfd, syscall.EPOLL_CTL_MOD, c.fd, &syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP, Fd: int32(c.fd)})
		return g.send(c, g.request)
	}
	if !c.busy { // the server closed an idle connection (or sent what was not asked for)
		g.drop(c)
		for i, d := range g.idle {
			if d == c {
				g.idle = append(g.idle[:i], g.idle[i+1:]...)
				break
			}
		}
		return sample{}, false
	}
	if c.buf == nil {
		c.buf = make([]byte, 4096)
	} else if c.w == len(c.buf) {
		if len(c.buf) >= maxResponse {
			g.drop(c)
			return g.broken(c, errors.New("response too large")), true
		}
		c.buf = append(c.buf, make([]byte, len(c.buf))...)
	}
	n, err := syscall.Read(c.fd, c.buf[c.w:])
	if err == syscall.EAGAIN {
		return sample{}, false
	}
	if err != nil {
		g.drop(c)
		return g.broken(c, fmt.Errorf("read: %w", err)), true
	}
	c.w += n
	eof := n == 0
	res, used, err := parseResponse(c.buf[:c.w], eof)
	if err == errIncomplete && !eof {
		return sample{}, false
	}
	if err != nil {
		if err == errIncomplete {
			err = errors.New("connection closed before the end of a response")
			if c.w == 0 {
				err = errors.New("connection closed with no response")
			}
		}
		g.drop(c)
		return g.broken(c, err), true
	}
	s = sample{lag: time.Duration(c.job.queued - c.job.due), latency: time.Duration(now - c.job.due),
		kind: classify(res.status, res.body), noRetryAfter: res.status == 503 && !res.retryAfter}
	if res.close || eof || used != c.w { // closing, or more than was asked for
		g.drop(c)
		return s, true
	}
	c.w = 0
	g.idle = append(g.idle, c)
	return s, true
}

// broken returns the sample of c's request that failed with err.
func (g *generator) broken(c *conn, err error) sample {
	g.noteErr(err)
	return sample{kind: broken, lag: time.Duration(c.job.queued - c.job.due), latency: time.Duration(g.now() - c.job.due)}
}

// noteErr keeps err's text for the report (up to 20 different ones).
func (g *generator) noteErr(err error) {
	if msg := err.Error(); len(g.errs) < 20 || g.errs[msg] > 0 {
		g.errs[msg]++
	}
}
