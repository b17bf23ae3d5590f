package roux_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/rouxtest"
	"github.com/roux-go/roux/sse"
)

type idemOrder struct {
	Dish string `json:"dish" minLength:"1"`
	Qty  int    `json:"qty" minimum:"1"`
}

type idemEvents struct {
	Done *idemOrder `event:"done"`
}

type idemPlaceInput struct {
	Body idemOrder
}

type idemPlaced struct {
	Location string `header:"Location"`
	Body     struct {
		ID   int    `json:"id"`
		Dish string `json:"dish"`
		Key  string `json:"key,omitempty"`
	}
}

// idemService is an API with an idempotent POST /orders over loopback,
// whose handler counts its runs and answers as answer says.
type idemService struct {
	url    string
	runs   atomic.Int64
	answer func(ctx context.Context, n int64, in *idemPlaceInput) (*idemPlaced, error)
	doc    *roux.API
}

func newIdemService(t *testing.T, store roux.IdempotencyStore, ttl time.Duration, opts ...roux.Option) *idemService {
	t.Helper()
	s := &idemService{}
	s.answer = func(ctx context.Context, n int64, in *idemPlaceInput) (*idemPlaced, error) {
		out := &idemPlaced{Location: "/orders/" + strconv.FormatInt(n, 10)}
		out.Body.ID, out.Body.Dish = int(n), in.Body.Dish
		out.Body.Key, _ = roux.IdempotencyKeyFrom(ctx)
		return out, nil
	}
	api := roux.New(roux.Config{CheckResponses: true, Logger: slog.New(slog.DiscardHandler)})
	roux.Post(api, "/orders", func(ctx context.Context, in *idemPlaceInput) (*idemPlaced, error) {
		return s.answer(ctx, s.runs.Add(1), in)
	}, append([]roux.Option{roux.Status(http.StatusCreated), roux.Idempotent(store, ttl),
		roux.Response(http.StatusNotFound, "No such dish", nil), roux.Response(http.StatusTooManyRequests, "Busy", nil),
		roux.Response(http.StatusConflict, "No such dish in stock", nil)}, opts...)...)
	roux.Post(api, "/carts", func(ctx context.Context, in *idemPlaceInput) (*idemPlaced, error) {
		return s.answer(ctx, s.runs.Add(1), in)
	}, roux.Status(http.StatusCreated), roux.Idempotent(store, ttl))
	rouxtest.New(t, api) // leaves the document for CI's kin-openapi check
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	s.url, s.doc = srv.URL, api
	return s
}

type idemAnswer struct {
	status   int
	header   http.Header
	body     string
	problem  string // the problem's type
	replayed bool
}

// idemPost sends body to path with the Idempotency-Key key (none when "") and
// the given extra headers, name/value pairs.
func idemPost(t *testing.T, url, path, key, body string, hdr ...string) idemAnswer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set(roux.IdempotencyKeyHeader, key)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Add(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	a := idemAnswer{status: res.StatusCode, header: res.Header, body: string(b), replayed: res.Header.Get(roux.IdempotentReplayedHeader) == "true"}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") {
		var p struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		a.problem = p.Type
		if p.Type == roux.ResponseViolationType {
			t.Fatalf("the response breaks the document: %s", b)
		}
	}
	return a
}

func TestIdempotentReplay(t *testing.T) {
	t.Parallel()
	s := newIdemService(t, roux.NewMemoryIdempotencyStore(0), time.Hour)
	first := idemPost(t, s.url, "/orders", `"k-1"`, `{"dish":"soup","qty":1}`)
	if first.status != http.StatusCreated || first.replayed {
		t.Fatalf("first: got %d (replayed %v) %s, want 201 not replayed", first.status, first.replayed, first.body)
	}
	for _, key := range []string{`"k-1"`, `k-1`, ` "k-1" `} { // the same key, as a string or bare
		again := idemPost(t, s.url, "/orders", key, `{"dish":"soup","qty":1}`)
		if !again.replayed || again.status != first.status || again.body != first.body {
			t.Errorf("retry with %s: got %d (replayed %v) %s, want %d replayed %s", key, again.status, again.replayed, again.body, first.status, first.body)
		}
		for _, h := range []string{"Location", "Content-Type", "Content-Length"} {
			if got, want := again.header.Get(h), first.header.Get(h); got != want {
				t.Errorf("retry with %s: %s %q, want %q", key, h, got, want)
			}
		}
	}
	if n := s.runs.Load(); n != 1 {
		t.Errorf("the handler ran %d times, want 1", n)
	}
	// Without a key, or with another, every request runs.
	idemPost(t, s.url, "/orders", "", `{"dish":"soup","qty":1}`)
	idemPost(t, s.url, "/orders", "", `{"dish":"soup","qty":1}`)
	if other := idemPost(t, s.url, "/orders", `"k-2"`, `{"dish":"soup","qty":1}`); other.replayed || other.status != http.StatusCreated {
		t.Errorf("another key: got %d (replayed %v)", other.status, other.replayed)
	}
	if n := s.runs.Load(); n != 4 {
		t.Errorf("the handler ran %d times, want 4", n)
	}
}

