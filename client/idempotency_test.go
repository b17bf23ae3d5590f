package client_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/client"
)

type ticketIn struct {
	Body struct {
		Seat string `json:"seat"`
	}
}

type ticket struct {
	Number int64  `json:"number"`
	Seat   string `json:"seat"`
}

// ticketService sells tickets at POST /tickets, idempotently; it records
// the Idempotency-Key of every request it sees and counts its sales.
type ticketService struct {
	srv   *httptest.Server
	op    *roux.Operation[ticketIn, ticket]
	sold  atomic.Int64
	mu    sync.Mutex
	keys  []string
	block chan struct{} // when set, the first sale waits for it
}

func newTicketService(t *testing.T) *ticketService {
	t.Helper()
	s := &ticketService{}
	api := roux.New(roux.Config{CheckResponses: true, Logger: slog.New(slog.DiscardHandler)})
	api.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			s.keys = append(s.keys, r.Header.Get(roux.IdempotencyKeyHeader))
			s.mu.Unlock()
			next.ServeHTTP(w, r)
		})
	})
	s.op = roux.Post(api, "/tickets", func(ctx context.Context, in *ticketIn) (*ticket, error) {
		n := s.sold.Add(1)
		if n == 1 && s.block != nil {
			<-s.block
		}
		return &ticket{Number: n, Seat: in.Body.Seat}, nil
	}, roux.Idempotent(roux.NewMemoryIdempotencyStore(0), time.Hour))
	s.srv = httptest.NewServer(api)
	t.Cleanup(s.srv.Close)
	return s
}

func (s *ticketService) seen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.keys...)
}

// losingTransport sends each request, but loses the answer of the first
// ones: the server acted, the client hears of a reset.
type losingTransport struct {
	lose atomic.Int64 // answers left to lose
	// sent, when set, makes the answer lost without waiting for it: the
	// request goes on in the background, and the error comes once sent
	// says the server has it.
	sent func() bool
}

var errLost = errors.New("connection reset by peer (test)")

func (l *losingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if l.lose.Add(-1) < 0 {
		return http.DefaultTransport.RoundTrip(req)
	}
	if l.sent != nil {
		go func() {
			if resp, err := http.DefaultTransport.RoundTrip(req.Clone(context.WithoutCancel(req.Context()))); err == nil {
				resp.Body.Close()
			}
		}()
		for !l.sent() {
			time.Sleep(time.Millisecond)
		}
		return nil, errLost
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err == nil {
		resp.Body.Close()
	}
	return nil, errLost
}

var uuidKey = regexp.MustCompile(`^"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"$`)

func TestIdempotencyKeysRetriesLostAnswers(t *testing.T) {
	t.Parallel()
	s := newTicketService(t)
	tr := &losingTransport{}
	tr.lose.Store(1)
	c := client.New(s.srv.URL, client.HTTPClient(&http.Client{Transport: tr}),
		client.Retry(3), client.RetryBackoff(time.Millisecond, 0), client.IdempotencyKeys())
	got, err := client.Call(context.Background(), c, s.op, &ticketIn{Body: struct {
		Seat string `json:"seat"`
	}{"12A"}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Number != 1 || s.sold.Load() != 1 {
		t.Errorf("got ticket %d, %d sold; want ticket 1, and one sale although the first answer was lost", got.Number, s.sold.Load())
	}
	keys := s.seen()
	if len(keys) != 2 || keys[0] != keys[1] || !uuidKey.MatchString(keys[0]) {
		t.Errorf("keys sent: %q, want one quoted UUID twice", keys)
	}
	// The next call has a key of its own.
	if _, err := client.Call(context.Background(), c, s.op, &ticketIn{}); err != nil {
		t.Fatal(err)
	}
	if keys := s.seen(); len(keys) != 3 || keys[2] == keys[0] || s.sold.Load() != 2 {
		t.Errorf("keys sent: %q, %d sold; want a new key and a second sale", keys, s.sold.Load())
	}
}

func TestWithoutIdempotencyKeyNoRetry(t *testing.T) {
	t.Parallel()
	s := newTicketService(t)
	tr := &losingTransport{}
	tr.lose.Store(1)
	c := client.New(s.srv.URL, client.HTTPClient(&http.Client{Transport: tr}), client.Retry(3), client.RetryBackoff(time.Millisecond, 0))
	if _, err := client.Call(context.Background(), c, s.op, &ticketIn{}); !errors.Is(err, errLost) {
		t.Errorf("got %v, want the lost answer's error: a POST without a key is not retried", err)
	}
	if keys := s.seen(); len(keys) != 1 || keys[0] != "" {
		t.Errorf("keys sent: %q, want one request without a key", keys)
	}
}

func TestIdempotencyKeysRetriesKeyInUse(t *testing.T) {
	t.Parallel()
	// The first attempt's answer is lost at once, while the server still
	// works on it: the retry gets 409 with Retry-After: 1, waits, and gets
	// the first answer.
	s := newTicketService(t)
	s.block = make(chan struct{})
	tr := &losingTransport{sent: func() bool { return s.sold.Load() > 0 }}
	tr.lose.Store(1)
	go func() {
		for len(s.seen()) < 2 { // the retry has reached the server
			time.Sleep(5 * time.Millisecond)
		}
		close(s.block)
	}()
	c := client.New(s.srv.URL, client.HTTPClient(&http.Client{Transport: tr}),
		client.Retry(3), client.RetryBackoff(time.Millisecond, 0), client.IdempotencyKeys())
	got, err := client.Call(context.Background(), c, s.op, &ticketIn{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Number != 1 || s.sold.Load() != 1 {
		t.Errorf("got ticket %d, %d sold; want ticket 1 sold once", got.Number, s.sold.Load())
	}
	if keys := s.seen(); len(keys) < 3 || keys[0] != keys[1] || keys[1] != keys[2] {
		t.Errorf("keys sent: %q, want the same key on the three attempts", keys)
	}
}

func TestIdempotencyKeysKeepsCallersKey(t *testing.T) {
	t.Parallel()
	s := newTicketService(t)
	c := client.New(s.srv.URL, client.IdempotencyKeys())
	for range 2 {
		if _, err := client.Call(context.Background(), c, s.op, &ticketIn{}, client.Header(roux.IdempotencyKeyHeader, `"order-77"`)); err != nil {
			t.Fatal(err)
		}
	}
	if keys := s.seen(); len(keys) != 2 || keys[0] != `"order-77"` || keys[1] != keys[0] || s.sold.Load() != 1 {
		t.Errorf("keys sent: %q, %d sold; want the caller's key twice and one sale", keys, s.sold.Load())
	}
}
