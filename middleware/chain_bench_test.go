package middleware_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/roux-go/roux/middleware"
)

// BenchmarkReadChain is what the kitchen's middleware cost a read that
// they admit: the load shedder, recover, request ID, security headers
// and the access log (its level off, as in a load run), in the
// kitchen's order, over a handler that sends a small JSON body with
// roux's headers, into a fresh header map copied when the header is
// written, as net/http's response does. "bare" is the handler alone.
func BenchmarkReadChain(b *testing.B) {
	body := []byte(`{"items":[],"total":0,"limit":20,"offset":0}`)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["X-Content-Type-Options"] = []string{"nosniff"}
		h["Content-Type"] = []string{"application/json"}
		h["Content-Length"] = []string{"45"}
		w.WriteHeader(http.StatusOK)
		w.Write(body) //nolint:errcheck // a benchmark's writer
	})
	quiet := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError}))
	chain := middleware.NewLoadShedder().Middleware(middleware.Recover(quiet)(
		middleware.RequestID()(middleware.SecureHeaders()(middleware.AccessLog(quiet)(handler)))))
	for _, bb := range []struct {
		name string
		h    http.Handler
	}{{"bare", handler}, {"kitchen", chain}} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			r := httptest.NewRequest("GET", "/dishes?limit=20", nil)
			w := &snapshotWriter{}
			for b.Loop() {
				w.h, w.sent = http.Header{}, nil
				bb.h.ServeHTTP(w, r)
			}
		})
	}
}
