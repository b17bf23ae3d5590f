package cli

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
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

// acceptLinger is how long an ownedListener, once closed, goes on taking
// the connections that reach its queue, at most: each is served, its
// answer saying Connection: close, the drain having begun.
const acceptLinger = 20 * time.Millisecond

// ownedListener is a socket serve opened itself. Its Close does not reset
// the connections queued in the kernel, which a client sees as
// established and may have sent a request on: on Linux it first makes
// the socket drop most new handshakes (refuseNewConnections), then lets Accept
// take what is queued for acceptLinger more, and closes the socket when
// Accept finds the time is up. Elsewhere, connections that arrive in the
// instant between the last Accept and the close are reset.
type ownedListener struct {
	*net.TCPListener
	closing atomic.Bool
}

// Accept returns the next connection; once Close was called, it returns
// those that queue within acceptLinger, then closes the socket and
// returns net.ErrClosed.
func (l *ownedListener) Accept() (net.Conn, error) {
	c, err := l.TCPListener.Accept()
	var ne net.Error
	if err != nil && l.closing.Load() && errors.As(err, &ne) && ne.Timeout() {
		l.TCPListener.Close()
		return nil, net.ErrClosed
	}
	return c, err
}

// Close stops Accept after acceptLinger, by a deadline; the socket is
// closed by Accept then, or after twice that if nothing calls Accept.
func (l *ownedListener) Close() error {
	if l.closing.Swap(true) {
		return nil
	}
	refuseNewConnections(l.TCPListener)
	time.AfterFunc(2*acceptLinger, func() { l.TCPListener.Close() })
	return l.TCPListener.SetDeadline(time.Now().Add(acceptLinger))
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
