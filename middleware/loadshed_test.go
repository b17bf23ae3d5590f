package middleware_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/roux-go/roux/middleware"
)

// overload offers clients concurrent clients to h for d. It returns the
// latencies of admitted requests and the count of 503s, per path, over the
// last two thirds of d.
func overload(t *testing.T, h http.Handler, clients int, d time.Duration, paths ...string) (ok map[string][]time.Duration, shed map[string]int) {
	t.Helper()
	srv := serve(t, h)
	ok, shed = map[string][]time.Duration{}, map[string]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	warm := time.Now().Add(d / 3) // the limit adapts during the first third; measure the rest
	deadline := time.Now().Add(d)
	tr := &http.Transport{MaxIdleConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	for i := range clients {
		path := paths[i%len(paths)]
		wg.Go(func() {
			for time.Now().Before(deadline) {
				start := time.Now()
				res, err := client.Get(srv.URL + path)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				mu.Lock()
				if start.Before(warm) {
					// adapting: not counted
				} else if res.StatusCode == 200 {
					ok[path] = append(ok[path], time.Since(start))
				} else {
					shed[path]++
				}
				mu.Unlock()
				if res.StatusCode != 200 {
					time.Sleep(5 * time.Millisecond) // a client backing off
				}
			}
		})
	}
	wg.Wait()
	return ok, shed
}

// capacityHandler serves capacity requests at once, 10 ms each.
func capacityHandler(capacity int) http.Handler {
	sem := make(chan struct{}, capacity)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sem <- struct{}{}
		time.Sleep(10 * time.Millisecond)
		<-sem
		io.WriteString(w, "ok")
	})
}

func p99(l []time.Duration) time.Duration {
	s := slices.Clone(l)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)*99/100]
}

// TestLoadShed offers 48 clients to a server with room for 8: without
// shedding every request queues; with it, admitted requests keep a short
// latency and the excess is refused at once.
func TestLoadShed(t *testing.T) {
	if os.Getenv("ROUX_TIMING_TESTS") == "" || raceEnabled {
		// Latency under overload, measured on two shared cores: beside
		// other busy test binaries it measures them. CI runs it alone.
		t.Skip("a timing test: set ROUX_TIMING_TESTS=1 and run it alone")
	}
	okPlain, _ := overload(t, capacityHandler(8), 48, 2*time.Second, "/")
	shedder := middleware.NewLoadShedder(middleware.InitialLimit(40))
	okShed, refused := overload(t, shedder.Middleware(capacityHandler(8)), 48, 2*time.Second, "/")
	plain, shed := p99(okPlain["/"]), p99(okShed["/"])
	t.Logf("no shedding: %d served, p99 %v; shedding: %d served, p99 %v, %d refused, limit %d",
		len(okPlain["/"]), plain, len(okShed["/"]), shed, refused["/"], shedder.Limit())
	if refused["/"] == 0 || shed > plain*2/3 {
		t.Errorf("shedding did not keep latency down: p99 %v with, %v without", shed, plain)
	}
	if len(okShed["/"]) < len(okPlain["/"])*6/10 {
		t.Errorf("shedding served %d, plain %d: goodput collapsed", len(okShed["/"]), len(okPlain["/"]))
	}
	if l := shedder.Limit(); l < 4 || l > 30 {
		t.Errorf("limit %d, want it near the capacity of 8", l)
	}
}

func TestLoadShedPriorities(t *testing.T) {
	if os.Getenv("ROUX_TIMING_TESTS") == "" || raceEnabled {
		// Latency under overload, measured on two shared cores: beside
		// other busy test binaries it measures them. CI runs it alone.
		t.Skip("a timing test: set ROUX_TIMING_TESTS=1 and run it alone")
	}
	var critical atomic.Int64
	shedder := middleware.NewLoadShedder(middleware.InitialLimit(8), middleware.MaxLimit(8), middleware.Prioritize(func(r *http.Request) middleware.Priority {
		switch r.URL.Path {
		case "/healthz":
			critical.Add(1)
			return middleware.Critical
		case "/report":
			return middleware.Low
		}
		return middleware.Normal
	}))
	// A few clients probe health; the rest share normal and low-priority
	// work, 16 each.
	paths := []string{"/healthz"}
	for range 5 {
		paths = append(paths, "/menu", "/report")
	}
	served, refused := overload(t, shedder.Middleware(capacityHandler(8)), 36, time.Second, paths...)
	// The share of each path's requests that were refused: a client
	// whose request is refused comes back sooner than one served, so raw
	// counts of refusals say little.
	rate := func(path string) float64 {
		n := len(served[path]) + refused[path]
		if n == 0 {
			return 0
		}
		return float64(refused[path]) / float64(n)
	}
	t.Logf("refused: health checks %.2f, normal %.2f, low %.2f (served %d, %d, %d; %d health checks in all)",
		rate("/healthz"), rate("/menu"), rate("/report"), len(served["/healthz"]), len(served["/menu"]), len(served["/report"]), critical.Load())
	if !(rate("/healthz") < rate("/menu") && rate("/menu") < rate("/report")) {
		t.Errorf("refused shares %.2f, %.2f, %.2f: want health checks refused least and low priority most",
			rate("/healthz"), rate("/menu"), rate("/report"))
	}
}

