package cli

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// A listening socket that serve did not open — passed with the Listener option
// or by systemd socket activation — outlives the server: on shutdown serve
// stops accepting from it but leaves it open, so the connections the kernel
// has already queued wait for the next server instead of being reset.
// That is how a restart loses no request: the socket, with its queue, is
// handed from one server to the next (systemd, or a supervisor that passes
// the file descriptor). A socket serve opened itself is closed on shutdown,
// once the connections already in its queue are taken (ownedListener):
// closing a listening socket resets every connection still queued, and a
// client may already have sent its request on one.

// keptListener stops a server's Accept loop without closing the socket.
type keptListener struct {
	*net.TCPListener
	stopped atomic.Bool
}

// Accept returns net.ErrClosed once Close was called, leaving queued
// connections in the kernel for the socket's next user.
func (l *keptListener) Accept() (net.Conn, error) {
	for {
		if l.stopped.Load() {
			return nil, net.ErrClosed
		}
		c, err := l.TCPListener.Accept()
		if err == nil {
			return c, nil // even if Close raced with it: the server serves it
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			continue // the deadline Close set; loop to see stopped
		}
		return nil, err
	}
}

// Close stops Accept (by an immediate deadline) but keeps the socket.
func (l *keptListener) Close() error {
	l.stopped.Store(true)
	return l.TCPListener.SetDeadline(time.Now())
}

// ownedListener is a socket serve opened itself. Its Close does not reset
// the connections queued in the kernel, which a client sees as
// established and may have sent a request on: it takes them from the
// queue first (takeQueued), in the same moment as it closes the socket,
// and Accept hands them to the server after. On Linux, a connection is
// reset only if its handshake is under way in that moment, microseconds
// on loopback (BenchmarkOwnedListenerClose measures it under a flood of
// connections); elsewhere, it takes what queues for 20 ms before the
// close, and a connection queued in the instant of the close is reset.
// Only a socket handed from server to server (keptListener) loses none.
type ownedListener struct {
	*net.TCPListener
	mu      sync.Mutex
	closing bool
	queued  []net.Conn // taken from the kernel's queue by Close
}

// Accept returns the next connection; once Close was called, it returns
// those Close took from the kernel's queue, then net.ErrClosed.
func (l *ownedListener) Accept() (net.Conn, error) {
	c, err := l.TCPListener.Accept()
	if err == nil {
		return c, nil // even if Close raced with it: the server serves it
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closing {
		return nil, err
	}
	if len(l.queued) > 0 {
		c, l.queued = l.queued[0], l.queued[1:]
		return c, nil
	}
	return nil, net.ErrClosed
}

// Close takes the connections queued in the kernel and closes the socket.
func (l *ownedListener) Close() error {
	l.mu.Lock()
	if l.closing {
		l.mu.Unlock()
		return nil
	}
	l.closing = true
	l.queued = takeQueued(l.TCPListener)
	l.mu.Unlock()
	return l.TCPListener.Close()
}

// keep wraps ln, a listener serve was given, for one server's lifetime.
func keep(ln net.Listener) (net.Listener, error) {
	tl, ok := ln.(*net.TCPListener)
	if !ok {
		return nil, fmt.Errorf("cli: serve: the listener must be a *net.TCPListener, not %T", ln)
	}
	if err := tl.SetDeadline(time.Time{}); err != nil { // a previous server stopped it
		return nil, fmt.Errorf("cli: serve: %w", err)
	}
	return &keptListener{TCPListener: tl}, nil
}

// activatedListener returns the socket systemd passed (LISTEN_FDS=1 and
// LISTEN_PID this process), or nil.
func activatedListener() (net.Listener, error) {
	if os.Getenv("LISTEN_PID") != strconv.Itoa(os.Getpid()) || os.Getenv("LISTEN_FDS") != "1" {
		return nil, nil
	}
	f := os.NewFile(3, "systemd socket")
	defer f.Close()
	ln, err := net.FileListener(f)
	if err != nil {
		return nil, fmt.Errorf("cli: serve: the socket from systemd: %w", err)
	}
	return ln, nil
}
