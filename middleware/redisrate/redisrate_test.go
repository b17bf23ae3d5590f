package redisrate_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/roux-go/roux/middleware"
	"github.com/roux-go/roux/middleware/redisrate"
)

// client connects to the Redis of ROUX_REDIS_URL (.ci/redis.sh starts
// one). Without it the test is skipped, unless CI is set: CI must run it.
func client(t testing.TB) *redis.Client {
	t.Helper()
	url := os.Getenv("ROUX_REDIS_URL")
	if url == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("ROUX_REDIS_URL is not set: CI must start Redis (.ci/redis.sh)")
		}
		t.Skip("ROUX_REDIS_URL is not set; export ROUX_REDIS_URL=$(bash .ci/redis.sh)")
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	if err := c.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("redis at %s: %v", url, err)
	}
	return c
}

// prefix keeps each test's keys apart from every other run's.
func prefix(t testing.TB) string {
	return fmt.Sprintf("roux-test:%s:%s:", t.Name(), rand.Text()[:8])
}

var ok = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })

// Two instances of a service, each with its own limiter and its own
// connection, hold one limit together.
func TestTwoInstancesShareOneLimit(t *testing.T) {
	t.Parallel()
	p := prefix(t)
	var urls []string
	for range 2 {
		lim := middleware.NewRateLimiter(5, time.Minute, middleware.PolicyName("orders"),
			middleware.KeyBy(middleware.KeyByHeader("X-API-Key")), middleware.Store(redisrate.New(client(t), p)))
		srv := httptest.NewServer(lim.Wrap(ok))
		t.Cleanup(srv.Close)
		urls = append(urls, srv.URL)
	}
	type answer struct {
		Status    int
		RateLimit string
	}
	var got []answer
	for i := range 8 {
		req, _ := http.NewRequest("GET", urls[i%2], nil)
		req.Header.Set("X-API-Key", "customer-1")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		got = append(got, answer{res.StatusCode, res.Header.Get("RateLimit")})
	}
	// One request comes back every 12s.
	want := []answer{
		{200, `"orders";r=4;t=12`}, {200, `"orders";r=3;t=24`}, {200, `"orders";r=2;t=36`},
		{200, `"orders";r=1;t=48`}, {200, `"orders";r=0;t=60`},
		{429, `"orders";r=0;t=60`}, {429, `"orders";r=0;t=60`}, {429, `"orders";r=0;t=60`},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answers, alternating between the instances (-want +got):\n%s", diff)
	}
}

// Under concurrent requests through two stores, exactly Limit pass.
func TestConcurrentTakes(t *testing.T) {
	t.Parallel()
	p := prefix(t)
	stores := []*redisrate.Store{redisrate.New(client(t), p), redisrate.New(client(t), p)}
	q := middleware.RateQuota{Limit: 50, Window: time.Hour}
	var allowed, refused atomic.Int64
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 25 {
				r, err := stores[i%2].Take(context.Background(), []byte("k"), q)
				if err != nil {
					t.Error(err)
					return
				}
				if r.Allowed {
					allowed.Add(1)
				} else {
					refused.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if allowed.Load() != 50 || refused.Load() != 150 {
		t.Errorf("got %d allowed and %d refused, want 50 and 150", allowed.Load(), refused.Load())
	}
}

// What Take reports, and that a spent budget comes back at its rate.
func TestTakeRefills(t *testing.T) {
	t.Parallel()
	c := client(t)
	p := prefix(t)
	s := redisrate.New(c, p)
	q := middleware.RateQuota{Limit: 2, Window: time.Second} // one request back every 500ms
	take := func() middleware.RateResult {
		t.Helper()
		r, err := s.Take(context.Background(), []byte("k"), q)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	// Times are measured on Redis's clock a few milliseconds apart:
	// compare them to within 100ms.
	approx := cmp.Comparer(func(a, b time.Duration) bool { return (a - b).Abs() < 100*time.Millisecond })
	start := time.Now()
	got := []middleware.RateResult{take(), take(), take()}
	want := []middleware.RateResult{
		{Allowed: true, Remaining: 1, Reset: 500 * time.Millisecond},
		{Allowed: true, Remaining: 0, Reset: time.Second},
		{Allowed: false, Remaining: 0, Reset: time.Second, RetryAfter: 500 * time.Millisecond},
	}
	if elapsed := time.Since(start); elapsed < 100*time.Millisecond {
		if diff := cmp.Diff(want, got, approx); diff != "" {
			t.Errorf("results (-want +got):\n%s", diff)
		}
	}
	// The key lives only until the bucket is full again.
	if ttl := c.PTTL(context.Background(), p+"k").Val(); ttl <= 0 || ttl > time.Second {
		t.Errorf("got a TTL of %v, want one of at most the window", ttl)
	}
	deadline := time.Now().Add(3 * time.Second)
	for !take().Allowed {
		if time.Now().After(deadline) {
			t.Fatal("the budget did not come back within 3s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if waited := time.Since(start); waited < 400*time.Millisecond {
		t.Errorf("a request came back after %v, want about 500ms", waited)
	}
}

// Peek reports the budget as Take leaves it, and spends nothing.
func TestPeek(t *testing.T) {
	t.Parallel()
	s := redisrate.New(client(t), prefix(t))
	q := middleware.RateQuota{Limit: 3, Window: time.Hour} // 20 minutes a request
	ctx := context.Background()
	var got []string
	for _, op := range []string{"peek", "take", "peek", "peek", "take", "take", "peek", "take"} {
		f := s.Take
		if op == "peek" {
			f = s.Peek
		}
		r, err := f(ctx, []byte("k"), q)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %v r=%d t=%v retry=%v", op, r.Allowed, r.Remaining, r.Reset.Round(time.Minute), r.RetryAfter.Round(time.Minute)))
	}
	want := []string{
		"peek true r=3 t=0s retry=0s",
		"take true r=2 t=20m0s retry=0s",
		"peek true r=2 t=20m0s retry=0s",
		"peek true r=2 t=20m0s retry=0s",
		"take true r=1 t=40m0s retry=0s",
		"take true r=0 t=1h0m0s retry=0s",
		"peek false r=0 t=1h0m0s retry=20m0s",
		"take false r=0 t=1h0m0s retry=20m0s",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
}

func TestKeysExpire(t *testing.T) {
	t.Parallel()
	c := client(t)
	p := prefix(t)
	s := redisrate.New(c, p)
	if _, err := s.Take(context.Background(), []byte("k"), middleware.RateQuota{Limit: 10, Window: time.Minute}); err != nil {
		t.Fatal(err)
	}
	// One of ten spent: full again in 6s, and the key with it.
	ttl, err := c.PTTL(context.Background(), p+"k").Result()
	if err != nil {
		t.Fatal(err)
	}
	if ttl <= 5*time.Second || ttl > 6*time.Second {
		t.Errorf("got a TTL of %v, want 6s (one request's worth of the window)", ttl)
	}
}

// A Redis that does not answer is an error, which the limiter handles.
func TestRedisDown(t *testing.T) {
	t.Parallel()
	ln := httptest.NewUnstartedServer(nil).Listener // a port nothing serves Redis on
	addr := ln.Addr().String()
	ln.Close()
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: time.Second})
	defer c.Close()
	_, err := redisrate.New(c, "").Take(context.Background(), []byte("k"), middleware.RateQuota{Limit: 1, Window: time.Second})
	if err == nil {
		t.Fatal("Take against a closed port succeeded")
	}
}

func BenchmarkTake(b *testing.B) {
	s := redisrate.New(client(b), prefix(b))
	q := middleware.RateQuota{Limit: 1 << 30, Window: time.Hour}
	key := []byte("k")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Take(context.Background(), key, q); err != nil {
			b.Fatal(err)
		}
	}
}