func TestIdempotentOtherRequest(t *testing.T) {
	t.Parallel()
	s := newIdemService(t, roux.NewMemoryIdempotencyStore(0), time.Hour)
	if a := idemPost(t, s.url, "/orders", `"k"`, `{"dish":"soup","qty":1}`); a.status != http.StatusCreated {
		t.Fatalf("first: got %d %s", a.status, a.body)
	}
	for _, tt := range []struct {
		name, path, body string
	}{
		{"another body", "/orders", `{"dish":"soup","qty":2}`},
		{"the same body, spelled otherwise", "/orders", `{"qty":1,"dish":"soup"}`},
		{"another query", "/orders?x=1", `{"dish":"soup","qty":1}`},
		{"another operation", "/carts", `{"dish":"soup","qty":1}`},
	} {
		a := idemPost(t, s.url, tt.path, `"k"`, tt.body)
		if a.status != http.StatusUnprocessableEntity || a.problem != roux.IdempotencyKeyReusedType {
			t.Errorf("%s: got %d %s, want 422 of type %s", tt.name, a.status, a.body, roux.IdempotencyKeyReusedType)
		}
	}
	// An invalid body with a used key is invalid first.
	if a := idemPost(t, s.url, "/orders", `"k"`, `{"dish":"","qty":1}`); a.status != http.StatusUnprocessableEntity || a.problem == roux.IdempotencyKeyReusedType {
		t.Errorf("invalid body: got %d %s, want the validation's 422", a.status, a.body)
	}
	if n := s.runs.Load(); n != 1 {
		t.Errorf("the handler ran %d times, want 1", n)
	}
}

func TestIdempotentConcurrentRetry(t *testing.T) {
	t.Parallel()
	s := newIdemService(t, roux.NewMemoryIdempotencyStore(0), time.Hour)
	entered, release := make(chan struct{}), make(chan struct{})
	plain := s.answer
	s.answer = func(ctx context.Context, n int64, in *idemPlaceInput) (*idemPlaced, error) {
		if n == 1 {
			close(entered)
			<-release
		}
		return plain(ctx, n, in)
	}
	firstDone := make(chan idemAnswer)
	go func() { firstDone <- idemPost(t, s.url, "/orders", `"slow"`, `{"dish":"stew","qty":1}`) }()
	<-entered
	busy := idemPost(t, s.url, "/orders", `"slow"`, `{"dish":"stew","qty":1}`)
	if busy.status != http.StatusConflict || busy.problem != roux.IdempotencyKeyInUseType || busy.header.Get("Retry-After") == "" {
		t.Errorf("retry while running: got %d %v %s, want 409 of type %s with Retry-After", busy.status, busy.header, busy.body, roux.IdempotencyKeyInUseType)
	}
	// Another body with the running key is refused as such.
	if a := idemPost(t, s.url, "/orders", `"slow"`, `{"dish":"pie","qty":1}`); a.status != http.StatusUnprocessableEntity {
		t.Errorf("other body while running: got %d, want 422", a.status)
	}
	close(release)
	first := <-firstDone
	if first.status != http.StatusCreated {
		t.Fatalf("first: got %d %s", first.status, first.body)
	}
	if again := idemPost(t, s.url, "/orders", `"slow"`, `{"dish":"stew","qty":1}`); !again.replayed || again.body != first.body {
		t.Errorf("retry after: got %d (replayed %v) %s, want the first answer", again.status, again.replayed, again.body)
	}
	if n := s.runs.Load(); n != 1 {
		t.Errorf("the handler ran %d times, want 1", n)
	}
}

