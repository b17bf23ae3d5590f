package roux_test

import (
	"context"
	"crypto/sha256"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/roux-go/roux"
)

// burn spends about d of the calling thread's CPU time hashing.
func burn(d time.Duration) {
	var b [32]byte
	start := threadCPU()
	for threadCPU()-start < d {
		for range 500 {
			b = sha256.Sum256(b[:])
		}
	}
	runtime.KeepAlive(b)
}

func threadCPU() time.Duration {
	var ts syscall.Timespec
	const clockThreadCPUTime = 3
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime, uintptr(unsafe.Pointer(&ts)), 0)
	return time.Duration(ts.Nano())
}

type isolationResult struct {
	idleP99, loadedP99 time.Duration
	cpuPerSecond       float64
}

// measureIsolation serves a 10 ms CPU operation and a 3 ms I/O operation,
// probes the I/O one alone, then again while 8 clients saturate the CPU
// one, and reports the I/O p99s and the CPU operation's throughput.
func measureIsolation(t *testing.T, api *roux.API, opts ...roux.Option) isolationResult {
	roux.Get(api, "/cpu", func(ctx context.Context, in *struct{}) (*string, error) {
		burn(10 * time.Millisecond)
		s := "ok"
		return &s, nil
	}, opts...)
	roux.Get(api, "/io", func(ctx context.Context, in *struct{}) (*string, error) {
		time.Sleep(3 * time.Millisecond)
		s := "ok"
		return &s, nil
	})
	srv := httptest.NewServer(api)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
	get := func(path string) (time.Duration, int) {
		start := time.Now()
		res, err := client.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return time.Since(start), res.StatusCode
	}
	probe := func(n int) time.Duration {
		var lat []time.Duration
		for range n {
			d, _ := get("/io")
			lat = append(lat, d)
			time.Sleep(20 * time.Millisecond)
		}
		slices.Sort(lat)
		return lat[len(lat)*99/100]
	}
	var r isolationResult
	r.idleP99 = probe(40)
	var stop atomic.Bool
	var done atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for !stop.Load() {
				if _, status := get("/cpu"); status == 200 {
					done.Add(1)
				}
			}
		})
	}
	time.Sleep(200 * time.Millisecond)
	start, before := time.Now(), done.Load()
	r.loadedP99 = probe(60)
	r.cpuPerSecond = float64(done.Load()-before) / time.Since(start).Seconds()
	stop.Store(true)
	wg.Wait()
	return r
}

// TestCPUIsolation is the isolation scenario with wide margins: with a
// CPU-bound operation saturated, an I/O-bound operation's p99 stays far
// below what plain goroutines give it, and the CPU-bound operation keeps
// most of its throughput. The figures for BENCHMARKS.md come from the
// longer bench/cmd/isolation.
func TestCPUIsolation(t *testing.T) {
	if os.Getenv("ROUX_TIMING_TESTS") == "" || raceEnabled {
		// The pool's workers yield to every busy process, so the test
		// means something only on an otherwise idle machine: CI runs it
		// alone, after the other tests (.ci/run).
		t.Skip("set ROUX_TIMING_TESTS=1 and run it alone")
	}
	// Plain goroutines first: the pool raises GOMAXPROCS for the process.
	plain := measureIsolation(t, quietAPI())
	pooled := measureIsolation(t, quietAPI(), roux.CPUBound())
	t.Logf("plain goroutines: I/O p99 %v idle, %v loaded (%.1fx); CPU %.0f req/s", plain.idleP99, plain.loadedP99,
		float64(plain.loadedP99)/float64(plain.idleP99), plain.cpuPerSecond)
	t.Logf("CPU pool:         I/O p99 %v idle, %v loaded (%.1fx); CPU %.0f req/s", pooled.idleP99, pooled.loadedP99,
		float64(pooled.loadedP99)/float64(pooled.idleP99), pooled.cpuPerSecond)
	if pooled.loadedP99 > 3*pooled.idleP99+10*time.Millisecond {
		t.Errorf("with the pool, the I/O p99 went from %v to %v under CPU load", pooled.idleP99, pooled.loadedP99)
	}
	if pooled.cpuPerSecond < 0.6*plain.cpuPerSecond {
		t.Errorf("the pool kept %.0f of plain goroutines' %.0f CPU req/s", pooled.cpuPerSecond, plain.cpuPerSecond)
	}
}
