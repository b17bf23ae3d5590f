package ws_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/roux-go/roux/middleware"
)

// Behind a load shedder, a session leaves the concurrency limit when it
// is accepted, for the shedder's cap on long-lived responses; past the
// cap the handshake is refused with 503 and Retry-After.
func TestSessionLeavesTheConcurrencyLimit(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	shed := middleware.NewLoadShedder(middleware.InitialLimit(1), middleware.MinLimit(1), middleware.MaxLimit(1), middleware.MaxLongLived(1), middleware.RetryAfter(2*time.Second))
	h.srv.Close() // serve the API behind the shedder instead; the harness closes h.srv
	srv := httptest.NewServer(shed.Middleware(h.api))
	h.srv = srv

	c := h.dial(t, "/rooms/lobby/ws?name=ann", nil)
	send(t, c, `{"text":"hello"}`)
	if m := receive(t, c); m.Text != "hello" {
		t.Fatalf("got %+v", m)
	}
	if got := shed.LongLivedOpen(); got != 1 {
		t.Errorf("long-lived responses open: got %d, want 1", got)
	}
	// The session holds no place in the limit of 1: a request goes through.
	resp, err := h.client.Get(srv.URL + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("a request beside the session: got %d, want 200", resp.StatusCode)
	}
	// The request's place comes back as its handler returns.
	for deadline := time.Now().Add(10 * time.Second); shed.InFlight() != 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d requests still hold a place", shed.InFlight())
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, resp, err = websocket.Dial(ctx, h.url("/rooms/lobby/ws?name=bob"), &websocket.DialOptions{HTTPClient: h.client})
	if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "2" {
		t.Fatalf("a second session: got %v, %+v; want a 503 with Retry-After 2", err, resp)
	}
	if got := shed.ShedLongLived(); got != 1 {
		t.Errorf("long-lived refusals: got %d, want 1", got)
	}
	send(t, c, `{"text":"close"}`)
	closedWith(t, c)
	deadline := time.Now().Add(10 * time.Second)
	for shed.LongLivedOpen() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("long-lived responses open after the session ended: %d", shed.LongLivedOpen())
		}
		time.Sleep(time.Millisecond)
	}
}