func TestIdempotentExpiry(t *testing.T) {
	t.Parallel()
	s := newIdemService(t, roux.NewMemoryIdempotencyStore(0), 200*time.Millisecond)
	if a := idemPost(t, s.url, "/orders", `"k"`, `{"dish":"soup","qty":1}`); a.status != http.StatusCreated {
		t.Fatalf("first: got %d", a.status)
	}
	// Replayed until the answer lapses, then run again.
	for deadline := time.Now().Add(10 * time.Second); ; {
		a := idemPost(t, s.url, "/orders", `"k"`, `{"dish":"soup","qty":1}`)
		if !a.replayed {
			if a.status != http.StatusCreated || !strings.Contains(a.body, `"id":2`) {
				t.Fatalf("after the ttl: got %d %s, want a second run", a.status, a.body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the answer is still replayed 10s after a ttl of 200ms")
		}
		time.Sleep(50 * time.Millisecond) // polling for the lapse, not ordering
	}
}

func TestIdempotentPrincipals(t *testing.T) {
	t.Parallel()
	store := roux.NewMemoryIdempotencyStore(0)
	auth := roux.APIKeyAuth("key", roux.InHeader, "X-API-Key", func(_ context.Context, key string) (string, error) {
		if key != "alice-key" && key != "bob-key" {
			return "", roux.ErrUnauthorized
		}
		return strings.TrimSuffix(key, "-key"), nil
	})
	api := roux.New(roux.Config{CheckResponses: true, Logger: slog.New(slog.DiscardHandler)})
	var runs atomic.Int64
	roux.RegisterWith(api, http.MethodPost, "/orders", func(ctx context.Context, in *idemPlaceInput, s *struct {
		Who string `dep:""`
	}) (*idemPlaced, error) {
		out := &idemPlaced{Location: "/orders/" + strconv.FormatInt(runs.Add(1), 10)}
		out.Body.Dish = s.Who + ":" + in.Body.Dish
		out.Body.Key, _ = roux.IdempotencyKeyFrom(ctx)
		return out, nil
	}, roux.Status(http.StatusCreated), roux.Secure(auth), roux.Idempotent(store, time.Hour))
	rouxtest.New(t, api)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)

	body := `{"dish":"soup","qty":1}`
	alice := idemPost(t, srv.URL, "/orders", `"shared"`, body, "X-API-Key", "alice-key")
	bob := idemPost(t, srv.URL, "/orders", `"shared"`, body, "X-API-Key", "bob-key")
	if alice.replayed || bob.replayed || !strings.Contains(alice.body, "alice:soup") || !strings.Contains(bob.body, "bob:soup") {
		t.Fatalf("two clients, one key: got %s and %s, want a run each", alice.body, bob.body)
	}
	for _, tt := range []struct {
		key  string
		want string
	}{{"alice-key", alice.body}, {"bob-key", bob.body}} {
		if a := idemPost(t, srv.URL, "/orders", `"shared"`, body, "X-API-Key", tt.key); !a.replayed || a.body != tt.want {
			t.Errorf("retry as %s: got %s (replayed %v), want %s", tt.key, a.body, a.replayed, tt.want)
		}
	}
	// The scoped keys differ, and hold no credential.
	var ka, kb struct {
		Key string `json:"key"`
	}
	if err := errors.Join(json.Unmarshal([]byte(alice.body), &ka), json.Unmarshal([]byte(bob.body), &kb)); err != nil {
		t.Fatal(err)
	}
	if ka.Key == kb.Key || !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(ka.Key) {
		t.Errorf("scoped keys %q and %q: want two different hex SHA-256 hashes", ka.Key, kb.Key)
	}
	// No credentials: 401 before the key is looked at.
	if a := idemPost(t, srv.URL, "/orders", `"shared"`, body); a.status != http.StatusUnauthorized {
		t.Errorf("anonymous: got %d, want 401", a.status)
	}
	if n := runs.Load(); n != 2 {
		t.Errorf("the handler ran %d times, want 2", n)
	}
}

func TestIdempotentWhatIsStored(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		err    error // what the first run returns
		status int
		stored bool
	}{
		{"created", nil, http.StatusCreated, true},
		{"not found", roux.NewError(http.StatusNotFound, "no such dish"), http.StatusNotFound, true},
		{"the handler's own conflict", roux.NewError(http.StatusConflict, "out of stock"), http.StatusConflict, true},
		{"too many requests", roux.NewError(http.StatusTooManyRequests, "busy"), http.StatusTooManyRequests, false},
		{"unexpected error", errors.New("disk on fire"), http.StatusInternalServerError, false},
		{"unavailable", roux.NewError(http.StatusServiceUnavailable, "later").WithHeader("Retry-After", "5"), http.StatusServiceUnavailable, false},
		{"panic", nil, http.StatusInternalServerError, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newIdemService(t, roux.NewMemoryIdempotencyStore(0), time.Hour)
			plain := s.answer
			s.answer = func(ctx context.Context, n int64, in *idemPlaceInput) (*idemPlaced, error) {
				switch {
				case n > 1:
				case tt.name == "panic":
					panic("handler bug")
				case tt.err != nil:
					return nil, tt.err
				}
				return plain(ctx, n, in)
			}
			first := idemPost(t, s.url, "/orders", `"k"`, `{"dish":"soup","qty":1}`)
			if first.status != tt.status {
				t.Fatalf("first: got %d %s, want %d", first.status, first.body, tt.status)
			}
			again := idemPost(t, s.url, "/orders", `"k"`, `{"dish":"soup","qty":1}`)
			if again.replayed != tt.stored {
				t.Errorf("retry: replayed %v, want %v", again.replayed, tt.stored)
			}
			if tt.stored && (again.status != first.status || again.body != first.body) {
				t.Errorf("retry: got %d %s, want %d %s", again.status, again.body, first.status, first.body)
			}
			if !tt.stored && again.status != http.StatusCreated {
				t.Errorf("retry: got %d, want a second run's 201", again.status)
			}
		})
	}
}

