package middleware

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Timeout gives the handlers below it d to answer. Their request context
// carries the deadline, so database calls and roux's own handling stop
// when it passes. If the handler has not finished by then, the client gets
// 503 with a problem, and whatever the handler writes later is discarded.
//
// Like http.TimeoutHandler, Timeout buffers the response until the handler
// returns, so the two cannot interleave; it is not for streaming
// responses or WebSocket upgrades (its writer cannot be hijacked): put
// those outside it, or give them a deadline of their own. A panic in the
// handler is re-raised on the serving goroutine. If the client goes away
// first, the response is aborted (http.ErrAbortHandler): nothing is sent.
func Timeout(d time.Duration) func(http.Handler) http.Handler {
	if d <= 0 {
		panic("middleware: Timeout needs a positive duration")
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			tw := &timeoutWriter{h: http.Header{}}
			done := make(chan struct{})
			panicked := make(chan any, 1)
			go func() {
				defer func() {
					if v := recover(); v != nil {
						panicked <- v
					}
				}()
				next.ServeHTTP(tw, r.WithContext(ctx))
				close(done)
			}()
			select {
			case v := <-panicked:
				panic(v)
			case <-done:
				tw.mu.Lock()
				defer tw.mu.Unlock()
				dst := w.Header()
				for k, vs := range tw.h {
					dst[k] = vs
				}
				if tw.status == 0 {
					tw.status = http.StatusOK
				}
				w.WriteHeader(tw.status)
				w.Write(tw.buf.Bytes()) //nolint:errcheck // the client may be gone
			case <-ctx.Done():
				tw.mu.Lock()
				defer tw.mu.Unlock()
				tw.timedOut = true
				if r.Context().Err() != nil {
					// The client went away first: abort, rather than
					// return with nothing written, which net/http would
					// finish as an empty 200 that a client that only
					// half-closed its connection would read.
					panic(http.ErrAbortHandler)
				}
				writeProblem(w, http.StatusServiceUnavailable, fmt.Sprintf("the request was not handled within %v", d))
			}
		})
	}
}

// timeoutWriter buffers a response until it is known to be in time.
type timeoutWriter struct {
	mu       sync.Mutex
	h        http.Header
	buf      bytes.Buffer
	status   int
	timedOut bool
}

func (w *timeoutWriter) Header() http.Header { return w.h }

func (w *timeoutWriter) WriteHeader(code int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.status == 0 && code >= 200 {
		w.status = code
	}
}

func (w *timeoutWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.timedOut {
		return 0, http.ErrHandlerTimeout
	}
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.buf.Write(b)
}
