package middleware_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux/middleware"
)

// seen is what a handler finds in its request's context.
type seen struct {
	ID, IP    string
	LongLived int64 // the shedder's long-lived responses after MarkLongLived
	InFlight  int64 // its requests in flight after MarkLongLived
}

// TestRequestContextParts: the middleware of the package share one
// context value per request (context.go); each still finds its own part,
// the innermost of its kind, whatever the order, with another context in
// between, or with two of a kind.
func TestRequestContextParts(t *testing.T) {
	t.Parallel()
	type chain = func(s *middleware.LoadShedder, h http.Handler) http.Handler
	other := func(next http.Handler) http.Handler { // a context of someone else's in between
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), struct{ k int }{1}, "v")))
		})
	}
	for _, tt := range []struct {
		name  string
		chain chain
		id    string // the client's X-Request-ID
		want  seen
	}{
		{"shedder, request ID, client IP", func(s *middleware.LoadShedder, h http.Handler) http.Handler {
			return s.Middleware(middleware.RequestID()(middleware.ClientIP()(h)))
		}, "abc", seen{"abc", "192.0.2.1", 1, 0}},
		{"client IP, request ID, shedder", func(s *middleware.LoadShedder, h http.Handler) http.Handler {
			return middleware.ClientIP()(middleware.RequestID()(s.Middleware(h)))
		}, "abc", seen{"abc", "192.0.2.1", 1, 0}},
		{"another context in between", func(s *middleware.LoadShedder, h http.Handler) http.Handler {
			return s.Middleware(other(middleware.RequestID()(other(middleware.ClientIP()(other(h))))))
		}, "abc", seen{"abc", "192.0.2.1", 1, 0}},
		{"no shedder", func(_ *middleware.LoadShedder, h http.Handler) http.Handler {
			return middleware.RequestID()(h)
		}, "abc", seen{"abc", "invalid IP", 0, 0}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := middleware.NewLoadShedder()
			var got seen
			h := tt.chain(s, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if err := middleware.MarkLongLived(r); err != nil {
					t.Errorf("MarkLongLived: %v", err)
				}
				got = seen{middleware.RequestIDFrom(r.Context()), middleware.ClientIPFrom(r.Context()).String(), s.LongLivedOpen(), s.InFlight()}
			}))
			r := httptest.NewRequest("GET", "/", nil)
			r.Header.Set(middleware.RequestIDHeader, tt.id)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("seen by the handler (-want +got):\n%s", diff)
			}
			if got := rec.Header().Get(middleware.RequestIDHeader); got != tt.id {
				t.Errorf("X-Request-ID: got %q, want %q", got, tt.id)
			}
			if n := s.LongLivedOpen() + s.InFlight(); n != 0 {
				t.Errorf("the shedder holds %d places after the response", n)
			}
		})
	}
}

// Two request IDs in a chain: the inner one's ID is the handler's and the
// response's, and the outer one's stays what the code between them sees.
func TestRequestIDTwice(t *testing.T) {
	t.Parallel()
	var outerBefore, outerAfter, inner string
	h := middleware.RequestID()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		outerBefore = middleware.RequestIDFrom(r.Context())
		// A second request ID makes a new one: the request has none of
		// its own.
		middleware.RequestID()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			inner = middleware.RequestIDFrom(r.Context())
		})).ServeHTTP(w, r)
		outerAfter = middleware.RequestIDFrom(r.Context())
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if outerBefore == "" || inner == "" || outerBefore == inner {
		t.Fatalf("got outer ID %q and inner ID %q, want two different ones", outerBefore, inner)
	}
	if outerAfter != outerBefore {
		t.Errorf("the outer ID after the inner middleware ran: got %q, want %q", outerAfter, outerBefore)
	}
	if got := rec.Header().Get(middleware.RequestIDHeader); got != inner {
		t.Errorf("X-Request-ID: got %q, want the inner %q", got, inner)
	}
}

// A goroutine holding the shedder's context reads the request ID and the
// client's address while RequestID and ClientIP, inside, fill them in
// the same context: it sees each whole or not at all (run with -race).
func TestRequestContextConcurrentReader(t *testing.T) {
	t.Parallel()
	watchdog := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			done := make(chan struct{})
			seenID := make(chan string, 1)
			go func() {
				last := ""
				for {
					if id := middleware.RequestIDFrom(r.Context()); id != "" {
						last = id
					}
					middleware.ClientIPFrom(r.Context())
					select {
					case <-done:
						seenID <- last
						return
					default:
					}
				}
			}()
			next.ServeHTTP(w, r)
			close(done)
			if id := <-seenID; id != "" && id != "abc" {
				t.Errorf("the watchdog saw the request ID %q, want abc or none", id)
			}
		})
	}
	h := middleware.NewLoadShedder().Middleware(watchdog(middleware.RequestID()(middleware.ClientIP()(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})))))
	for range 50 {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set(middleware.RequestIDHeader, "abc")
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
}