func TestIdempotencyKeyMalformed(t *testing.T) {
	t.Parallel()
	s := newIdemService(t, roux.NewMemoryIdempotencyStore(0), time.Hour)
	for _, tt := range []struct {
		name   string
		values []string
	}{
		{"empty", []string{""}},
		{"empty string", []string{`""`}},
		{"two headers", []string{`"a"`, `"b"`}},
		{"a list", []string{`"a", "b"`}},
		{"unterminated", []string{`"abc`}},
		{"bad escape", []string{`"a\b"`}},
		{"space in bare key", []string{`a b`}},
		{"too long", []string{strings.Repeat("k", 256)}},
		{"not ASCII", []string{"\"cl\u00e9\""}},
	} {
		req, err := http.NewRequest(http.MethodPost, s.url+"/orders", strings.NewReader(`{"dish":"soup","qty":1}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header[roux.IdempotencyKeyHeader] = tt.values
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "Idempotency-Key") {
			t.Errorf("%s: got %d %s, want 400 naming the header", tt.name, res.StatusCode, b)
		}
	}
	if n := s.runs.Load(); n != 0 {
		t.Errorf("the handler ran %d times, want 0", n)
	}
}

func TestParseIdempotencyKey(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want string // "" for an error
	}{
		{`"8e03978e-40d5-43e8-bc93-6894a57f9324"`, "8e03978e-40d5-43e8-bc93-6894a57f9324"},
		{`8e03978e-40d5-43e8-bc93-6894a57f9324`, "8e03978e-40d5-43e8-bc93-6894a57f9324"},
		{` "a b" `, "a b"},
		{`"q\"\\"`, `q"\`},
		{`"a";p=1`, ""},
		{`"a"x`, ""},
		{"\"a\tb\"", ""},
		{`a"b`, ""},
		{`"` + strings.Repeat("x", 255) + `"`, strings.Repeat("x", 255)},
		{`"` + strings.Repeat("x", 256) + `"`, ""},
	} {
		got, err := roux.ParseIdempotencyKey([]string{tt.in})
		if (err == nil) != (tt.want != "") || got != tt.want {
			t.Errorf("ParseIdempotencyKey(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// publishedKeyPattern returns the pattern the document publishes for
// the Idempotency-Key header.
func publishedKeyPattern(t testing.TB) *regexp.Regexp {
	api := roux.New(roux.Config{})
	roux.Post(api, "/orders", func(ctx context.Context, in *struct{}) (*struct{}, error) { return &struct{}{}, nil },
		roux.Idempotent(roux.NewMemoryIdempotencyStore(10), time.Hour))
	for _, p := range api.OpenAPI().Paths["/orders"].Post.Parameters {
		if p.Name == roux.IdempotencyKeyHeader {
			return regexp.MustCompile(p.Schema.Pattern)
		}
	}
	t.Fatal("no Idempotency-Key parameter published")
	return nil
}

// TestIdempotencyKeyPattern: the pattern the document publishes accepts
// what ParseIdempotencyKey accepts, and nothing else (but the blanks
// around a header's value, which HTTP strips).
func TestIdempotencyKeyPattern(t *testing.T) {
	t.Parallel()
	re := publishedKeyPattern(t)
	for _, s := range []string{`"8e03978e"`, `8e03978e`, `"a b"`, `"q\"\\"`, `"a";p=1`, `"a"x`, `a"b`, `a,b`, `a b`, `""`, `"`, `"a\"`,
		`"a\b"`, `!#+-[]~`, strings.Repeat("x", 255), strings.Repeat("x", 256), `"` + strings.Repeat("x", 255) + `"`, `"` + strings.Repeat(`\"`, 255) + `"`,
		`"` + strings.Repeat("x", 256) + `"`, "\"a\x7fb\"", "\"é\""} {
		_, err := roux.ParseIdempotencyKey([]string{s})
		if re.MatchString(s) != (err == nil) {
			t.Errorf("%q: the pattern matches: %v; ParseIdempotencyKey: %v", s, re.MatchString(s), err)
		}
	}
}

func FuzzParseIdempotencyKey(f *testing.F) {
	for _, s := range []string{`"k"`, `k`, `"a\"b"`, `""`, `"`, `"a`, `a,b`, "\"\x80\"", `"a\`} {
		f.Add(s)
	}
	re := publishedKeyPattern(f)
	f.Fuzz(func(t *testing.T, s string) {
		key, err := roux.ParseIdempotencyKey([]string{s})
		if strings.Trim(s, " \t") == s && re.MatchString(s) != (err == nil) {
			t.Errorf("%q: the published pattern matches: %v; ParseIdempotencyKey: %v", s, re.MatchString(s), err)
		}
		if err != nil {
			if key != "" {
				t.Errorf("%q: a key %q beside the error %v", s, key, err)
			}
			return
		}
		if key == "" || len(key) > 255 {
			t.Errorf("%q: key %q of length %d", s, key, len(key))
		}
		for _, c := range []byte(key) {
			if c < 0x20 || c > 0x7e {
				t.Fatalf("%q: key %q has the byte %#x", s, key, c)
			}
		}
		// The key, sent as a Structured Field string, parses back.
		quoted := `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(key) + `"`
		if again, err := roux.ParseIdempotencyKey([]string{quoted}); err != nil || again != key {
			t.Errorf("%q: key %q sent as %s parses as %q, %v", s, key, quoted, again, err)
		}
	})
}

// failingStore is a store whose Update and Release can be made to fail
// (or hang), as a crashed instance leaves its claims, and which counts
// lease renewals.
type failingStore struct {
	*roux.MemoryIdempotencyStore
	drop     bool // Update and Release do nothing
	claimErr error
	renewals atomic.Int64
}

func (f *failingStore) Claim(ctx context.Context, key string, e *roux.IdempotencyEntry) (*roux.IdempotencyEntry, error) {
	if f.claimErr != nil {
		return nil, f.claimErr
	}
	return f.MemoryIdempotencyStore.Claim(ctx, key, e)
}

func (f *failingStore) Update(ctx context.Context, key string, e *roux.IdempotencyEntry) error {
	if !e.Done {
		f.renewals.Add(1)
	}
	if f.drop {
		return errors.New("instance crashed")
	}
	return f.MemoryIdempotencyStore.Update(ctx, key, e)
}

func (f *failingStore) Release(ctx context.Context, key, token string) error {
	if f.drop {
		return errors.New("instance crashed")
	}
	return f.MemoryIdempotencyStore.Release(ctx, key, token)
}

func TestIdempotentClaimLapses(t *testing.T) {
	t.Parallel()
	// The first request's instance "dies" after answering: its claim is
	// never completed nor released, and retries get 409 until the lease
	// (the ttl here, under 30s) runs out; then a retry runs.
	store := &failingStore{MemoryIdempotencyStore: roux.NewMemoryIdempotencyStore(0), drop: true}
	s := newIdemService(t, store, 300*time.Millisecond)
	if a := idemPost(t, s.url, "/orders", `"k"`, `{"dish":"soup","qty":1}`); a.status != http.StatusCreated {
		t.Fatalf("first: got %d", a.status)
	}
	saw409 := false
	for deadline := time.Now().Add(10 * time.Second); ; {
		a := idemPost(t, s.url, "/orders", `"k"`, `{"dish":"soup","qty":1}`)
		if a.status == http.StatusConflict {
			saw409 = true
		} else if a.status == http.StatusCreated && !a.replayed {
			break
		} else {
			t.Fatalf("retry: got %d %s", a.status, a.body)
		}
		if time.Now().After(deadline) {
			t.Fatal("the claim of a dead instance still holds 10s after its lease of 300ms")
		}
		time.Sleep(20 * time.Millisecond) // polling for the lapse, not ordering
	}
	if !saw409 {
		t.Log("the lease ran out before the first retry; the 409 case was not seen (slow machine)")
	}
}

func TestIdempotentLeaseRenewed(t *testing.T) {
	t.Parallel()
	// A handler that runs longer than its lease keeps its claim: roux
	// renews it every third of the lease.
	store := &failingStore{MemoryIdempotencyStore: roux.NewMemoryIdempotencyStore(0)}
	s := newIdemService(t, store, 600*time.Millisecond) // lease 600ms, renewed every 200ms
	release := make(chan struct{})
	plain := s.answer
	s.answer = func(ctx context.Context, n int64, in *idemPlaceInput) (*idemPlaced, error) {
		if n == 1 {
			<-release
		}
		return plain(ctx, n, in)
	}
	done := make(chan idemAnswer)
	go func() { done <- idemPost(t, s.url, "/orders", `"long"`, `{"dish":"stew","qty":1}`) }()
	for deadline := time.Now().Add(10 * time.Second); store.renewals.Load() < 4; {
		if time.Now().After(deadline) {
			t.Fatalf("%d renewals in 10s, want 4", store.renewals.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Four renewals: the handler has run for more than a lease (800ms).
	if a := idemPost(t, s.url, "/orders", `"long"`, `{"dish":"stew","qty":1}`); a.status != http.StatusConflict {
		t.Errorf("retry after several leases: got %d, want 409 (the claim still held)", a.status)
	}
	close(release)
	if a := <-done; a.status != http.StatusCreated {
		t.Fatalf("first: got %d", a.status)
	}
	if n := s.runs.Load(); n != 1 {
		t.Errorf("the handler ran %d times, want 1", n)
	}
}

func TestIdempotentStoreDown(t *testing.T) {
	t.Parallel()
	store := &failingStore{MemoryIdempotencyStore: roux.NewMemoryIdempotencyStore(0), claimErr: errors.New("connection refused")}
	s := newIdemService(t, store, time.Hour)
	a := idemPost(t, s.url, "/orders", `"k"`, `{"dish":"soup","qty":1}`)
	if a.status != http.StatusServiceUnavailable || a.header.Get("Retry-After") == "" || strings.Contains(a.body, "refused") {
		t.Errorf("got %d %v %s, want 503 with Retry-After and no detail of the cause", a.status, a.header, a.body)
	}
	if n := s.runs.Load(); n != 0 {
		t.Errorf("the handler ran %d times, want 0", n)
	}
}

// TestIdempotentClientGone: a store that fails to claim a key because
// the client went away (its request's context ended) is no failure of
// the store: nothing is logged at ERROR, where a client hanging up on
// purpose, again and again, would flood the log; the store failing for a
// client still there is.
func TestIdempotentClientGone(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name       string
		gone       bool
		wantErrLog bool
	}{
		{name: "client gone", gone: true},
		{name: "store down", wantErrLog: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logged bytes.Buffer
			api := roux.New(roux.Config{Logger: slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelError}))})
			store := ctxStore{roux.NewMemoryIdempotencyStore(0), errors.New("connection refused")}
			var runs atomic.Int64
			roux.Post(api, "/orders", func(ctx context.Context, in *idemPlaceInput) (*idemPlaced, error) {
				runs.Add(1)
				return &idemPlaced{}, nil
			}, roux.Status(http.StatusCreated), roux.Idempotent(store, time.Hour))
			ctx, cancel := context.WithCancel(t.Context())
			if tt.gone {
				cancel()
			} else {
				defer cancel()
			}
			req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/orders", strings.NewReader(`{"dish":"soup","qty":1}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(roux.IdempotencyKeyHeader, `"k"`)
			rec := httptest.NewRecorder()
			api.ServeHTTP(rec, req)
			if runs.Load() != 0 {
				t.Error("the handler ran without its key claimed")
			}
			if got := logged.Len() > 0; got != tt.wantErrLog {
				t.Errorf("logged at ERROR: %q; want a record: %v", logged.String(), tt.wantErrLog)
			}
			if !tt.gone && rec.Code != http.StatusServiceUnavailable {
				t.Errorf("store down: got %d, want 503", rec.Code)
			}
		})
	}
}

// ctxStore fails to claim with its request's context's error once that
// has ended, as a database client does, and with down otherwise.
type ctxStore struct {
	*roux.MemoryIdempotencyStore
	down error
}

func (s ctxStore) Claim(ctx context.Context, key string, e *roux.IdempotencyEntry) (*roux.IdempotencyEntry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return nil, s.down
}

func TestIdempotentDocument(t *testing.T) {
	t.Parallel()
	s := newIdemService(t, roux.NewMemoryIdempotencyStore(0), time.Hour)
	op := s.doc.OpenAPI().Paths["/orders"].Post
	var param []string
	for _, p := range op.Parameters {
		param = append(param, p.In+" "+p.Name+" required="+strconv.FormatBool(p.Required))
	}
	if diff := cmp.Diff([]string{"header Idempotency-Key required=false"}, param); diff != "" {
		t.Errorf("parameters (-want +got):\n%s", diff)
	}
	for code, header := range map[string]string{"201": roux.IdempotentReplayedHeader, "404": roux.IdempotentReplayedHeader, "409": "Retry-After", "503": "Retry-After"} {
		r := op.Responses[code]
		if r == nil || r.Headers[header] == nil {
			t.Errorf("response %s: want it documented with the header %s; got %+v", code, header, r)
		}
	}
	if r := op.Responses["422"]; r == nil || !strings.Contains(r.Description, "Idempotency-Key") {
		t.Errorf("response 422: got %+v, want it to name the key's reuse", r)
	}
	if r := op.Responses["409"]; r.Description != "No such dish in stock; or a request with the same Idempotency-Key is still running; retry after the Retry-After delay" ||
		r.Headers["Retry-After"] == nil || r.Headers["Retry-After"].Required {
		t.Errorf("response 409: got %q with %v, want the operation's own merged with roux's, Retry-After optional", r.Description, r.Headers)
	}
	if r := op.Responses["500"]; r.Headers[roux.IdempotentReplayedHeader] != nil {
		t.Error("a 500 is documented as replayed; it is never stored")
	}
}

func TestIdempotentRegistrationErrors(t *testing.T) {
	t.Parallel()
	store := roux.NewMemoryIdempotencyStore(0)
	for _, tt := range []struct {
		name     string
		register func(api *roux.API)
		want     string
	}{
		{"the key bound by the input", func(api *roux.API) {
			roux.Post(api, "/x", func(context.Context, *struct {
				Key string `header:"Idempotency-Key"`
			}) (*idemOrder, error) {
				return nil, nil
			}, roux.Idempotent(store, 0))
		}, "binds it too"},
		{"nil store", func(api *roux.API) {
			roux.Post(api, "/x", func(context.Context, *idemPlaceInput) (*idemOrder, error) { return nil, nil }, roux.Idempotent(nil, 0))
		}, "store is nil"},
		{"negative ttl", func(api *roux.API) {
			roux.Post(api, "/x", func(context.Context, *idemPlaceInput) (*idemOrder, error) { return nil, nil }, roux.Idempotent(store, -time.Second))
		}, "negative"},
		{"stream", func(api *roux.API) {
			roux.Post(api, "/x", func(context.Context, *idemPlaceInput) (*sse.Stream[idemEvents], error) { return nil, nil }, roux.Idempotent(store, 0))
		}, "writes the response itself"},
		{"declaration", func(api *roux.API) {
			roux.NewOperation[idemPlaceInput, idemOrder]("POST", "/x", roux.Idempotent(store, 0))
		}, "server option"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if re := registrationError(t, func() { tt.register(roux.New(roux.Config{})) }); !strings.Contains(re.Error(), tt.want) {
				t.Errorf("got %v, want a registration error saying %q", re, tt.want)
			}
		})
	}
}

func TestMemoryIdempotencyStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	live := time.Now().Add(time.Hour)
	m := roux.NewMemoryIdempotencyStore(3)
	claim := func(key, token string, expires time.Time) *roux.IdempotencyEntry {
		t.Helper()
		prev, err := m.Claim(ctx, key, &roux.IdempotencyEntry{Fingerprint: "f", Token: token, Expires: expires})
		if err != nil {
			t.Fatal(err)
		}
		return prev
	}
	if claim("a", "t1", live) != nil || claim("b", "t2", time.Now().Add(-time.Second)) != nil || claim("c", "t3", live) != nil {
		t.Fatal("a first claim found an entry")
	}
	if prev := claim("a", "t4", live); prev == nil || prev.Token != "t1" {
		t.Errorf("second claim of a: got %+v, want t1's entry", prev)
	}
	if prev := claim("b", "t5", live); prev != nil {
		t.Errorf("claim of the lapsed b: got %+v, want it claimed", prev)
	}
	// Update and Release act only for the claim's token.
	if err := errors.Join(m.Update(ctx, "a", &roux.IdempotencyEntry{Token: "other", Done: true, Expires: live}), m.Release(ctx, "c", "other")); err != nil {
		t.Fatal(err)
	}
	if prev := claim("a", "x", live); prev.Done {
		t.Error("an Update with another token changed the entry")
	}
	if prev := claim("c", "x", live); prev == nil {
		t.Error("a Release with another token removed the entry")
	}
	if err := m.Update(ctx, "a", &roux.IdempotencyEntry{Token: "t1", Done: true, Status: 201, Expires: live}); err != nil {
		t.Fatal(err)
	}
	if prev := claim("a", "x", live); !prev.Done || prev.Status != 201 {
		t.Errorf("after Update: got %+v", prev)
	}
	if err := m.Release(ctx, "c", "t3"); err != nil {
		t.Fatal(err)
	}
	if prev := claim("c", "t6", live); prev != nil {
		t.Errorf("after Release: got %+v, want c free", prev)
	}
	// Full (a, b, c): a new key drops the oldest, a.
	if claim("d", "t7", live) != nil || m.Len() != 3 {
		t.Fatalf("len %d after a claim in a full store, want 3", m.Len())
	}
	if prev := claim("a", "t8", live); prev != nil {
		t.Errorf("a after eviction: got %+v, want it free", prev)
	}
}

func TestMemoryIdempotencyStoreConcurrentClaims(t *testing.T) {
	t.Parallel()
	m := roux.NewMemoryIdempotencyStore(0)
	var wg sync.WaitGroup
	var won atomic.Int64
	for i := range 50 {
		wg.Go(func() {
			prev, err := m.Claim(context.Background(), "k", &roux.IdempotencyEntry{Token: strconv.Itoa(i), Expires: time.Now().Add(time.Hour)})
			if err == nil && prev == nil {
				won.Add(1)
			}
		})
	}
	wg.Wait()
	if n := won.Load(); n != 1 {
		t.Errorf("%d of 50 concurrent claims won, want 1", n)
	}
}

func TestIdempotentGroup(t *testing.T) {
	t.Parallel()
	// On a group, the option covers the unsafe operations; a GET is left
	// as it is. Without a security scheme, keys are scoped by the
	// Authorization header (authentication done by middleware, say).
	api := roux.New(roux.Config{CheckResponses: true, Logger: slog.New(slog.DiscardHandler)})
	g := api.Group("/v1", roux.Idempotent(roux.NewMemoryIdempotencyStore(0), time.Hour))
	var runs atomic.Int64
	roux.Get(g, "/menu", func(context.Context, *struct{}) (*idemOrder, error) { return &idemOrder{Dish: "soup", Qty: 1}, nil })
	roux.Post(g, "/orders", func(ctx context.Context, in *idemPlaceInput) (*idemPlaced, error) {
		out := &idemPlaced{Location: "/v1/orders/" + strconv.FormatInt(runs.Add(1), 10)}
		out.Body.Dish = in.Body.Dish
		return out, nil
	}, roux.Status(http.StatusCreated))
	rouxtest.New(t, api)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	doc := api.OpenAPI()
	if n := len(doc.Paths["/v1/menu"].Get.Parameters); n != 0 {
		t.Errorf("GET /v1/menu has %d parameters, want none", n)
	}
	if n := len(doc.Paths["/v1/orders"].Post.Parameters); n != 1 {
		t.Errorf("POST /v1/orders has %d parameters, want Idempotency-Key", n)
	}
	body := `{"dish":"soup","qty":1}`
	for _, auth := range []string{"Bearer ann", "Bearer bob", "Bearer ann"} {
		idemPost(t, srv.URL, "/v1/orders", `"k"`, body, "Authorization", auth)
	}
	if n := runs.Load(); n != 2 {
		t.Errorf("the handler ran %d times for ann, bob and ann again, want 2", n)
	}
}

func TestIdempotentNoContent(t *testing.T) {
	t.Parallel()
	api := roux.New(roux.Config{CheckResponses: true, Logger: slog.New(slog.DiscardHandler)})
	var runs atomic.Int64
	roux.Delete(api, "/orders/{id}", func(context.Context, *struct {
		ID int `path:"id"`
	}) (*struct{}, error) {
		runs.Add(1)
		return &struct{}{}, nil
	}, roux.Idempotent(roux.NewMemoryIdempotencyStore(0), time.Hour))
	rouxtest.New(t, api)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	for i, wantReplayed := range []bool{false, true} {
		req, err := http.NewRequest(http.MethodDelete, srv.URL+"/orders/7", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set(roux.IdempotencyKeyHeader, `"del-7"`)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusNoContent || len(b) != 0 || (res.Header.Get(roux.IdempotentReplayedHeader) == "true") != wantReplayed {
			t.Errorf("request %d: got %d %q replayed=%q, want 204, no body, replayed %v", i+1, res.StatusCode, b, res.Header.Get(roux.IdempotentReplayedHeader), wantReplayed)
		}
	}
	if n := runs.Load(); n != 1 {
		t.Errorf("the handler ran %d times, want 1", n)
	}
}
