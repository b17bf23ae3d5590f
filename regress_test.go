package roux_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/rouxtest"
)

// Regression tests for bugs found in review.

func TestOverrideSecurityScheme(t *testing.T) {
	t.Parallel()
	oauth := roux.OAuth2PasswordAuth("oauth", "/token", map[string]string{"read": "", "write": ""},
		func(ctx context.Context, token string) (Staff, []string, error) {
			return Staff{}, nil, roux.ErrUnauthorized
		})
	bearer := roux.BearerAuth("bearer", func(ctx context.Context, token string) (Staff, error) { return Staff{}, roux.ErrUnauthorized })
	api := quietAPI()
	who := func(ctx context.Context, in *struct{}, s *struct {
		S Staff `dep:""`
	}) (*string, error) {
		return &s.S.Name, nil
	}
	roux.RegisterWith(api, "GET", "/o", who, roux.Secure(oauth, "write"))
	roux.RegisterWith(api, "GET", "/b", who, roux.Secure(bearer))
	roux.Override(api, oauth, func(ctx context.Context) (Staff, error) { return Staff{"test"}, nil })
	roux.Override(api, bearer, func(ctx context.Context) (Staff, error) { return Staff{"test"}, nil })
	c := rouxtest.New(t, api)
	for _, path := range []string{"/o", "/b"} {
		if got := rouxtest.JSON[string](c.Get(path), 200); got != "test" {
			t.Errorf("%s: got %q", path, got)
		}
	}
}

func TestOverrideConcurrently(t *testing.T) {
	t.Parallel()
	dep := roux.Depends(func(ctx context.Context, in *struct{}) (int, error) { return 1, nil })
	api := quietAPI()
	roux.RegisterWith(api, "GET", "/n", func(ctx context.Context, in *struct{}, s *struct {
		N int `dep:""`
	}) (*int, error) {
		return &s.N, nil
	}, roux.Provide(dep))
	c := rouxtest.New(t, api)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 50 {
				if i%2 == 0 {
					roux.Override(api, dep, func(ctx context.Context) (int, error) { return 2, nil })
				} else {
					roux.Override(api, dep, nil)
				}
				if r := c.Get("/n"); r.Status != 200 {
					t.Errorf("got %s", r)
				}
			}
		})
	}
	wg.Wait()
}

func TestCPUQueueTimeoutWithAbandonedJobs(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	api := roux.New(roux.Config{CPU: roux.CPUConfig{Workers: 1, Queue: 1, QueueTimeout: 50 * time.Millisecond}})
	roux.Get(api, "/w/{n}", func(ctx context.Context, in *struct {
		N int `path:"n"`
	}) (*int, error) {
		if in.N == 0 {
			started <- struct{}{}
			<-release
		}
		return &in.N, nil
	}, roux.CPUBound())
	c := rouxtest.New(t, api)
	// The worker runs at the lowest priority: beside other busy tests it
	// may miss a 50 ms queue timeout, so the blocking request is retried
	// until it runs.
	go func() {
		for c.Get("/w/0").Status != 200 {
		}
	}()
	select {
	case <-started:
	case <-time.After(30 * time.Second):
		t.Fatal("the worker never took the first request")
	}
	for i := 1; i <= 4; i++ {
		start := time.Now()
		r := c.Get("/w/1")
		if r.Status != 503 || time.Since(start) > time.Second {
			t.Errorf("request %d: got %d after %v, want 503 within the queue timeout", i, r.Status, time.Since(start))
		}
	}
	close(release)
}

func TestServeAgainAfterShutdown(t *testing.T) {
	t.Parallel()
	api := quietAPI()
	api.Health("", "")
	taskErr := make(chan error, 1)
	roux.RegisterWith(api, "POST", "/t", func(ctx context.Context, in *struct{}, s *struct{ Tasks *roux.Tasks }) (*struct{}, error) {
		s.Tasks.Add("check", func(ctx context.Context) error { taskErr <- ctx.Err(); return nil })
		return &struct{}{}, nil
	})
	c := rouxtest.New(t, api)
	for round := range 2 {
		if err := api.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		if r := c.Get("/readyz"); r.Status != 200 {
			t.Errorf("round %d: readiness %d after Start", round, r.Status)
		}
		c.Post("/t", nil)
		if err := <-taskErr; err != nil {
			t.Errorf("round %d: task context %v", round, err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		api.Shutdown(ctx)
		<-ctx.Done()
		cancel()
		if r := c.Get("/readyz"); r.Status != http.StatusServiceUnavailable {
			t.Errorf("round %d: readiness %d after Shutdown", round, r.Status)
		}
	}
}
