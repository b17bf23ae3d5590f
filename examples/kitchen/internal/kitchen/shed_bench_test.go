package kitchen_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/roux-go/roux/examples/kitchen/internal/kitchen"
	"github.com/roux-go/roux/examples/kitchen/internal/store"
	"github.com/roux-go/roux/examples/kitchen/internal/store/sqlite"
)

// BenchmarkRefusal is what the service spends above net/http on a
// request its load shedder refuses: the API's whole handler, from its
// outermost middleware, for a request to an order's event stream while
// the one stream Config.MaxStreams allows is open (the shedder's refusal
// of a request over its concurrency limit takes the same path), answered
// into a fresh header map that is copied when the header is written, as
// net/http's response does. What net/http and the kernel add is measured
// by bench/cmd/kitchenload -costs.
//
//	go test -run '^$' -bench Refusal -count 8 ./examples/kitchen/internal/kitchen
func BenchmarkRefusal(b *testing.B) {
	path := filepath.Join(b.TempDir(), "kitchen.db")
	svc := kitchen.New(kitchen.Config{Open: func(context.Context) (store.Store, error) { return sqlite.Open(path) },
		Seed: true, StaffKey: staffKey, Metrics: true, MaxStreams: 1, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv := serve(b, svc)
	id, stop := holdStream(b, srv.URL)
	defer stop()

	r := httptest.NewRequest("GET", fmt.Sprintf("/orders/%d/events", id), nil)
	r.Header.Set("Authorization", "Bearer "+token)
	w := &snapshotWriter{}
	b.ReportAllocs()
	for b.Loop() {
		w.h, w.code = http.Header{}, 0
		svc.API().ServeHTTP(w, r)
	}
	if w.code != http.StatusServiceUnavailable {
		b.Fatalf("the stream: got %d, want 503", w.code)
	}
}

// snapshotWriter copies its header when it is written, as net/http's
// response does, and discards the body.
type snapshotWriter struct {
	h, sent http.Header
	code    int
}

func (w *snapshotWriter) Header() http.Header { return w.h }

func (w *snapshotWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code, w.sent = code, w.h.Clone()
	}
}

func (w *snapshotWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return len(b), nil
}

// holdStream places an order of a dish that cooks for an hour and opens
// its event stream, which stays open until stop.
func holdStream(b *testing.B, base string) (id int64, stop func()) {
	b.Helper()
	post := func(path, body, header, value string, out any) {
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(header, value)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer res.Body.Close()
		if err := json.NewDecoder(res.Body).Decode(out); err != nil || res.StatusCode >= 300 {
			b.Fatalf("POST %s: %d, %v", path, res.StatusCode, err)
		}
	}
	var dish, order struct{ ID int64 }
	post("/dishes", `{"name":"Slow roast","price_cents":3000,"station":"oven","prep_seconds":3600}`, "X-Staff-Key", staffKey, &dish)
	post("/orders", fmt.Sprintf(`{"items":[{"dish_id":%d,"quantity":1}]}`, dish.ID), "Authorization", "Bearer "+token, &order)
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/orders/%d/events", base, order.ID), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		res.Body.Close()
		b.Fatalf("the stream: got %d, want 200", res.StatusCode)
	}
	// The stream took its place among the long-lived responses before
	// its header was written.
	go io.Copy(io.Discard, res.Body) //nolint:errcheck // it ends with stop
	return order.ID, func() { res.Body.Close() }
}
