package sse_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/internal/testutil"
	"github.com/roux-go/roux/middleware"
	"github.com/roux-go/roux/rouxtest"
	"github.com/roux-go/roux/sse"
)

type Progress struct {
	Percent int    `json:"percent" minimum:"0" maximum:"100"`
	Note    string `json:"note,omitempty"`
}

type Done struct {
	Total float64 `json:"total"`
}

type OrderEvent struct {
	Progress *Progress `event:"progress"`
	Done     *Done     `event:"done"`
}

type OrderInput struct {
	ID          int64  `path:"id" minimum:"1"`
	LastEventID string `header:"Last-Event-ID" doc:"The last event ID received, to resume from"`
}

// testTimeout bounds every wait of these tests.
const testTimeout = 10 * time.Second

// logBuffer is a slog destination the tests read.
type logBuffer = testutil.LockedBuffer

// newAPI returns an API whose log the test can read.
func newAPI(t *testing.T) (*roux.API, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	api := roux.New(roux.Config{Title: "Orders", Version: "1.0.0",
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	return api, logs
}

// serve registers GET /orders/{id}/events, streaming with produce, on a
// new API, and serves it over loopback. Order 404 does not exist.
func serve(t *testing.T, produce func(ctx context.Context, in *OrderInput, s *sse.Sender[OrderEvent]) error, opts ...sse.Option) (*roux.API, *httptest.Server, *logBuffer) {
	t.Helper()
	api, logs := newAPI(t)
	roux.Get(api, "/orders/{id}/events", func(ctx context.Context, in *OrderInput) (*sse.Stream[OrderEvent], error) {
		if in.ID == 404 {
			return nil, roux.NewError(http.StatusNotFound, "no order 404")
		}
		return sse.New(func(ctx context.Context, s *sse.Sender[OrderEvent]) error {
			return produce(ctx, in, s)
		}, opts...), nil
	}, roux.Response(http.StatusNotFound, "No such order", nil))
	rouxtest.New(t, api)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return api, srv, logs
}

// open starts a GET of url, bounded by testTimeout; closing the body
// ends it.
func open(t *testing.T, client *http.Client, url string, headers ...string) *http.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	body := resp.Body
	resp.Body = struct {
		io.Reader
		io.Closer
	}{body, closerFunc(func() error { defer cancel(); return body.Close() })}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

// wait waits for ch, failing the test after testTimeout.
func wait[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(testTimeout):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

func TestStreamDeliversEachEventAtOnce(t *testing.T) {
	t.Parallel()
	next := make(chan struct{})
	_, srv, logs := serve(t, func(ctx context.Context, in *OrderInput, s *sse.Sender[OrderEvent]) error {
		if err := s.SendID("1", OrderEvent{Progress: &Progress{Percent: 50, Note: "line\nbreak"}}); err != nil {
			return err
		}
		// The first event must reach the client before the second is sent.
		select {
		case <-next:
		case <-ctx.Done():
			return ctx.Err()
		}
		if err := s.Retry(1500 * time.Millisecond); err != nil {
			return err
		}
		if err := s.Comment("almost"); err != nil {
			return err
		}
		if err := s.Send(OrderEvent{Progress: &Progress{Percent: 100}}); err != nil {
			return err
		}
		return s.SendID("2", OrderEvent{Done: &Done{Total: 12.5}})
	})
	resp := open(t, srv.Client(), srv.URL+"/orders/7/events")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status: got %d, want 200", resp.StatusCode)
	}
	for name, want := range map[string]string{
		"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no",
	} {
		if got := resp.Header.Get(name); got != want {
			t.Errorf("%s: got %q, want %q", name, got, want)
		}
	}
	var got []sse.Message[OrderEvent]
	for m, err := range sse.Read[OrderEvent](resp.Body) {
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 {
			close(next)
		}
		got = append(got, m)
	}
	want := []sse.Message[OrderEvent]{
		{ID: "1", Event: OrderEvent{Progress: &Progress{Percent: 50, Note: "line\nbreak"}}},
		{ID: "1", Retry: 1500 * time.Millisecond, Event: OrderEvent{Progress: &Progress{Percent: 100}}},
		{ID: "2", Retry: 1500 * time.Millisecond, Event: OrderEvent{Done: &Done{Total: 12.5}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("unexpected errors logged:\n%s", logs)
	}
}

func TestStreamWireFormat(t *testing.T) {
	t.Parallel()
	_, srv, _ := serve(t, func(ctx context.Context, in *OrderInput, s *sse.Sender[OrderEvent]) error {
		s.SendID("a", OrderEvent{Progress: &Progress{Percent: 1}})
		s.Retry(2 * time.Second)
		s.Comment("two\nlines")
		return s.Send(OrderEvent{Done: &Done{}})
	}, sse.KeepAlive(0))
	resp := open(t, srv.Client(), srv.URL+"/orders/7/events")
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	want := "id: a\nevent: progress\ndata: {\"percent\":1}\n\n" +
		"retry: 2000\n\n" +
		": two\n: lines\n\n" +
		"event: done\ndata: {\"total\":0}\n\n"
	if diff := cmp.Diff(want, string(body)); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
}

func TestStreamKeepAlive(t *testing.T) {
	t.Parallel()
	_, srv, _ := serve(t, func(ctx context.Context, in *OrderInput, s *sse.Sender[OrderEvent]) error {
		<-ctx.Done() // silent until the client leaves
		return ctx.Err()
	}, sse.KeepAlive(20*time.Millisecond))
	resp := open(t, srv.Client(), srv.URL+"/orders/7/events")
	sc := bufio.NewScanner(resp.Body)
	for n := 0; n < 3; {
		if !sc.Scan() {
			t.Fatalf("the stream ended after %d keep-alive comments: %v", n, sc.Err())
		}
		switch line := sc.Text(); line {
		case ": keep-alive":
			n++
		case "":
		default:
			t.Fatalf("unexpected line %q", line)
		}
	}
}

func TestStreamKeepAliveOnlyWhenSilent(t *testing.T) {
	t.Parallel()
	_, srv, _ := serve(t, func(ctx context.Context, in *OrderInput, s *sse.Sender[OrderEvent]) error {
		// An event every 10ms keeps a 500ms keep-alive quiet.
		for i := range 40 {
			if err := s.Send(OrderEvent{Progress: &Progress{Percent: i}}); err != nil {
				return err
			}
			time.Sleep(10 * time.Millisecond)
		}
		return nil
	}, sse.KeepAlive(500*time.Millisecond))
	resp := open(t, srv.Client(), srv.URL+"/orders/7/events")
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	// Generous: a loaded machine may pause a sender for a while.
	if n := strings.Count(string(body), "keep-alive"); n > 1 {
		t.Errorf("got %d keep-alive comments in a busy stream, want at most 1", n)
	}
}

func TestStreamLastEventID(t *testing.T) {
	t.Parallel()
	api, srv, _ := serve(t, func(ctx context.Context, in *OrderInput, s *sse.Sender[OrderEvent]) error {
		return s.Send(OrderEvent{Progress: &Progress{Note: in.LastEventID + "|" + s.LastEventID()}})
	})
	for _, tt := range []struct {
		name   string
		header []string
		want   string
	}{
		{"first connection", nil, "|"},
		{"reconnection", []string{"Last-Event-ID", "41"}, "41|41"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := open(t, srv.Client(), srv.URL+"/orders/7/events", tt.header...)
			for m, err := range sse.Read[OrderEvent](resp.Body) {
				if err != nil {
					t.Fatal(err)
				}
				if got := m.Event.Progress.Note; got != tt.want {
					t.Errorf("got %q, want %q", got, tt.want)
				}
			}
		})
	}
	var found bool
	for _, p := range api.OpenAPI().Paths["/orders/{id}/events"].Get.Parameters {
		if p.Name == "Last-Event-ID" && p.In == "header" && !p.Required {
			found = true
		}
	}
	if !found {
		t.Error("Last-Event-ID is not documented as an optional header parameter")
	}
}

func TestStreamClientGoesAway(t *testing.T) {
	// Not parallel: it counts goroutines.
	baseline := runtime.NumGoroutine()
	started, ended := make(chan struct{}), make(chan error, 1)
	_, srv, logs := serve(t, func(ctx context.Context, in *OrderInput, s *sse.Sender[OrderEvent]) error {
		if err := s.Send(OrderEvent{Progress: &Progress{}}); err != nil {
			return err
		}
		close(started)
		<-ctx.Done()
		ended <- ctx.Err()
		return ctx.Err()
	}, sse.KeepAlive(0)) // no write finds the client gone: its context does
	tr := &http.Transport{}
	resp := open(t, &http.Client{Transport: tr}, srv.URL+"/orders/7/events")
	wait(t, started, "the producer to start")
	resp.Body.Close()
	if err := wait(t, ended, "the producer's context to be cancelled"); !errors.Is(err, context.Canceled) {
		t.Errorf("producer's context: got %v, want context.Canceled", err)
	}
	tr.CloseIdleConnections()
	srv.Close()
	testutil.WaitGoroutines(t, baseline, 0)
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("a client that leaves is not an error, but got:\n%s", logs)
	}
}

func TestStreamDrainEndsIt(t *testing.T) {
	t.Parallel()
	started, ended := make(chan struct{}), make(chan error, 1)
	api, srv, logs := serve(t, func(ctx context.Context, in *OrderInput, s *sse.Sender[OrderEvent]) error {
		if err := s.Send(OrderEvent{Progress: &Progress{}}); err != nil {
			return err
		}
		close(started)
		<-ctx.Done()
		err := s.Send(OrderEvent{Progress: &Progress{Percent: 1}}) // sends nothing
		ended <- err
		return err
	})
	resp := open(t, srv.Client(), srv.URL+"/orders/7/events")
	n := 0
	for _, err := range sse.Read[OrderEvent](resp.Body) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 1 {
			wait(t, started, "the producer to start")
			api.Drain()
		}
	}
	if n != 1 {
		t.Errorf("got %d events, want 1: nothing is sent once the server is stopping", n)
	}
	if err := wait(t, ended, "the producer to end"); !errors.Is(err, context.Canceled) {
		t.Errorf("Send while stopping: got %v, want an error wrapping context.Canceled", err)
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("a shutdown is not an error, but got:\n%s", logs)
	}

	// A stream asked for once the API is draining ends at once.
	resp = open(t, srv.Client(), srv.URL+"/orders/7/events")
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK || len(body) != 0 {
		t.Errorf("stream while draining: got %d %q %v, want 200 and no events", resp.StatusCode, body, err)
	}
}

func TestStreamProblemsBeforeStreaming(t *testing.T) {
	t.Parallel()
	_, srv, _ := serve(t, func(ctx context.Context, in *OrderInput, s *sse.Sender[OrderEvent]) error {
		t.Error("the producer ran")
		return nil
	})
	for _, tt := range []struct {
		path   string
		status int
		detail string
	}{
		{"/orders/404/events", http.StatusNotFound, "no order 404"},
		{"/orders/0/events", http.StatusUnprocessableEntity, "minimum"},
		{"/orders/x/events", http.StatusUnprocessableEntity, "integer"},
	} {
		t.Run(tt.path, func(t *testing.T) {
			resp := open(t, srv.Client(), srv.URL+tt.path)
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status || resp.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("got %d %s, want %d application/problem+json", resp.StatusCode, resp.Header.Get("Content-Type"), tt.status)
			}
			if !strings.Contains(string(body), tt.detail) {
				t.Errorf("problem %s does not mention %q", body, tt.detail)
			}
		})
	}
}

