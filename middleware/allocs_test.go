package middleware_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux/middleware"
)

// TestHeaderMiddlewareAllocs pins what the middleware in front of every
// request of a service allocates: the security headers nothing (their
// values are shared), the request ID its context and the request that
// carries it, the access log with its level off its status recorder.
func TestHeaderMiddlewareAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError}))
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	for _, tt := range []struct {
		name string
		h    http.Handler
		want float64
	}{
		{"SecureHeaders", middleware.SecureHeaders()(ok), 0},
		{"RequestID, the client's", middleware.RequestID()(ok), 2},
		{"AccessLog, level off", middleware.AccessLog(quiet)(ok), 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := &discardWriter{h: http.Header{}}
			r := httptest.NewRequest(http.MethodGet, "/dishes", nil)
			r.Header.Set(middleware.RequestIDHeader, "client-id-1")
			tt.h.ServeHTTP(w, r) // the map's first entries
			got := testing.AllocsPerRun(100, func() {
				clear(w.h)
				tt.h.ServeHTTP(w, r)
			})
			if got != tt.want {
				t.Errorf("got %v allocations a request, want %v", got, tt.want)
			}
		})
	}
}

// TestSharedHeaderValues: the header values SecureHeaders and RequestID
// share between responses stay as they are whatever a handler does with
// its own response's.
func TestSharedHeaderValues(t *testing.T) {
	t.Parallel()
	h := middleware.RequestID()(middleware.SecureHeaders()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/change" {
			return
		}
		w.Header().Add("X-Frame-Options", "SAMEORIGIN")
		w.Header().Add(middleware.RequestIDHeader, "second")
	})))
	first := httptest.NewRecorder()
	h.ServeHTTP(first, httptest.NewRequest(http.MethodGet, "/change", nil))
	if got, want := first.Result().Header["X-Frame-Options"], []string{"DENY", "SAMEORIGIN"}; !cmp.Equal(got, want) {
		t.Errorf("X-Frame-Options after Add: got %q, want %q", got, want)
	}
	next := httptest.NewRecorder()
	h.ServeHTTP(next, httptest.NewRequest(http.MethodGet, "/", nil))
	res := next.Result()
	if got, want := res.Header["X-Frame-Options"], []string{"DENY"}; !cmp.Equal(got, want) {
		t.Errorf("X-Frame-Options of the next response: got %q, want %q", got, want)
	}
	if got := res.Header[http.CanonicalHeaderKey(middleware.RequestIDHeader)]; len(got) != 1 || len(got[0]) != 32 {
		t.Errorf("X-Request-ID of the next response: got %q, want one new ID", got)
	}
}
