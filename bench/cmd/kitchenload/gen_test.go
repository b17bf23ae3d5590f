//go:build linux

package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		status int
		body   string
		want   kind
	}{
		{200, `[]`, ok},
		{202, `{}`, ok},
		{503, `{"detail":"the server has too many connections open; retry later"}`, connCap},
		{503, `{"detail":"the server is at capacity; retry after 1s"}`, shed},
		{503, `{"detail":"the server is busy: 9 CPU-bound requests are running or waiting"}`, cpuPool},
		{503, `{"detail":"the service is draining"}`, refused},
		{500, `{}`, failed},
		{429, `{}`, failed},
	} {
		if got := classify(tt.status, []byte(tt.body)); got != tt.want {
			t.Errorf("%d %s: got %d, want %d", tt.status, tt.body, got, tt.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	ms := time.Millisecond
	samples := []sample{
		{kind: ok, latency: 500 * ms, measured: false}, // warm-up: left out
		{kind: ok, latency: 10 * ms, lag: ms, measured: true},
		{kind: ok, latency: 300 * ms, lag: 2 * ms, measured: true}, // admitted, not good
		{kind: shed, latency: ms, measured: true},
		{kind: timedOut, latency: time.Second, measured: true}, // admitted, counted at the timeout
	}
	r := summarize(samples, 2*time.Second)
	if r.sent != 2 || r.goodput != 0.5 || r.counts[ok] != 2 || r.counts[shed] != 1 || r.counts[timedOut] != 1 {
		t.Errorf("got sent %v, goodput %v, counts %v; want 2, 0.5, 2 ok, 1 shed, 1 timeout", r.sent, r.goodput, r.counts)
	}
	if r.p50 != 300*ms || r.p99 != time.Second || r.lag99 != 2*ms {
		t.Errorf("got p50 %v, p99 %v, lag p99 %v; want 300ms, 1s, 2ms", r.p50, r.p99, r.lag99)
	}
}

// The open loop sends at its rate whatever the server does: a server
// that holds every request does not slow it down, and latency counts from
// when each request was due.
func TestOpenLoopKeepsItsSchedule(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		time.Sleep(50 * time.Millisecond)
		fmt.Fprint(w, "[]")
	}))
	defer srv.Close()
	g := newTestGenerator(t, srv.URL, defaultConns, time.Second)
	r := g.openLoop(target{method: "GET", path: "/dishes"}, 200, 100*time.Millisecond, 500*time.Millisecond)
	if got := n.Load(); got < 115 || got > 125 {
		t.Errorf("the server got %d requests, want 120 (200/s for 0.6s)", got)
	}
	if r.sent != 200 || r.counts[ok] != 100 || r.p50 < 50*time.Millisecond {
		t.Errorf("got %v/s sent, %d ok, p50 %v; want 200/s, 100 ok, p50 at least the 50ms the server takes", r.sent, r.counts[ok], r.p50)
	}
}

// newTestGenerator returns a generator for srv, closed at the test's end.
func newTestGenerator(t *testing.T, url string, conns int, timeout time.Duration) *generator {
	t.Helper()
	g, err := newGenerator(url, conns, timeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.close)
	return g
}

// reused says that the 100 requests of a test went over keep-alive
// connections, at most half as many as requests (some are opened while
// all are busy: under -race on a loaded machine, up to 30 were seen),
// notReused that each took one of its own.
func reused(n int) bool    { return n <= 50 }
func notReused(n int) bool { return n >= 100 }

