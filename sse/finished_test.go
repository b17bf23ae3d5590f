package sse_test

import (
	"context"
	"encoding/json"
	"io"
	"iter"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/middleware"
	"github.com/roux-go/roux/rouxtest"
	"github.com/roux-go/roux/sse"
)

// A stream that is over answers 204 No Content, which stops a browser's
// EventSource; it is documented on every stream operation.
func TestStreamFinished(t *testing.T) {
	t.Parallel()
	api, _ := newAPI(t)
	roux.Get(api, "/orders/{id}/events", func(ctx context.Context, in *OrderInput) (*sse.Stream[OrderEvent], error) {
		if in.LastEventID == "9" { // the order's last event
			return sse.Finished[OrderEvent](), nil
		}
		return sse.New(func(ctx context.Context, s *sse.Sender[OrderEvent]) error {
			return s.SendID("9", OrderEvent{Done: &Done{Total: 12}})
		}), nil
	})
	c := rouxtest.New(t, api) // checks every answer against the document
	for _, tt := range []struct {
		name   string
		method string
		last   string
		status int
		ctype  string
		body   string
	}{
		{"first connection", "GET", "", 200, "text/event-stream", "id: 9\nevent: done\ndata: {\"total\":12}\n\n"},
		{"reconnection after the last event", "GET", "9", 204, "", ""},
		{"HEAD after the last event", "HEAD", "9", 204, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, "/orders/7/events", nil)
			if tt.last != "" {
				req.Header.Set("Last-Event-ID", tt.last)
			}
			resp := c.Do(req)
			if resp.Status != tt.status || resp.Header.Get("Content-Type") != tt.ctype || string(resp.Body) != tt.body {
				t.Errorf("got %d %q %q, want %d %q %q", resp.Status, resp.Header.Get("Content-Type"), resp.Body, tt.status, tt.ctype, tt.body)
			}
		})
	}
	if r := api.OpenAPI().Paths["/orders/{id}/events"].Get.Responses["204"]; r == nil || r.Content != nil {
		t.Errorf("204 documented as %+v, want a response without content", r)
	}
}

// Behind a load shedder, a stream leaves the concurrency limit when it
// starts, for the shedder's cap on long-lived responses; past the cap it
// is refused with a 503 problem and Retry-After.
func TestStreamLeavesTheConcurrencyLimit(t *testing.T) {
	t.Parallel()
	api, _ := newAPI(t)
	release := make(chan struct{})
	// One request at a time, one stream at a time; the shedder's 503 is
	// published on the operations it wraps.
	shed := middleware.NewLoadShedder(middleware.InitialLimit(1), middleware.MinLimit(1), middleware.MaxLimit(1), middleware.MaxLongLived(1), middleware.RetryAfter(3*time.Second))
	api.UseDocumented(shed)
	roux.Get(api, "/events", func(ctx context.Context, in *struct{}) (*sse.Stream[OrderEvent], error) {
		return sse.New(func(ctx context.Context, s *sse.Sender[OrderEvent]) error {
			if err := s.Send(OrderEvent{Progress: &Progress{}}); err != nil {
				return err
			}
			select {
			case <-release:
			case <-ctx.Done():
			}
			return nil
		}), nil
	})
	roux.Get(api, "/ping", func(ctx context.Context, in *struct{}) (*string, error) { s := "pong"; return &s, nil })
	rouxtest.New(t, api)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)

	first := open(t, srv.Client(), srv.URL+"/events")
	next, stop := iter.Pull2(sse.Read[OrderEvent](first.Body))
	defer stop()
	if _, err, ok := next(); !ok || err != nil {
		t.Fatalf("the first stream sent nothing: %v", err)
	}
	if got := shed.LongLivedOpen(); got != 1 {
		t.Errorf("long-lived responses open: got %d, want 1", got)
	}
	// The stream holds no place in the limit of 1: a request goes through.
	resp, err := srv.Client().Get(srv.URL + "/ping")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("a request beside the stream: got %d, want 200", resp.StatusCode)
	}
	waitIdle(t, shed) // the request's place comes back as its handler returns
	// A second stream is past the cap.
	second := open(t, srv.Client(), srv.URL+"/events")
	body, _ := io.ReadAll(second.Body)
	var p struct {
		Status int    `json:"status"`
		Detail string `json:"detail"`
	}
	if err := json.Unmarshal(body, &p); err != nil || second.StatusCode != 503 || p.Status != 503 ||
		second.Header.Get("Content-Type") != "application/problem+json" || second.Header.Get("Retry-After") != "3" {
		t.Errorf("second stream: got %d %q Retry-After %q %s, want a 503 problem with Retry-After 3",
			second.StatusCode, second.Header.Get("Content-Type"), second.Header.Get("Retry-After"), body)
	}
	if got := shed.ShedLongLived(); got != 1 {
		t.Errorf("long-lived refusals: got %d, want 1", got)
	}
	close(release)
	for _, err, ok := next(); ok; _, err, ok = next() {
		if err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(testTimeout)
	for shed.LongLivedOpen() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("long-lived responses open after the stream ended: %d", shed.LongLivedOpen())
		}
		time.Sleep(time.Millisecond)
	}
	if got := shed.Shed(); got != 0 {
		t.Errorf("the concurrency limit refused %d requests, want 0", got)
	}
}

// waitIdle waits until no request holds a place in s's limit.
func waitIdle(t *testing.T, s *middleware.LoadShedder) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for s.InFlight() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d requests still hold a place", s.InFlight())
		}
		time.Sleep(time.Millisecond)
	}
}