// held serves requests to h in the background until the handler has
// started; release lets them finish.
type held struct {
	started chan struct{}
	release chan struct{}
}

func newHeld() *held { return &held{started: make(chan struct{}, 8), release: make(chan struct{})} }

// handler blocks until release, after calling mark when it is set.
func (h *held) handler(mark bool, markErr chan<- error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if mark {
			markErr <- middleware.MarkLongLived(r)
		}
		h.started <- struct{}{}
		<-h.release
		io.WriteString(w, "ok")
	})
}

// start serves r in the background and waits for the handler to start.
func (h *held) start(t *testing.T, srv http.Handler, r *http.Request) <-chan *httptest.ResponseRecorder {
	t.Helper()
	done := make(chan *httptest.ResponseRecorder, 1)
	go func() {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, r)
		done <- rec
	}()
	select {
	case <-h.started:
	case <-time.After(10 * time.Second):
		t.Fatal("the handler did not start")
	}
	return done
}

// checkRefusal checks that rec is a 503 problem with Retry-After 2 whose
// detail mentions want.
func checkRefusal(t *testing.T, rec *httptest.ResponseRecorder, want string) {
	t.Helper()
	var p struct {
		Type, Title, Detail string
		Status              int
	}
	err := json.Unmarshal(rec.Body.Bytes(), &p)
	if err != nil || rec.Code != 503 || p.Status != 503 || rec.Header().Get("Content-Type") != "application/problem+json" ||
		rec.Header().Get("Retry-After") != "2" || !strings.Contains(p.Detail, want) {
		t.Errorf("got %d %v Retry-After %q: %s; want a 503 problem with Retry-After 2 mentioning %q",
			rec.Code, rec.Header(), rec.Header().Get("Retry-After"), rec.Body, want)
	}
}

// one is a shedder that admits one request at a time and one long-lived
// response.
func one(longLived func(*http.Request) bool) *middleware.LoadShedder {
	return middleware.NewLoadShedder(middleware.InitialLimit(1), middleware.MinLimit(1), middleware.MaxLimit(1),
		middleware.MaxLongLived(1), middleware.RetryAfter(2*time.Second), middleware.LongLived(longLived))
}

func TestLoadShedRefuses(t *testing.T) {
	t.Parallel()
	h := newHeld()
	s := one(nil)
	srv := s.Middleware(h.handler(false, nil))
	first := h.start(t, srv, httptest.NewRequest("GET", "/a", nil))
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/b", nil))
	checkRefusal(t, rec, "at capacity")
	close(h.release)
	if got := <-first; got.Code != 200 {
		t.Errorf("the admitted request: got %d", got.Code)
	}
	if s.Shed() != 1 || s.ShedLongLived() != 0 {
		t.Errorf("counted %d shed and %d long-lived refused, want 1 and 0", s.Shed(), s.ShedLongLived())
	}
}

// Requests recognized as long-lived take a place under MaxLongLived and
// none in the concurrency limit.
func TestLoadShedLongLivedRecognized(t *testing.T) {
	t.Parallel()
	h := newHeld()
	s := one(func(r *http.Request) bool { return r.URL.Path == "/events" })
	srv := s.Middleware(h.handler(false, nil))
	stream := h.start(t, srv, httptest.NewRequest("GET", "/events", nil))
	request := h.start(t, srv, httptest.NewRequest("GET", "/a", nil)) // the limit of 1 is free
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/events", nil))
	checkRefusal(t, rec, "long-lived")
	if got := s.LongLivedOpen(); got != 1 {
		t.Errorf("long-lived open: got %d, want 1", got)
	}
	close(h.release)
	<-stream
	<-request
	if s.Shed() != 0 || s.ShedLongLived() != 1 || s.LongLivedOpen() != 0 {
		t.Errorf("counted %d shed, %d long-lived refused, %d open; want 0, 1, 0", s.Shed(), s.ShedLongLived(), s.LongLivedOpen())
	}
}

// A response that marks itself long-lived frees its place in the limit;
// past MaxLongLived, MarkLongLived says to refuse it.
func TestMarkLongLived(t *testing.T) {
	t.Parallel()
	h := newHeld()
	s := one(nil)
	marks := make(chan error, 2)
	stream := h.start(t, s.Middleware(h.handler(true, marks)), httptest.NewRequest("GET", "/events", nil))
	if err := <-marks; err != nil {
		t.Fatalf("MarkLongLived: %v", err)
	}
	// Its place is free: a second request is admitted, and it cannot
	// become long-lived, for the one place of those is taken.
	second := h.start(t, s.Middleware(h.handler(true, marks)), httptest.NewRequest("GET", "/events", nil))
	var full *middleware.LongLivedLimitError
	if err := <-marks; !errors.As(err, &full) || full.RetryAfter != 2*time.Second {
		t.Errorf("MarkLongLived past the cap: got %v, want a *LongLivedLimitError with RetryAfter 2s", err)
	}
	if s.LongLivedOpen() != 1 || s.ShedLongLived() != 1 {
		t.Errorf("long-lived open %d, refused %d; want 1 and 1", s.LongLivedOpen(), s.ShedLongLived())
	}
	close(h.release)
	<-stream
	<-second
	if s.LongLivedOpen() != 0 || s.Shed() != 0 {
		t.Errorf("after the end: %d long-lived open, %d shed; want 0 and 0", s.LongLivedOpen(), s.Shed())
	}
	// Without a shedder there is nothing to do.
	if err := middleware.MarkLongLived(httptest.NewRequest("GET", "/", nil)); err != nil {
		t.Errorf("without a shedder: got %v", err)
	}
}

func TestLoadShedDocuments(t *testing.T) {
	t.Parallel()
	s := middleware.NewLoadShedder()
	r := s.Responses()["503"]
	if len(s.Responses()) != 1 || r == nil || r.Content != nil || r.Headers["Retry-After"] == nil || !r.Headers["Retry-After"].Required {
		t.Errorf("Responses: got %+v, want a 503 without content and with a required Retry-After", s.Responses())
	}
	if h := s.Headers(); len(h) != 0 {
		t.Errorf("Headers: got %v, want none", h)
	}
}

// BenchmarkLoadShed is the cost of the shedder on an admitted request
// (the ticket that lets a response become long-lived: two allocations)
// and on a refused one.
func BenchmarkLoadShed(b *testing.B) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	// The one place of full is taken by a request that waits until the
	// benchmark ends.
	release := make(chan struct{})
	defer close(release)
	h := newHeld()
	h.release = release
	full := middleware.NewLoadShedder(middleware.InitialLimit(1), middleware.MinLimit(1), middleware.MaxLimit(1))
	refused := full.Middleware(ok)
	go full.Middleware(h.handler(false, nil)).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	<-h.started
	for _, bb := range []struct {
		name string
		h    http.Handler
	}{
		{"none", ok},
		{"admitted", middleware.NewLoadShedder().Middleware(ok)},
		{"refused", refused},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			r := httptest.NewRequest("GET", "/dishes", nil)
			w := &discardWriter{h: http.Header{}}
			for b.Loop() {
				bb.h.ServeHTTP(w, r)
			}
		})
	}
	// Behind what a service might put in front of the shedder (recover,
	// request ID, security headers; the kitchen's order until it moved
	// the shedder in front of them), into a fresh header map copied when
	// the header is written, as net/http's response does: what a refusal
	// costs the server above net/http and the kernel.
	front := func(h http.Handler) http.Handler {
		return middleware.Recover(nil)(middleware.RequestID()(middleware.SecureHeaders()(h)))
	}
	for _, bb := range []struct {
		name string
		h    http.Handler
	}{
		{"front/admitted", front(middleware.NewLoadShedder().Middleware(ok))},
		{"front/refused", front(refused)},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			r := httptest.NewRequest("GET", "/dishes", nil)
			w := &snapshotWriter{}
			for b.Loop() {
				w.h = http.Header{}
				bb.h.ServeHTTP(w, r)
			}
		})
	}
}

// snapshotWriter copies its header when it is written, as net/http's
// response does.
type snapshotWriter struct{ h, sent http.Header }

func (w *snapshotWriter) Header() http.Header { return w.h }

func (w *snapshotWriter) WriteHeader(int) { w.sent = w.h.Clone() }

func (w *snapshotWriter) Write(b []byte) (int, error) {
	if w.sent == nil {
		w.WriteHeader(http.StatusOK)
	}
	return len(b), nil
}

// A request whose context has ended — its client went away — is not run
// when it would take the shedder's last place: it is aborted with
// http.ErrAbortHandler, so that net/http closes the connection, and its
// place is given back.
func TestLoadShedAbandoned(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		gone    bool
		wantRun bool
	}{
		{"client waiting", false, true},
		{"client gone", true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := one(nil) // a limit of 1: every request takes the last place
			ran := false
			srv := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ran = true
				io.WriteString(w, "ok")
			}))
			ctx, cancel := context.WithCancel(context.Background())
			if tt.gone {
				cancel()
			}
			defer cancel()
			rec := httptest.NewRecorder()
			var recovered any
			func() {
				defer func() { recovered = recover() }()
				srv.ServeHTTP(rec, httptest.NewRequest("GET", "/a", nil).WithContext(ctx))
			}()
			if ran != tt.wantRun {
				t.Errorf("handler ran: got %v, want %v", ran, tt.wantRun)
			}
			switch {
			case !tt.wantRun && recovered != http.ErrAbortHandler:
				t.Errorf("panic: got %v, want %v", recovered, http.ErrAbortHandler)
			case tt.wantRun && (recovered != nil || rec.Code != 200):
				t.Errorf("got panic %v and status %d, want none and 200", recovered, rec.Code)
			}
			if s.InFlight() != 0 || s.Shed() != 0 {
				t.Errorf("in flight %d, shed %d after the request; want 0 and 0", s.InFlight(), s.Shed())
			}
		})
	}
}
