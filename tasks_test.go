package roux_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/rouxtest"
)

func TestBackgroundTasks(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var ran []string
	var logs syncBuf
	api := roux.New(roux.Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	cleanup := roux.DependsCleanup(func(ctx context.Context, in *struct{}) (int, func(), error) {
		return 1, func() { mu.Lock(); ran = append(ran, "cleanup"); mu.Unlock() }, nil
	})
	roux.RegisterWith(api, "POST", "/orders", func(ctx context.Context, in *struct {
		Fail bool `query:"fail"`
	}, s *struct {
		Tasks *roux.Tasks
		N     int `dep:""`
	}) (*string, error) {
		s.Tasks.Add("email", func(ctx context.Context) error {
			mu.Lock()
			defer mu.Unlock()
			ran = append(ran, "email")
			return nil
		})
		s.Tasks.Add("broken", func(ctx context.Context) error { return errors.New("smtp down") })
		s.Tasks.Add("panicky", func(ctx context.Context) error { panic("task exploded") })
		s.Tasks.Add("audit", func(ctx context.Context) error {
			mu.Lock()
			defer mu.Unlock()
			ran = append(ran, "audit")
			return ctx.Err() // not cancelled although the request is over
		})
		if in.Fail {
			return nil, roux.NewError(http.StatusConflict, "no")
		}
		res := "accepted"
		return &res, nil
	}, roux.Provide(cleanup), roux.Status(http.StatusAccepted), roux.Response(http.StatusConflict, "", nil))

	c := rouxtest.New(t, api)
	if got := rouxtest.JSON[string](c.Post("/orders", nil), http.StatusAccepted); got != "accepted" {
		t.Fatalf("got %q", got)
	}
	mu.Lock()
	got := strings.Join(ran, ",")
	ran = nil
	mu.Unlock()
	if got != "cleanup,email,audit" {
		t.Errorf("got %q, want the cleanup, then every task, the failing ones skipped past", got)
	}
	for _, want := range []string{"smtp down", "task exploded", `task=broken`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
	rouxtest.Problem(c.Post("/orders?fail=true", nil), http.StatusConflict)
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(ran, ",") != "cleanup" {
		t.Errorf("got %v, want tasks skipped when the handler fails", ran)
	}
}

// TestTasksDrainOnShutdown: the client has its response while a task is
// still running, and a shutdown whose deadline passes cancels the task.
func TestTasksDrainOnShutdown(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	result := make(chan error, 1)
	api := quietAPI()
	roux.RegisterWith(api, "POST", "/slow", func(ctx context.Context, in *struct{}, s *struct{ Tasks *roux.Tasks }) (*struct{}, error) {
		s.Tasks.Add("slow", func(ctx context.Context) error {
			close(started)
			select {
			case <-ctx.Done():
				result <- ctx.Err()
			case <-time.After(10 * time.Second):
				result <- nil
			}
			return nil
		})
		return &struct{}{}, nil
	})
	srv := httptest.NewServer(api)
	defer srv.Close()
	res, err := http.Post(srv.URL+"/slow", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 204 {
		t.Fatalf("got %d", res.StatusCode)
	}
	<-started // the response came while the task runs
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	api.Shutdown(ctx)
	select {
	case err := <-result:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want the task cancelled by the shutdown deadline", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the task was not cancelled")
	}
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }
