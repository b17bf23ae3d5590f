package middleware_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/middleware"
	"github.com/roux-go/roux/openapi"
)

var okHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })

// rateHeaders is what a response says about the limit.
type rateHeaders struct {
	Status                       int
	Policy, State, RetryAfter    string
	ProblemStatus, ProblemDetail string
}

func rateHeadersOf(t *testing.T, res *http.Response, body []byte) rateHeaders {
	t.Helper()
	h := rateHeaders{Status: res.StatusCode, Policy: res.Header.Get("RateLimit-Policy"),
		State: res.Header.Get("RateLimit"), RetryAfter: res.Header.Get("Retry-After")}
	if res.StatusCode != http.StatusOK {
		h.ProblemStatus = fmt.Sprint(problemStatus(t, res, body))
		var p struct{ Detail string }
		json.Unmarshal(body, &p)
		h.ProblemDetail = p.Detail
	}
	return h
}

func TestRateLimitOverLoopback(t *testing.T) {
	t.Parallel()
	lim := middleware.NewRateLimiter(3, time.Minute, middleware.PolicyName("api"),
		middleware.KeyBy(middleware.KeyByHeader("X-API-Key")))
	srv := serve(t, lim.Wrap(okHandler))
	const policy = `"api";q=3;w=60`
	var got []rateHeaders
	for _, key := range []string{"a", "a", "a", "a", "b", ""} {
		var hs []string
		if key != "" {
			hs = []string{"X-API-Key", key}
		}
		res, body := get(t, srv.URL, hs...)
		got = append(got, rateHeadersOf(t, res, body))
	}
	// One token comes back every 20s: t counts the seconds until all are back.
	want := []rateHeaders{
		{Status: 200, Policy: policy, State: `"api";r=2;t=20`},
		{Status: 200, Policy: policy, State: `"api";r=1;t=40`},
		{Status: 200, Policy: policy, State: `"api";r=0;t=60`},
		{Status: 429, Policy: policy, State: `"api";r=0;t=60`, RetryAfter: "20", ProblemStatus: "429",
			ProblemDetail: "this client made more than 3 requests in 60 seconds; retry in 20 seconds"},
		{Status: 200, Policy: policy, State: `"api";r=2;t=20`}, // another key, another budget
		{Status: 200}, // no key: not limited, nothing said
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("responses (-want +got):\n%s", diff)
	}
}

// The budget refills continuously: one request back every Window/Limit.
func TestRateLimitRefills(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		h := middleware.RateLimit(2, 10*time.Second)(okHandler)
		send := func() string {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
			return fmt.Sprintf("%d %s %s", rec.Code, rec.Header().Get("RateLimit"), rec.Header().Get("Retry-After"))
		}
		var got []string
		for _, wait := range []time.Duration{0, 0, 0, 4 * time.Second, time.Second, 0, 10 * time.Second} {
			time.Sleep(wait)
			got = append(got, send())
		}
		want := []string{
			`200 "default";r=1;t=5 `,
			`200 "default";r=0;t=10 `,
			`429 "default";r=0;t=10 5`,
			`429 "default";r=0;t=6 1`, // 4s on: 0.8 of a token back
			`200 "default";r=0;t=10 `, // 5s on: one token, spent at once
			`429 "default";r=0;t=10 5`,
			`200 "default";r=1;t=5 `, // 10s on: full, then one spent
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("responses (-want +got):\n%s", diff)
		}
	})
}

// With CountOnly, only failed logins spend the budget: a client is refused
// once it has failed Limit times, whatever its successes.
func TestRateLimitCountsFailures(t *testing.T) {
	t.Parallel()
	lim := middleware.NewRateLimiter(2, time.Minute, middleware.PolicyName("logins"),
		middleware.CountOnly(func(status int) bool { return status == http.StatusUnauthorized }))
	srv := serve(t, lim.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Basic good" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		io.WriteString(w, "ok")
	})))
	var got []string
	for _, auth := range []string{"good", "good", "good", "bad", "good", "bad", "good", "bad"} {
		res, _ := get(t, srv.URL, "Authorization", "Basic "+auth)
		got = append(got, fmt.Sprintf("%s %d %s", auth, res.StatusCode, res.Header.Get("RateLimit")))
	}
	want := []string{
		`good 200 "logins";r=2;t=0`,
		`good 200 "logins";r=2;t=0`,
		`good 200 "logins";r=2;t=0`,
		`bad 401 "logins";r=2;t=0`, // said before the failure spent one
		`good 200 "logins";r=1;t=30`,
		`bad 401 "logins";r=1;t=30`,
		`good 429 "logins";r=0;t=60`, // two failures: refused, even with the right password
		`bad 429 "logins";r=0;t=60`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
	if n := lim.Limited(); n != 2 {
		t.Errorf("Limited: %d, want the 2 requests refused with 429", n)
	}
}

// Under concurrent requests of one client, exactly Limit pass, and the
// limiter counts the others.
func TestRateLimitConcurrent(t *testing.T) {
	t.Parallel()
	lim := middleware.NewRateLimiter(50, time.Hour)
	h := lim.Wrap(okHandler)
	var passed, refused atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 25 {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
				switch rec.Code {
				case 200:
					passed.Add(1)
				case 429:
					refused.Add(1)
				default:
					t.Errorf("got status %d", rec.Code)
				}
			}
		})
	}
	wg.Wait()
	if passed.Load() != 50 || refused.Load() != 150 {
		t.Errorf("got %d passed and %d refused, want 50 and 150", passed.Load(), refused.Load())
	}
	if n := lim.Limited(); n != refused.Load() {
		t.Errorf("Limited: %d, want the %d refused", n, refused.Load())
	}
}

func TestKeyByClientIP(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name       string
		remote     string
		trusted    []string
		xff        string
		want       string
		wantLimits bool
	}{
		{"ipv4 peer", "203.0.113.9:4000", nil, "", "203.0.113.9", true},
		{"ipv6 peer: its /64", "[2001:db8:1:2:aaaa::1]:4000", nil, "", "2001:db8:1:2::/64", true},
		{"ipv4-mapped ipv6", "[::ffff:203.0.113.9]:4000", nil, "", "203.0.113.9", true},
		{"zone dropped", "[fe80::1%eth0]:4000", nil, "", "fe80::/64", true},
		{"behind a trusted proxy", "10.0.0.2:4000", []string{"10.0.0.0/8"}, "198.51.100.7", "198.51.100.7", true},
		{"forwarded header from an untrusted peer ignored", "203.0.113.9:4000", []string{"10.0.0.0/8"}, "198.51.100.7", "203.0.113.9", true},
		{"no address", "@unix", nil, "", "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var key string
			var ok bool
			h := middleware.ClientIP(tt.trusted...)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var b []byte
				b, ok = middleware.KeyByClientIP([]byte("p:"), r)
				key = string(b)
			}))
			req := httptest.NewRequest("GET", "/", nil)
			req.RemoteAddr = tt.remote
			if tt.xff != "" {
				req.Header.Set("X-Forwarded-For", tt.xff)
			}
			h.ServeHTTP(httptest.NewRecorder(), req)
			want := "p:" + tt.want
			if ok != tt.wantLimits || ok && key != want {
				t.Errorf("got %q, %v, want %q, %v", key, ok, want, tt.wantLimits)
			}
		})
	}
}

// recordingStore keeps the keys a real MemoryRateStore is asked about.
type recordingStore struct {
	*middleware.MemoryRateStore
	mu   sync.Mutex
	keys []string
}

func (s *recordingStore) Take(ctx context.Context, key []byte, q middleware.RateQuota) (middleware.RateResult, error) {
	s.mu.Lock()
	s.keys = append(s.keys, string(key))
	s.mu.Unlock()
	return s.MemoryRateStore.Take(ctx, key, q)
}

// A credential is hashed before it becomes a key: the store never sees it.
func TestKeyByHeaderHashes(t *testing.T) {
	t.Parallel()
	store := &recordingStore{MemoryRateStore: middleware.NewMemoryRateStore(0)}
	h := middleware.RateLimit(5, time.Minute, middleware.PolicyName("keys"), middleware.Store(store),
		middleware.KeyBy(middleware.KeyByHeader("authorization")))(okHandler)
	const secret = "Bearer s3cret-token-of-some-length-well-over-thirty-two-bytes"
	for range 2 {
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Authorization", secret)
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	sum := sha256.Sum256([]byte(secret))
	want := "keys:" + hex.EncodeToString(sum[:16])
	if diff := cmp.Diff([]string{want, want}, store.keys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	for _, k := range store.keys {
		if strings.Contains(k, "s3cret") {
			t.Errorf("key %q holds the secret", k)
		}
	}
}

type failingStore struct{}

func (failingStore) Take(context.Context, []byte, middleware.RateQuota) (middleware.RateResult, error) {
	return middleware.RateResult{}, errors.New("connection refused")
}

func (failingStore) Peek(context.Context, []byte, middleware.RateQuota) (middleware.RateResult, error) {
	return middleware.RateResult{}, errors.New("connection refused")
}

func TestRateLimitStoreFailure(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		opts []middleware.RateLimitOption
		want rateHeaders
	}{
		{"open: the request goes ahead", nil, rateHeaders{Status: 200}},
		{"closed: 503", []middleware.RateLimitOption{middleware.FailClosed()}, rateHeaders{Status: 503, RetryAfter: "1", ProblemStatus: "503",
			ProblemDetail: "the rate limit cannot be checked now; retry later"}},
		{"closed: 503 with RetryAfter", []middleware.RateLimitOption{middleware.FailClosed(), middleware.RetryAfter(3 * time.Second)},
			rateHeaders{Status: 503, RetryAfter: "3", ProblemStatus: "503", ProblemDetail: "the rate limit cannot be checked now; retry later"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs syncBuffer
			opts := append([]middleware.RateLimitOption{middleware.Store(failingStore{}),
				middleware.Logger(slog.New(slog.NewTextHandler(&logs, nil)))}, tt.opts...)
			lim := middleware.NewRateLimiter(1, time.Minute, opts...)
			srv := serve(t, lim.Wrap(okHandler))
			for range 3 {
				res, body := get(t, srv.URL)
				if diff := cmp.Diff(tt.want, rateHeadersOf(t, res, body)); diff != "" {
					t.Errorf("response (-want +got):\n%s", diff)
				}
			}
			// What the limiter sends is what it documents: the 503 of a
			// failed store only when it fails closed, with Retry-After.
			doc := lim.Responses()["503"]
			if got, want := doc != nil, tt.want.Status == 503; got != want {
				t.Errorf("503 documented: %v, sent: %v", got, want)
			} else if doc != nil && (doc.Headers["Retry-After"] == nil || !doc.Headers["Retry-After"].Required) {
				t.Errorf("the documented 503 has no required Retry-After: %+v", doc.Headers)
			}
			if n := lim.Limited(); n != 0 {
				t.Errorf("Limited: %d after the store failed, want 0: nobody was over a limit", n)
			}
			if n := strings.Count(logs.String(), "connection refused"); n != 1 {
				t.Errorf("logged the failure %d times in under a second, want once:\n%s", n, logs.String())
			}
		})
	}
}

// The store holds at most its keys, and drops the budgets that are full again.
func TestMemoryRateStoreBounded(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		q := middleware.RateQuota{Limit: 2, Window: time.Minute}
		take := func(s *middleware.MemoryRateStore, keys int, prefix string) {
			for i := range keys {
				if _, err := s.Take(context.Background(), fmt.Appendf(nil, "%s%d", prefix, i), q); err != nil {
					t.Fatal(err)
				}
			}
		}
		capped := middleware.NewMemoryRateStore(64)
		take(capped, 10_000, "flood")
		if n := capped.Len(); n > 64 || n < 32 {
			t.Errorf("a store of 64 keys holds %d after 10,000", n)
		}

		s := middleware.NewMemoryRateStore(0)
		take(s, 1000, "old")
		time.Sleep(50 * time.Second)
		take(s, 1000, "new")
		if n := s.Len(); n != 2000 {
			t.Errorf("got %d keys, want 2000 (no sweep yet)", n)
		}
		// A spent token comes back in 30s: at 70s the old budgets are
		// full again, the new ones not yet, and a minute has passed since
		// the last sweep.
		time.Sleep(20 * time.Second)
		take(s, 1000, "newer") // touches every shard: each sweeps
		if n := s.Len(); n != 2000 {
			t.Errorf("got %d keys, want 2000 (the 1000 old ones dropped)", n)
		}
	})
}

