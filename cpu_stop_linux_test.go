package roux_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/rouxtest"
)

// lowPriorityThreads counts the process's threads at nice 19: the CPU
// pools' workers, and nothing else in a test binary.
func lowPriorityThreads(t *testing.T) int {
	t.Helper()
	stats, err := filepath.Glob("/proc/self/task/*/stat")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // the thread exited meanwhile
		}
		// After the command name in parentheses: state (field 3) ... nice (field 19).
		fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(fields) > 16 && fields[16] == "19" {
			n++
		}
	}
	return n
}

// TestCPUPoolStopsOnShutdown: the pool's worker threads exit when the
// API shuts down, and start again when it serves a CPU-bound request
// afterwards. It is not parallel: it counts the process's threads and
// goroutines.
func TestCPUPoolStopsOnShutdown(t *testing.T) {
	threads, goroutines := lowPriorityThreads(t), runtime.NumGoroutine()
	api := quietAPI()
	roux.Get(api, "/work", func(ctx context.Context, in *struct{}) (*int, error) {
		n := 7
		return &n, nil
	}, roux.CPUBound())
	c := rouxtest.New(t, api)
	for round := range 2 {
		if got := rouxtest.JSON[int](c.Get("/work"), 200); got != 7 {
			t.Fatalf("round %d: got %d", round, got)
		}
		workers := runtime.GOMAXPROCS(0) - 1 // the pool keeps one P spare
		waitFor(t, "the workers' threads to start", func() bool { return lowPriorityThreads(t) == threads+workers })
		if err := api.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the workers' threads to stop", func() bool { return lowPriorityThreads(t) == threads })
		waitFor(t, "the workers' goroutines to stop", func() bool { return runtime.NumGoroutine() <= goroutines })
	}
}
