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
// and connections still in its queue at that instant are reset.

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
