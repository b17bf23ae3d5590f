package cli

// This file drains keep-alive connections on shutdown without losing a
// request.
//
// An HTTP/1.1 client sends its next request on an idle keep-alive
// connection whenever it likes, and cannot tell whether a request it sent
// just as the server closed that connection was served: net/http's
// Shutdown closes idle connections at once, and a request already on the
// wire is lost to a reset — a POST the client cannot safely retry. HTTP/1.1
// has one way to close without that race: the server says so in a
// response (Connection: close) and closes after it, and the client opens
// its next connection elsewhere. So, from the moment the drain begins,
// every HTTP/1 response carries Connection: close, and a connection is
// closed only once it has been idle for the whole drain window: a client
// that sends within the window gets an answer and the news. HTTP/2
// connections are told by GOAWAY, which Shutdown sends; the requests it
// names as unprocessed are safe to retry.

import (
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// connTracker follows the server's connections through the drain: which
// are new or handling a request, since when the others are idle, which
// speak HTTP/2.
type connTracker struct {
	draining atomic.Bool

	mu    sync.Mutex
	conns map[net.Conn]*connInfo
	since time.Time // when the drain began
}

type connInfo struct {
	busy      bool // new, or handling a request
	idleSince time.Time
	h2        bool // seen serving HTTP/2 during the drain
}

// connKey is the context key of the connection a request came on.
type connKey struct{}

// trackConns installs srv's ConnState and ConnContext hooks.
func trackConns(srv *http.Server) *connTracker {
	t := &connTracker{conns: map[net.Conn]*connInfo{}}
	srv.ConnState = t.connState
	srv.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		return context.WithValue(ctx, connKey{}, c)
	}
	return t
}

func (t *connTracker) connState(c net.Conn, s http.ConnState) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch s {
	case http.StateNew, http.StateActive:
		t.info(c).busy = true
	case http.StateIdle:
		info := t.info(c)
		info.busy, info.idleSince = false, time.Now()
	default: // closed or hijacked
		delete(t.conns, c)
	}
}

// accepted notes c as busy the moment it is accepted, before the
// server's ConnState hook could.
func (t *connTracker) accepted(c net.Conn) {
	t.mu.Lock()
	t.info(c).busy = true
	t.mu.Unlock()
}

// info returns c's record, creating it; t.mu is held.
func (t *connTracker) info(c net.Conn) *connInfo {
	info := t.conns[c]
	if info == nil {
		info = &connInfo{}
		t.conns[c] = info
	}
	return info
}

// handler wraps h: while draining, an HTTP/1 response carries Connection:
// close (net/http then closes the connection after it), and an HTTP/2
// connection is noted as such. Serving costs one atomic load otherwise.
func (t *connTracker) handler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if t.draining.Load() {
			if r.ProtoMajor == 1 {
				w.Header().Set("Connection", "close")
			} else if c, ok := r.Context().Value(connKey{}).(net.Conn); ok {
				t.mu.Lock()
				if info := t.conns[c]; info != nil {
					info.h2 = true
				}
				t.mu.Unlock()
			}
		}
		h.ServeHTTP(w, r)
	})
}

// drain begins the drain.
func (t *connTracker) drain() {
	t.mu.Lock()
	t.since = time.Now()
	t.mu.Unlock()
	t.draining.Store(true)
}

// quiesce returns once every HTTP/1 connection is closed or has been idle
// for window — counted from the start of the drain, or from when it went
// idle if later — or when ctx ends. New connections count as busy until
// their first request is read: net/http would drop a request it reads
// after Shutdown began. HTTP/2 connections are left to Shutdown.
func (t *connTracker) quiesce(ctx context.Context, window time.Duration) {
	for ctx.Err() == nil {
		if t.quiet(window) {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func (t *connTracker) quiet(window time.Duration) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	for _, info := range t.conns {
		if info.h2 {
			continue
		}
		if info.busy || now.Sub(later(info.idleSince, t.since)) < window {
			return false
		}
	}
	return true
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// countingListener notes each connection it accepts with the tracker.
type countingListener struct {
	net.Listener
	conns *connTracker
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.conns.accepted(c)
	}
	return c, err
}
