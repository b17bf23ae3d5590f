package roux_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/rouxtest"
)

func TestHooks(t *testing.T) {
	t.Parallel()
	api := quietAPI()
	var order []string
	for _, name := range []string{"db", "cache"} {
		api.OnStart(func(ctx context.Context) error { order = append(order, "start "+name); return nil })
		api.OnShutdown(func(ctx context.Context) error {
			order = append(order, "stop "+name)
			if name == "cache" {
				return errors.New("cache flush failed")
			}
			return nil
		})
	}
	if err := api.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	err := api.Shutdown(context.Background())
	if err == nil || !strings.Contains(err.Error(), "cache flush failed") {
		t.Errorf("got %v, want the failing hook's error", err)
	}
	if want := []string{"start db", "start cache", "stop cache", "stop db"}; !slices.Equal(order, want) {
		t.Errorf("got %v, want %v", order, want)
	}

	failing := quietAPI()
	failing.OnStart(func(ctx context.Context) error { return errors.New("no database") })
	if err := failing.Start(context.Background()); err == nil || !strings.Contains(err.Error(), "no database") {
		t.Errorf("got %v, want the start hook's error", err)
	}
}

func TestHealth(t *testing.T) {
	t.Parallel()
	var dbDown atomic.Bool
	api := quietAPI()
	api.Health("", "",
		roux.ReadyCheck{Name: "db", Check: func(ctx context.Context) error {
			if dbDown.Load() {
				return errors.New("connection refused")
			}
			return nil
		}},
		roux.ReadyCheck{Name: "slow", Check: func(ctx context.Context) error {
			if dbDown.Load() {
				<-ctx.Done() // never answers while the database is down
				return ctx.Err()
			}
			return nil
		}},
	)
	c := rouxtest.New(t, api)
	if got := rouxtest.JSON[roux.Health](c.Get("/readyz"), 200); got.Status != "ok" || got.Checks["db"] != "ok" {
		t.Errorf("got %+v", got)
	}
	dbDown.Store(true)
	start := time.Now()
	r := c.Get("/readyz")
	p := rouxtest.Problem(r, http.StatusServiceUnavailable)
	checks, _ := p.Extensions["checks"].(map[string]any)
	if r.Header.Get("Retry-After") == "" || !strings.Contains(string(r.Body), `"db":"failing"`) || !strings.Contains(string(r.Body), "no answer within") {
		t.Errorf("got %s (checks %v)", r.Body, checks)
	}
	// The check's error is for the log, not for whoever asks.
	if strings.Contains(string(r.Body), "connection refused") {
		t.Errorf("the readiness probe sends the check's error text: %s", r.Body)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("a hanging check held the probe for %v", time.Since(start))
	}
	dbDown.Store(false)
	api.Drain()
	if !strings.Contains(string(rouxtest.Problem(c.Get("/readyz"), 503).Detail), "draining") {
		t.Errorf("a draining API is ready")
	}
	if got := rouxtest.JSON[roux.Health](c.Get("/livez"), 200); got.Status != "ok" {
		t.Errorf("liveness while draining: got %+v", got)
	}
	if op := api.OpenAPI().Paths["/readyz"].Get; op.OperationID != "readiness" || op.Responses["503"] == nil {
		t.Errorf("readiness is not documented with its 503: %+v", op)
	}
}