// Rate limiting a roux API: the 429 is a problem like roux's own.
func TestRateLimitWithRoux(t *testing.T) {
	t.Parallel()
	api := roux.New(roux.Config{})
	api.Use(middleware.RateLimit(1, time.Minute))
	roux.Get(api, "/hello", func(ctx context.Context, in *struct{}) (*string, error) {
		s := "hi"
		return &s, nil
	})
	srv := serve(t, api)
	var got []int
	for range 2 {
		res, body := get(t, srv.URL+"/hello")
		if res.StatusCode != 200 {
			got = append(got, problemStatus(t, res, body))
		} else {
			got = append(got, 200)
		}
	}
	if diff := cmp.Diff([]int{200, 429}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

func TestRateLimitDocumented(t *testing.T) {
	t.Parallel()
	lim := middleware.NewRateLimiter(10, time.Minute)
	resp := lim.Responses()["429"]
	if resp == nil || resp.Content != nil {
		t.Fatalf("got 429 response %+v, want one with no content (roux publishes its problem)", resp)
	}
	type hdr struct {
		Name     string
		Required bool
		Type     string
	}
	list := func(m map[string]*openapi.Header) (l []hdr) {
		for _, name := range []string{"RateLimit", "RateLimit-Policy", "Retry-After"} {
			if h := m[name]; h != nil {
				l = append(l, hdr{name, h.Required, h.Schema.Type[0]})
			}
		}
		return l
	}
	if diff := cmp.Diff([]hdr{{"RateLimit", false, "string"}, {"RateLimit-Policy", false, "string"}, {"Retry-After", true, "string"}}, list(resp.Headers)); diff != "" {
		t.Errorf("429 headers (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]hdr{{"RateLimit", false, "string"}, {"RateLimit-Policy", false, "string"}}, list(lim.Headers())); diff != "" {
		t.Errorf("success headers (-want +got):\n%s", diff)
	}
	quiet := middleware.NewRateLimiter(10, time.Minute, middleware.NoSuccessHeaders())
	if n := len(quiet.Headers()); n != 0 {
		t.Errorf("NoSuccessHeaders: got %d headers documented on every response, want 0", n)
	}
}

func TestNewRateLimiterPanics(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		limit  int
		window time.Duration
		opts   []middleware.RateLimitOption
		want   string
	}{
		{"no limit", 0, time.Minute, nil, "limit 0"},
		{"no window", 1, 0, nil, "window 0s"},
		{"fractional window", 1, 1500 * time.Millisecond, nil, "whole number of seconds"},
		{"short window", 1, time.Millisecond, nil, "whole number of seconds"},
		{"quote in name", 1, time.Minute, []middleware.RateLimitOption{middleware.PolicyName(`a"b`)}, "letters, digits"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if r := fmt.Sprint(recover()); !strings.Contains(r, tt.want) {
					t.Errorf("got panic %q, want one saying %q", r, tt.want)
				}
			}()
			middleware.NewRateLimiter(tt.limit, tt.window, tt.opts...)
		})
	}
}

// discardWriter is a ResponseWriter that keeps nothing but its header map.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

func TestRateLimitAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector drops sync.Pool items at random")
	}
	for _, tt := range []struct {
		name string
		opts []middleware.RateLimitOption
		want float64
	}{
		{"by IP, no success headers", []middleware.RateLimitOption{middleware.NoSuccessHeaders()}, 0},
		{"by header, no success headers", []middleware.RateLimitOption{middleware.NoSuccessHeaders(), middleware.KeyBy(middleware.KeyByHeader("X-API-Key"))}, 0},
		{"by IP, with success headers", nil, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := middleware.RateLimit(1<<30, time.Minute, tt.opts...)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			req := httptest.NewRequest("GET", "/", nil)
			req.Header.Set("X-API-Key", "k-0123456789abcdef0123456789abcdef0123456789")
			w := &discardWriter{h: http.Header{}}
			h.ServeHTTP(w, req) // the first request of a key makes its bucket
			if got := testing.AllocsPerRun(1000, func() {
				clear(w.h)
				h.ServeHTTP(w, req)
			}); got != tt.want {
				t.Errorf("got %v allocations per allowed request, want %v", got, tt.want)
			}
		})
	}
}

func BenchmarkRateLimit(b *testing.B) {
	for _, bb := range []struct {
		name  string
		opts  []middleware.RateLimitOption
		limit int
	}{
		{"allowed/by-ip", []middleware.RateLimitOption{middleware.NoSuccessHeaders()}, 1 << 30},
		{"allowed/by-ip/headers", nil, 1 << 30},
		{"allowed/by-header", []middleware.RateLimitOption{middleware.NoSuccessHeaders(), middleware.KeyBy(middleware.KeyByHeader("X-API-Key"))}, 1 << 30},
		{"denied/by-ip", nil, 1},
	} {
		b.Run(bb.name, func(b *testing.B) {
			h := middleware.RateLimit(bb.limit, time.Hour, bb.opts...)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			req := httptest.NewRequest("GET", "/", nil)
			req.Header.Set("X-API-Key", "k-0123456789abcdef")
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				h.ServeHTTP(w, req)
			}
		})
	}
	// Many clients at once, each with its own address.
	b.Run("allowed/by-ip/parallel", func(b *testing.B) {
		h := middleware.RateLimit(1<<30, time.Minute, middleware.NoSuccessHeaders())(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		var next atomic.Int32
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			req := httptest.NewRequest("GET", "/", nil)
			req.RemoteAddr = fmt.Sprintf("192.0.2.%d:1234", next.Add(1))
			w := &discardWriter{h: http.Header{}}
			for pb.Next() {
				clear(w.h)
				h.ServeHTTP(w, req)
			}
		})
	})
}