func TestStreamProducerFailures(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		produce func(ctx context.Context, in *OrderInput, s *sse.Sender[OrderEvent]) error
		log     string // wanted in the log
		broken  bool   // the client sees the response cut off
	}{
		{
			name: "error",
			produce: func(ctx context.Context, in *OrderInput, s *sse.Sender[OrderEvent]) error {
				s.Send(OrderEvent{Progress: &Progress{}})
				return errors.New("the kitchen is on fire")
			},
			log: "the kitchen is on fire",
		},
		{
			name: "panic",
			produce: func(ctx context.Context, in *OrderInput, s *sse.Sender[OrderEvent]) error {
				s.Send(OrderEvent{Progress: &Progress{}})
				panic("boom")
			},
			log: "producer panicked", broken: true,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, srv, logs := serve(t, tt.produce)
			resp := open(t, srv.Client(), srv.URL+"/orders/7/events")
			var n int
			var readErr error
			for _, err := range sse.Read[OrderEvent](resp.Body) {
				if err != nil {
					readErr = err
					break
				}
				n++
			}
			if n != 1 || (readErr != nil) != tt.broken {
				t.Errorf("got %d events and read error %v, want 1 event and a broken stream: %v", n, readErr, tt.broken)
			}
			if !strings.Contains(logs.String(), tt.log) {
				t.Errorf("log does not mention %q:\n%s", tt.log, logs)
			}
		})
	}
}

