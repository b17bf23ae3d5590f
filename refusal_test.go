package roux_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/rouxtest"
)

// Refusals adds up the sources registered for each reason, and counts
// the CPU pool's refusals itself.
func TestRefusals(t *testing.T) {
	t.Parallel()
	api := roux.New(roux.Config{CPU: roux.CPUConfig{Workers: 1, Queue: 1, QueueTimeout: 30 * time.Second}})
	started, release := make(chan struct{}, 2), make(chan struct{})
	roux.Get(api, "/work", func(ctx context.Context, in *struct{}) (*string, error) {
		started <- struct{}{}
		<-release
		s := "done"
		return &s, nil
	}, roux.CPUBound())
	c := rouxtest.New(t, api)
	if diff := cmp.Diff(map[string]int64{roux.RefusalCPUPool: 0}, api.Refusals()); diff != "" {
		t.Errorf("before any refusal (-want +got):\n%s", diff)
	}

	var shed, conns atomic.Int64
	api.CountRefusals(roux.RefusalLoadShed, shed.Load)
	api.CountRefusals(roux.RefusalConnections, conns.Load)
	api.CountRefusals(roux.RefusalConnections, func() int64 { return 10 }) // an earlier server's
	shed.Add(3)
	conns.Add(2)

	// One request runs on the worker, one waits; the third is refused.
	var wg sync.WaitGroup
	wg.Go(func() { c.Get("/work") })
	<-started
	wg.Go(func() { c.Get("/work") })
	deadline := time.Now().Add(10 * time.Second)
	for _, pending, _ := api.CPUStats(); pending < 2; _, pending, _ = api.CPUStats() {
		if time.Now().After(deadline) {
			t.Fatal("the second request did not queue")
		}
		time.Sleep(time.Millisecond)
	}
	rouxtest.Problem(c.Get("/work"), 503)
	close(release)
	wg.Wait()

	want := map[string]int64{roux.RefusalCPUPool: 1, roux.RefusalLoadShed: 3, roux.RefusalConnections: 12}
	if diff := cmp.Diff(want, api.Refusals()); diff != "" {
		t.Errorf("refusals (-want +got):\n%s", diff)
	}
}
