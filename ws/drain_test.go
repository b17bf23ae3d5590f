package ws_test

import (
	"context"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/roux-go/roux/internal/testutil"
	"github.com/roux-go/roux/ws"
)

// TestDrain shuts the API down with sessions open: each is closed with
// 1001, each handler's context ends, and no goroutine is left. It does
// not run in parallel, so that it can count goroutines.
func TestDrain(t *testing.T) {
	baseline := runtime.NumGoroutine()
	func() {
		// No pings: these clients do not read, so they would not pong.
		h := newHarness(t, ws.PingInterval(0))
		// A session busy sending, which the client does not read until
		// the drain: its close frame waits for the write under way.
		stream := h.dial(t, "/rooms/lobby/ws?name=ann", nil)
		send(t, stream, `{"text":"stream"}`)
		conns := []*websocket.Conn{stream}
		for range 3 {
			c := h.dial(t, "/rooms/lobby/ws?name=ann", nil)
			send(t, c, `{"text":"wait"}`)
			conns = append(conns, c)
		}
		// One session idle in Receive, too.
		conns = append(conns, h.dial(t, "/rooms/lobby/ws?name=bob", nil))
		// Let every handler reach its wait.
		time.Sleep(50 * time.Millisecond)
		h.api.Drain()
		for i, c := range conns {
			got := closedWith(t, c)
			if got.Code != websocket.StatusGoingAway || !strings.Contains(got.Reason, "shutting down") {
				t.Errorf("conn %d: got close %d %q, want 1001", i, got.Code, got.Reason)
			}
		}
		for range conns {
			if got := h.endedWith(t); got.Code != ws.StatusGoingAway {
				t.Errorf("handler saw %v, want 1001", got)
			}
		}
		// Handshakes while the API drains are refused before the upgrade.
		resp, err := h.client.Do(handshake(t, h.srv.URL+"/rooms/lobby/ws?name=ann", nil))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
			t.Errorf("handshake while draining: got %d, want 503 with Retry-After", resp.StatusCode)
		}
		h.srv.Close()
		h.client.CloseIdleConnections()
	}()
	testutil.WaitGoroutines(t, baseline, 0)
}

// TestEndsLeaveNoGoroutines ends sessions every other way and checks that
// nothing is left running. It does not run in parallel either.
func TestEndsLeaveNoGoroutines(t *testing.T) {
	baseline := runtime.NumGoroutine()
	func() {
		h := newHarness(t, ws.PingInterval(20*time.Millisecond), ws.PongTimeout(500*time.Millisecond), ws.ReadLimit(64))
		for _, msg := range []string{`{"text":`, `{"text":"fail"}`, `{"text":"panic"}`, `{"text":"close"}`, `{"text":"` + strings.Repeat("x", 100) + `"}`} {
			c := h.dial(t, "/rooms/lobby/ws?name=ann", nil)
			send(t, c, msg)
			closedWith(t, c)
		}
		// The client closes.
		c := h.dial(t, "/rooms/lobby/ws?name=ann", nil)
		c.Close(websocket.StatusNormalClosure, "")
		// The client vanishes without closing.
		c = h.dial(t, "/rooms/lobby/ws?name=ann", nil)
		c.CloseNow()
		// The client stops answering pings.
		c = h.dial(t, "/rooms/lobby/ws?name=ann", &websocket.DialOptions{
			OnPingReceived: func(context.Context, []byte) bool { return false },
		})
		go c.Read(context.Background())
		// Each handler's Receive learned why: 1008, 1009, 1000, 1006
		// (lost) and 1006 (no pong); the handlers that failed, panicked
		// or closed ended without a Receive error.
		for range 5 {
			h.endedWith(t)
		}
		h.srv.Close()
		h.client.CloseIdleConnections()
	}()
	testutil.WaitGoroutines(t, baseline, 0)
}
