package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
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
	g := newGenerator(srv.URL, defaultConns, time.Second)
	defer g.close()
	r := g.openLoop(target{method: "GET", path: "/dishes"}, 200, 100*time.Millisecond, 500*time.Millisecond)
	if got := n.Load(); got < 115 || got > 125 {
		t.Errorf("the server got %d requests, want 120 (200/s for 0.6s)", got)
	}
	if r.sent != 200 || r.counts[ok] != 100 || r.p50 < 50*time.Millisecond {
		t.Errorf("got %v/s sent, %d ok, p50 %v; want 200/s, 100 ok, p50 at least the 50ms the server takes", r.sent, r.counts[ok], r.p50)
	}
}