func TestSenderRejectsBadMessages(t *testing.T) {
	t.Parallel()
	errs := make(chan []error, 1)
	_, srv, _ := serve(t, func(ctx context.Context, in *OrderInput, s *sse.Sender[OrderEvent]) error {
		errs <- []error{
			s.Send(OrderEvent{}),
			s.Send(OrderEvent{Progress: &Progress{}, Done: &Done{}}),
			s.SendID("a\nb", OrderEvent{Done: &Done{}}),
			s.SendID("", OrderEvent{Done: &Done{}}),
			s.Retry(-time.Second),
		}
		return nil
	}, sse.KeepAlive(0))
	resp := open(t, srv.Client(), srv.URL+"/orders/7/events")
	body, _ := io.ReadAll(resp.Body)
	got := wait(t, errs, "the producer")
	for i, want := range []string{"no event set", "both Progress and Done", "contains CR, LF or NUL", "empty ID", "negative"} {
		if got[i] == nil || !strings.Contains(got[i].Error(), want) {
			t.Errorf("call %d: got %v, want an error mentioning %q", i, got[i], want)
		}
	}
	if len(body) != 0 {
		t.Errorf("rejected messages were sent: %q", body)
	}
}

func TestStreamInEnvelope(t *testing.T) {
	t.Parallel()
	type Out struct {
		Status int
		Stream string `header:"X-Stream"`
		Body   *sse.Stream[OrderEvent]
	}
	api, _ := newAPI(t)
	roux.Get(api, "/events", func(ctx context.Context, in *struct{}) (*Out, error) {
		return &Out{Status: http.StatusAccepted, Stream: "orders", Body: sse.New(func(ctx context.Context, s *sse.Sender[OrderEvent]) error {
			return s.Send(OrderEvent{Done: &Done{Total: 1}})
		})}, nil
	}, roux.Response(http.StatusAccepted, "The stream", nil))
	roux.Get(api, "/nil", func(ctx context.Context, in *struct{}) (*Out, error) { return &Out{}, nil })
	roux.Get(api, "/zero", func(ctx context.Context, in *struct{}) (*sse.Stream[OrderEvent], error) {
		return &sse.Stream[OrderEvent]{}, nil
	})
	c := rouxtest.New(t, api)

	resp := c.Get("/events")
	if resp.Status != http.StatusAccepted || resp.Header.Get("X-Stream") != "orders" || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Errorf("got %d, X-Stream %q, Content-Type %q; want 202, orders, text/event-stream", resp.Status, resp.Header.Get("X-Stream"), resp.Header.Get("Content-Type"))
	}
	if want := "event: done\ndata: {\"total\":1}\n\n"; string(resp.Body) != want {
		t.Errorf("body: got %q, want %q", resp.Body, want)
	}
	if content := api.OpenAPI().Paths["/events"].Get.Responses["200"].Content; content["text/event-stream"] == nil {
		t.Errorf("the envelope's stream is not documented: %v", content)
	}
	for _, path := range []string{"/nil", "/zero"} {
		if resp := c.Get(path); resp.Status != http.StatusInternalServerError {
			t.Errorf("%s: got %d, want 500", path, resp.Status)
		}
	}
}

func TestStreamHEAD(t *testing.T) {
	t.Parallel()
	_, srv, _ := serve(t, func(ctx context.Context, in *OrderInput, s *sse.Sender[OrderEvent]) error {
		t.Error("the producer ran for HEAD")
		return nil
	})
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodHead, srv.URL+"/orders/7/events", nil)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Errorf("got %d %q, want 200 text/event-stream", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// The server's ReadTimeout and WriteTimeout are for whole requests; a
// stream outlives them, over HTTP/1.1 and HTTP/2.
func TestStreamOutlivesServerTimeouts(t *testing.T) {
	t.Parallel()
	for _, h2 := range []bool{false, true} {
		t.Run(fmt.Sprintf("HTTP/2 %v", h2), func(t *testing.T) {
			t.Parallel()
			api, _ := newAPI(t)
			roux.Get(api, "/events", func(ctx context.Context, in *struct{}) (*sse.Stream[OrderEvent], error) {
				return sse.New(func(ctx context.Context, s *sse.Sender[OrderEvent]) error {
					for i := range 8 {
						time.Sleep(50 * time.Millisecond)
						if err := s.Send(OrderEvent{Progress: &Progress{Percent: i}}); err != nil {
							return err
						}
					}
					return nil
				}), nil
			})
			srv := httptest.NewUnstartedServer(api)
			srv.Config.ReadTimeout, srv.Config.WriteTimeout = 100*time.Millisecond, 100*time.Millisecond
			if h2 {
				srv.EnableHTTP2 = true
				srv.StartTLS()
			} else {
				srv.Start()
			}
			t.Cleanup(srv.Close)
			resp := open(t, srv.Client(), srv.URL+"/events")
			if got := resp.ProtoMajor == 2; got != h2 {
				t.Fatalf("got %s", resp.Proto)
			}
			n := 0
			for _, err := range sse.Read[OrderEvent](resp.Body) {
				if err != nil {
					t.Fatalf("after %d events: %v", n, err)
				}
				n++
			}
			if n != 8 {
				t.Errorf("got %d events, want 8", n)
			}
		})
	}
}

// A client that stops reading is found out by the write timeout.
func TestStreamStuckClient(t *testing.T) {
	t.Parallel()
	ended := make(chan error, 1)
	_, srv, logs := serve(t, func(ctx context.Context, in *OrderInput, s *sse.Sender[OrderEvent]) error {
		big := &Progress{Note: strings.Repeat("x", 64<<10)}
		for {
			if err := s.Send(OrderEvent{Progress: big}); err != nil {
				ended <- err
				return err
			}
		}
	}, sse.WriteTimeout(100*time.Millisecond))
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /orders/7/events HTTP/1.1\r\nHost: x\r\n\r\n") // and never read
	err = wait(t, ended, "the write timeout")
	if !errors.Is(err, context.DeadlineExceeded) && !strings.Contains(err.Error(), "timeout") {
		t.Errorf("got %v, want a write timeout", err)
	}
	deadline := time.Now().Add(testTimeout)
	for !strings.Contains(logs.String(), "writing to the client") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "writing to the client") {
		t.Errorf("the stuck client is not logged:\n%s", logs)
	}
}

// A middleware whose writer hides http.Flusher would hold the events
// back: the stream ends at once, and the log says why.
func TestStreamNeedsAFlusher(t *testing.T) {
	t.Parallel()
	api, logs := newAPI(t)
	var ran atomic.Bool
	hide := roux.Middleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(struct{ http.ResponseWriter }{w}, r)
		})
	})
	roux.Get(api, "/events", func(ctx context.Context, in *struct{}) (*sse.Stream[OrderEvent], error) {
		return sse.New(func(ctx context.Context, s *sse.Sender[OrderEvent]) error {
			ran.Store(true)
			return nil
		}), nil
	}, hide)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	resp := open(t, srv.Client(), srv.URL+"/events")
	io.ReadAll(resp.Body)
	if ran.Load() {
		t.Error("the producer ran")
	}
	if !strings.Contains(logs.String(), "cannot flush") {
		t.Errorf("the log does not say why:\n%s", logs)
	}
}

// Behind the middleware of package middleware, events are neither
// compressed nor held back.
func TestStreamBehindMiddleware(t *testing.T) {
	t.Parallel()
	next := make(chan struct{})
	api, logs := newAPI(t)
	roux.Get(api, "/events", func(ctx context.Context, in *struct{}) (*sse.Stream[OrderEvent], error) {
		return sse.New(func(ctx context.Context, s *sse.Sender[OrderEvent]) error {
			if err := s.Send(OrderEvent{Progress: &Progress{Note: strings.Repeat("x", 2000)}}); err != nil {
				return err
			}
			select {
			case <-next:
			case <-ctx.Done():
				return ctx.Err()
			}
			return s.Send(OrderEvent{Done: &Done{}})
		}), nil
	})
	h := middleware.Recover(nil)(middleware.AccessLog(slog.New(slog.NewTextHandler(logs, nil)))(middleware.Compress()(api)))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	resp := open(t, srv.Client(), srv.URL+"/events", "Accept-Encoding", "gzip")
	if ce := resp.Header.Get("Content-Encoding"); ce != "" {
		t.Errorf("Content-Encoding: got %q, want none", ce)
	}
	n := 0
	for _, err := range sse.Read[OrderEvent](resp.Body) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 1 {
			close(next)
		}
	}
	if n != 2 {
		t.Errorf("got %d events, want 2", n)
	}
}
