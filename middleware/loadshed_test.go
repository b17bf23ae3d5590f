package middleware_test

import (
	"io"
	"net/http"
	"os"
	"slices"
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
	shedder := middleware.NewLoadShedder(middleware.LoadShedConfig{InitialLimit: 40})
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
	shedder := middleware.NewLoadShedder(middleware.LoadShedConfig{InitialLimit: 8, MaxLimit: 8, Priority: func(r *http.Request) middleware.Priority {
		switch r.URL.Path {
		case "/healthz":
			critical.Add(1)
			return middleware.Critical
		case "/report":
			return middleware.Low
		}
		return middleware.Normal
	}})
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
