package kitchen_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/client"
	"github.com/roux-go/roux/rouxtest"

	"github.com/roux-go/roux/examples/kitchen/internal/kitchen"
	"github.com/roux-go/roux/examples/kitchen/internal/store"
	"github.com/roux-go/roux/examples/kitchen/internal/store/postgres"
	"github.com/roux-go/roux/examples/kitchen/internal/store/postgres/pgtest"
	"github.com/roux-go/roux/examples/kitchen/internal/store/sqlite"
)

const (
	staffKey = "test-staff-key"
	token    = kitchen.DemoCustomerToken
)

// backend opens a fresh database of one kind.
type backend struct {
	name string
	// db returns the Open function of a new, empty database.
	db func(t *testing.T) func(ctx context.Context) (store.Store, error)
}

var backends = []backend{
	{"sqlite", func(t *testing.T) func(ctx context.Context) (store.Store, error) {
		path := filepath.Join(t.TempDir(), "kitchen.db")
		return func(ctx context.Context) (store.Store, error) { return sqlite.Open(path) }
	}},
	{"postgres", func(t *testing.T) func(ctx context.Context) (store.Store, error) {
		url := pgtest.URL(t)
		return func(ctx context.Context) (store.Store, error) { return postgres.Open(ctx, url) }
	}},
}

// forEachBackend runs fn once per backend, in parallel.
func forEachBackend(t *testing.T, fn func(t *testing.T, b backend)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			fn(t, b)
		})
	}
}

// server is a started kitchen service on a loopback listener.
type server struct {
	t   *testing.T
	svc *kitchen.Service
	url string
	// anon sends no credentials, staff the staff key, demo the demo
	// customer's token.
	anon, staff, demo *client.Client
}

// as returns a client that sends the customer token tok.
func (s *server) as(tok string) *client.Client {
	return client.New(s.url, client.Header("Authorization", "Bearer "+tok))
}

// result is the outcome of a call.
type result[Out any] struct {
	t   *testing.T
	out *Out
	err error
}

// call calls op through c, within a deadline.
func call[In, Out any](t *testing.T, c *client.Client, op *roux.Operation[In, Out], in *In) result[Out] {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	out, err := client.Call(ctx, c, op, in)
	return result[Out]{t, out, err}
}

// ok fails the test unless the call succeeded, and returns the output.
func (r result[Out]) ok() *Out {
	r.t.Helper()
	if r.err != nil {
		r.t.Fatalf("unexpected error: %v", r.err)
	}
	return r.out
}

// fails fails the test unless the call got a problem with status, which
// it returns.
func (r result[Out]) fails(status int) *roux.Error {
	r.t.Helper()
	var p *roux.Error
	if !errors.As(r.err, &p) || p.Status != status {
		r.t.Fatalf("got %v (output %+v), want a %d problem", r.err, r.out, status)
	}
	return p
}

// config is the configuration of test services: a fast kitchen, with
// metrics.
func config(open func(ctx context.Context) (store.Store, error)) kitchen.Config {
	return kitchen.Config{Open: open, Seed: true, StaffKey: staffKey, CookUnit: 5 * time.Millisecond,
		Lease: 900 * time.Millisecond, Metrics: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// start starts a service with cfg.
func start(t *testing.T, cfg kitchen.Config) *server {
	t.Helper()
	svc := kitchen.New(cfg)
	rouxtest.New(t, svc.API()) // for the document check of CI
	srv := serve(t, svc)
	return newServer(t, svc, srv.URL)
}

// serve starts svc and serves it on loopback until the test ends.
func serve(tb testing.TB, svc *kitchen.Service) *httptest.Server {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := svc.API().Start(ctx); err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(svc.API())
	tb.Cleanup(func() {
		svc.API().Drain()
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := svc.API().Shutdown(ctx); err != nil {
			tb.Error(err)
		}
	})
	return srv
}

// newServer describes svc served at url, with its clients.
func newServer(t *testing.T, svc *kitchen.Service, url string) *server {
	s := &server{t: t, svc: svc, url: url, anon: client.New(url),
		staff: client.New(url, client.Header("X-Staff-Key", staffKey))}
	s.demo = s.as(token)
	return s
}

// response is a response read whole.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request, its body JSON; headers are name, value pairs.
func (s *server) do(method, path, body string, headers ...string) response {
	s.t.Helper()
	return s.doType(method, path, "application/json", body, headers...)
}

// doType sends a request whose body is of media type ct.
func (s *server) doType(method, path, ct, body string, headers ...string) response {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.url+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", ct)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return response{res.StatusCode, res.Header, b}
}

// want fails the test unless r has status; it decodes the body into v
// when v is not nil.
func (r response) want(t *testing.T, status int, v any) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("got %d, want %d: %s", r.status, status, r.body)
	}
	if v != nil {
		if err := json.Unmarshal(r.body, v); err != nil {
			t.Fatalf("decoding %s: %v", r.body, err)
		}
	}
	return r
}

// problem is the part of a problem the tests look at.
type problem struct {
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Pointer   string `json:"pointer"`
		Parameter string `json:"parameter"`
		Code      string `json:"code"`
	} `json:"errors"`
}

// wantProblem fails unless r is a problem with status.
func (r response) wantProblem(t *testing.T, status int) problem {
	t.Helper()
	var p problem
	r.want(t, status, &p)
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json", ct)
	}
	return p
}

func bearer(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

func staff() []string { return []string{"X-Staff-Key", staffKey} }

// waitFor polls cond until it holds, failing after a deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// newUnstarted serves svc without starting it.
func newUnstarted(t *testing.T, svc *kitchen.Service) *server {
	srv := httptest.NewServer(svc.API())
	t.Cleanup(srv.Close)
	return newServer(t, svc, srv.URL)
}