// The generator's answers and connections, for each way a server can
// answer: what the generator counts, and how many connections the server
// saw.
func TestGeneratorAnswers(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		handler   http.HandlerFunc
		timeout   time.Duration
		want      map[kind]int
		wantConns func(int) bool
		noRetry   int
	}{
		{"keep-alive", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "[]") },
			time.Second, map[kind]int{ok: 100}, reused, 0},
		{"chunked", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "[")
			w.(http.Flusher).Flush()
			fmt.Fprint(w, strings.Repeat(`"dish",`, 2000)+"0]")
		}, time.Second, map[kind]int{ok: 100}, reused, 0},
		{"connection close on each", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Connection", "close")
			fmt.Fprint(w, "[]")
		}, time.Second, map[kind]int{ok: 100}, notReused, 0},
		{"shed, with Retry-After", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(503)
			fmt.Fprint(w, `{"detail":"the server is at capacity; retry after 1s"}`)
		}, time.Second, map[kind]int{shed: 100}, reused, 0},
		{"the refusal floor (floor.go)", floorHandler().ServeHTTP, time.Second, map[kind]int{shed: 100}, reused, 0},
		{"refused at the cap, no Retry-After", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(503)
			fmt.Fprint(w, `{"detail":"the server has too many connections open; retry later"}`)
		}, time.Second, map[kind]int{connCap: 100}, reused, 100},
		{"too slow", func(w http.ResponseWriter, r *http.Request) { time.Sleep(300 * time.Millisecond) },
			100 * time.Millisecond, map[kind]int{timedOut: 100}, notReused, 0},
		{"reset", func(w http.ResponseWriter, r *http.Request) {
			c, _, _ := w.(http.Hijacker).Hijack()
			c.(*net.TCPConn).SetLinger(0)
			c.Close()
		}, time.Second, map[kind]int{broken: 100}, notReused, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var conns atomic.Int64
			srv := httptest.NewUnstartedServer(tt.handler)
			srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
				if s == http.StateNew {
					conns.Add(1)
				}
			}
			srv.Start()
			defer srv.Close()
			g := newTestGenerator(t, srv.URL, defaultConns, tt.timeout)
			res := g.openLoop(target{method: "GET", path: "/dishes"}, 500, 0, 200*time.Millisecond)
			got := map[kind]int{}
			for k, n := range res.counts {
				if n > 0 {
					got[kind(k)] = n
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("counts (-want +got):\n%s", diff)
			}
			if n := int(conns.Load()); !tt.wantConns(n) {
				t.Errorf("the server saw %d connections", n)
			}
			if res.noRetry != tt.noRetry {
				t.Errorf("%d 503s without Retry-After, want %d", res.noRetry, tt.noRetry)
			}
		})
	}
}

// With its connections capped, the generator holds the requests due while
// all are busy and sends them as connections free up, their latency
// counted from when they were due (no coordinated omission).
func TestGeneratorConnectionCap(t *testing.T) {
	t.Parallel()
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(50 * time.Millisecond)
		fmt.Fprint(w, "[]")
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	g := newTestGenerator(t, srv.URL, 2, 5*time.Second)
	// 60 requests due in 0.3 s; two connections answer 40 a second, so
	// the last is answered about 1.5 s after the first was due.
	r := g.openLoop(target{method: "GET", path: "/dishes"}, 200, 0, 300*time.Millisecond)
	if r.counts[ok] != 60 || conns.Load() != 2 || r.conns != 2 {
		t.Errorf("%d ok over %d connections (the generator counted %d); want 60 over 2", r.counts[ok], conns.Load(), r.conns)
	}
	if r.p99 < time.Second || r.lag99 > 20*time.Millisecond {
		t.Errorf("p99 %v, lag p99 %v: want a p99 over 1s (waiting for a connection counts) with no lag of the schedule", r.p99, r.lag99)
	}
}

// The closed loop keeps its clients' requests one at a time each.
func TestClosedLoop(t *testing.T) {
	t.Parallel()
	var inFlight, most atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(10 * time.Millisecond)
		inFlight.Add(-1)
		fmt.Fprint(w, "[]")
	}))
	defer srv.Close()
	g := newTestGenerator(t, srv.URL, defaultConns, time.Second)
	r := g.closedLoop(target{method: "GET", path: "/dishes"}, 3, 50*time.Millisecond, 300*time.Millisecond)
	// 3 clients, 10 ms each: about 300 a second.
	if most.Load() != 3 || r.throughput < 150 || r.throughput > 310 || r.counts[ok] != int(r.throughput*0.3+0.5) {
		t.Errorf("at most %d in flight, %.0f/s, %d ok; want 3 in flight, about 300/s", most.Load(), r.throughput, r.counts[ok])
	}
}

func TestWire(t *testing.T) {
	t.Parallel()
	got := string(targets["orders"].wire("127.0.0.1:8080"))
	want := "POST /orders HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAuthorization: Bearer demo-customer-token\r\n" +
		"Content-Type: application/json\r\nContent-Length: 38\r\n\r\n" + `{"items":[{"dish_id":1,"quantity":1}]}`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("wire (-want +got):\n%s", diff)
	}
}

func TestTrivialServerCountsRequests(t *testing.T) {
	t.Parallel()
	n := 0
	state := 0
	for _, b := range []byte("GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\nA: b\r\n\r\n\r\r\n\r\n") {
		if state = nextCRLF(state, b); state == 4 {
			n, state = n+1, 0
		}
	}
	if n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}
