package roux_test

import (
	"context"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/rouxtest"
)

func TestCPUBound(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	started := make(chan struct{}, 8)
	// A generous queue timeout: the worker runs at the lowest priority, and
	// beside this package's other tests it may wait a while for a CPU.
	api := roux.New(roux.Config{CPU: roux.CPUConfig{Workers: 1, Queue: 1, QueueTimeout: 2 * time.Second}})
	roux.Get(api, "/work/{n}", func(ctx context.Context, in *struct {
		N int `path:"n"`
	}) (*int, error) {
		switch in.N {
		case 0:
			started <- struct{}{}
			<-release
		case 13:
			panic("unlucky")
		}
		return &in.N, nil
	}, roux.CPUBound())
	c := rouxtest.New(t, api)

	if got := rouxtest.JSON[int](c.Get("/work/7"), 200); got != 7 {
		t.Errorf("got %d", got)
	}
	rouxtest.Problem(c.Get("/work/13"), 500)
	if got := rouxtest.JSON[int](c.Get("/work/8"), 200); got != 8 {
		t.Errorf("after a panic: got %d", got)
	}

	// One request holds the only worker; the next waits in the queue and
	// times out; with the queue full, another is shed at once.
	var wg sync.WaitGroup
	wg.Go(func() {
		for c.Get("/work/0").Status != 200 { // retried: see the queue timeout above
		}
	})
	select {
	case <-started:
	case <-time.After(30 * time.Second):
		t.Fatal("the worker never took the first request")
	}
	queued := make(chan *rouxtest.Response, 1)
	wg.Go(func() { queued <- c.Get("/work/1") })
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	shed := c.Get("/work/2")
	if shed.Status != 503 || shed.Header.Get("Retry-After") == "" || time.Since(start) > time.Second {
		t.Errorf("a full pool: got %s after %v, want an immediate 503 with Retry-After", shed, time.Since(start))
	}
	if r := <-queued; r.Status != 503 || !strings.Contains(string(r.Body), "within") {
		t.Errorf("a queued request past its timeout: got %s, want 503", r)
	}
	close(release)
	wg.Wait()
	// The worker drops the abandoned job from the queue when it reaches it.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if _, pending, _ := api.CPUStats(); pending == 0 {
			break
		}
	}
	if _, pending, shedCount := api.CPUStats(); pending != 0 || shedCount != 2 {
		t.Errorf("got pending %d, shed %d; want 0 and 2", pending, shedCount)
	}
	op := api.OpenAPI().Paths["/work/{n}"].Get
	if op.Extensions["x-roux-class"] != "cpu" || op.Responses["503"] == nil {
		t.Errorf("the class or the 503 is not documented: %+v", op)
	}
	_ = http.StatusOK
}

// TestCPUPoolsShareGOMAXPROCS: a second API's pool sizes itself from
// the runtime's default GOMAXPROCS, not the one the first pool raised,
// so building APIs does not raise GOMAXPROCS again and again.
func TestCPUPoolsShareGOMAXPROCS(t *testing.T) {
	newAPI := func() *roux.API {
		api := roux.New(roux.Config{Logger: slog.New(slog.DiscardHandler)})
		roux.Get(api, "/work", func(ctx context.Context, in *struct{}) (*struct{}, error) { return nil, nil }, roux.CPUBound())
		return api
	}
	newAPI()
	after := runtime.GOMAXPROCS(0)
	for range 3 {
		newAPI()
	}
	if got := runtime.GOMAXPROCS(0); got != after {
		t.Errorf("GOMAXPROCS went from %d to %d as more APIs were built", after, got)
	}
}
