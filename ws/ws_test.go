package ws_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/go-json-experiment/json"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/internal/testutil"
	"github.com/roux-go/roux/middleware"
	"github.com/roux-go/roux/openapi"
	"github.com/roux-go/roux/rouxtest"
	"github.com/roux-go/roux/ws"
)

type JoinInput struct {
	Room string `path:"room" pattern:"^[a-z]+$"`
	Name string `query:"name" required:"true" maxLength:"20"`
}

type ClientMsg struct {
	Text  string `json:"text" minLength:"1" maxLength:"50"`
	Count int    `json:"count,omitempty" minimum:"0" maximum:"10"`
}

// Validate is a rule the schema cannot say: a text of white space alone
// is refused, as a request body's would be.
func (m *ClientMsg) Validate(c *roux.Checks) {
	if strings.TrimSpace(m.Text) == "" {
		c.Member("/text", "blank", "must not be blank")
	}
}

type ServerMsg struct {
	From string `json:"from"`
	Text string `json:"text"`
	Seq  int    `json:"seq"`
}

// lockedBuffer is a log destination the server's goroutines write to
// while the test reads it.
type lockedBuffer = testutil.LockedBuffer

// harness is a roux API with a WebSocket endpoint served over loopback.
//
// The handler echoes messages with a sequence number. Some texts make it
// act: "close" returns a CloseError 4000, "fail" an error, "panic"
// panics, "wait" waits for the session to end, "proto" answers the
// subprotocol, "sleep" sleeps for three of TestPing's pong timeouts before reading on,
// "stream" sends until Send fails.
// Why the session ended (the handler's last Receive error, or the cause
// of its context) goes to ended.
type harness struct {
	api    *roux.API
	srv    *httptest.Server
	client *http.Client
	logs   *lockedBuffer
	ended  chan error
}

// pongTimeout is the pong timeout of TestPing, whose "slow handler" sleeps
// three of them.
const pongTimeout = 300 * time.Millisecond

func newHarness(t *testing.T, opts ...ws.Option) *harness {
	t.Helper()
	h := &harness{logs: &lockedBuffer{}, ended: make(chan error, 16)}
	h.api = roux.New(roux.Config{Title: "Chat", Version: "1.0.0", Logger: slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	roux.Get(h.api, "/rooms/{room}/ws", func(ctx context.Context, in *JoinInput) (*ws.Session[ClientMsg, ServerMsg], error) {
		if in.Room == "closed" {
			return nil, roux.NewError(http.StatusNotFound, "no such room")
		}
		return ws.Accept(func(ctx context.Context, c *ws.Conn[ClientMsg, ServerMsg]) error {
			return h.serve(ctx, c, in)
		}, opts...), nil
	}, roux.Summary("Join a room"), roux.Response(http.StatusNotFound, "No such room", nil))
	rouxtest.New(t, h.api) // dumps the document for validation
	h.srv = httptest.NewServer(h.api)
	h.client = &http.Client{Transport: &http.Transport{}}
	t.Cleanup(func() {
		h.api.Drain() // ends the sessions still open, as a shutdown does
		h.srv.Close()
		h.client.CloseIdleConnections()
	})
	return h
}

func (h *harness) serve(ctx context.Context, c *ws.Conn[ClientMsg, ServerMsg], in *JoinInput) error {
	for seq := 1; ; seq++ {
		m, err := c.Receive(ctx)
		if err != nil {
			h.ended <- err
			return err
		}
		switch m.Text {
		case "close":
			return &ws.CloseError{Code: 4000, Reason: "bye"}
		case "fail":
			return errors.New("boom")
		case "panic":
			panic("kaboom")
		case "wait":
			<-ctx.Done()
			h.ended <- context.Cause(ctx)
			return ctx.Err()
		case "stream":
			for i := 0; ; i++ {
				if err := c.Send(ctx, &ServerMsg{From: in.Name, Text: "tick", Seq: i}); err != nil {
					h.ended <- err
					return err
				}
			}
		case "proto":
			m.Text = "subprotocol " + c.Subprotocol()
		case "sleep":
			time.Sleep(3 * pongTimeout)
		}
		if err := c.Send(ctx, &ServerMsg{From: in.Name, Text: m.Text, Seq: seq}); err != nil {
			return err
		}
	}
}

// url returns the WebSocket URL of path.
func (h *harness) url(path string) string {
	return "ws" + strings.TrimPrefix(h.srv.URL, "http") + path
}

func (h *harness) dial(t *testing.T, path string, opts *websocket.DialOptions) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if opts == nil {
		opts = &websocket.DialOptions{}
	}
	opts.HTTPClient = h.client
	c, resp, err := websocket.Dial(ctx, h.url(path), opts)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial %s: %v (status %d)", path, err, status)
	}
	t.Cleanup(func() { c.CloseNow() })
	return c
}

// endedWith waits for the server's account of how the session ended.
func (h *harness) endedWith(t *testing.T) *ws.CloseError {
	t.Helper()
	select {
	case err := <-h.ended:
		var ce *ws.CloseError
		if !errors.As(err, &ce) {
			t.Fatalf("session ended with %v, want a *ws.CloseError", err)
		}
		return ce
	case <-time.After(10 * time.Second):
		t.Fatal("the session did not end")
		return nil
	}
}

func send(t *testing.T, c *websocket.Conn, msg string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
		t.Fatalf("write %s: %v", msg, err)
	}
}

func receive(t *testing.T, c *websocket.Conn) ServerMsg {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	typ, b, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if typ != websocket.MessageText {
		t.Fatalf("got message type %v, want text", typ)
	}
	var m ServerMsg
	if err := json.Unmarshal(b, &m, json.RejectUnknownMembers(true)); err != nil {
		t.Fatalf("reply %s: %v", b, err)
	}
	return m
}

// closedWith reads until the server closes and returns its close frame.
func closedWith(t *testing.T, c *websocket.Conn) websocket.CloseError {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		_, _, err := c.Read(ctx)
		if err == nil {
			continue
		}
		var ce websocket.CloseError
		if !errors.As(err, &ce) {
			t.Fatalf("read ended with %v, want a close frame", err)
		}
		return ce
	}
}

func TestEcho(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.dial(t, "/rooms/lobby/ws?name=ann", nil)
	for i, text := range []string{"hello", "héllo wörld", "third"} {
		msg, _ := json.Marshal(ClientMsg{Text: text, Count: i})
		send(t, c, string(msg))
		got := receive(t, c)
		if want := (ServerMsg{From: "ann", Text: text, Seq: i + 1}); got != want {
			t.Errorf("got %+v, want %+v", got, want)
		}
	}
	if err := c.Close(websocket.StatusNormalClosure, "done"); err != nil {
		t.Fatalf("close: %v", err)
	}
	if got := h.endedWith(t); got.Code != ws.StatusNormalClosure || got.Reason != "done" {
		t.Errorf("server saw %v, want the client's 1000 done", got)
	}
}

// TestRefusedMessages sends messages a session does not take: each
// closes it with a code the client sees and the handler's Receive
// returns.
func TestRefusedMessages(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		binary bool
		msg    string
		code   ws.StatusCode
		reason string // a substring of the close reason
	}{
		{name: "not JSON", msg: `{"text":`, code: ws.StatusPolicyViolation, reason: "invalid JSON: unexpected end of JSON input"},
		{name: "empty", msg: ``, code: ws.StatusPolicyViolation, reason: "invalid JSON"},
		{name: "duplicate member", msg: `{"text":"a","text":"b"}`, code: ws.StatusPolicyViolation, reason: `duplicate member name "text"`},
		{name: "unknown member", msg: `{"text":"a","admin":true}`, code: ws.StatusPolicyViolation, reason: "/admin:"},
		{name: "wrong type", msg: `{"text":5}`, code: ws.StatusPolicyViolation, reason: "/text: must be a string"},
		{name: "missing member", msg: `{}`, code: ws.StatusPolicyViolation, reason: "text"},
		{name: "too long", msg: `{"text":"` + strings.Repeat("x", 51) + `"}`, code: ws.StatusPolicyViolation, reason: "/text: "},
		{name: "too small", msg: `{"text":"a","count":-1}`, code: ws.StatusPolicyViolation, reason: "/count: "},
		{name: "null", msg: `null`, code: ws.StatusPolicyViolation, reason: "message: must not be null"},
		{name: "refused by Validate", msg: `{"text":"  "}`, code: ws.StatusPolicyViolation, reason: "/text: must not be blank"},
		{name: "not UTF-8", msg: "{\"text\":\"a\xff\"}", code: ws.StatusInvalidFramePayloadData, reason: "not valid UTF-8"},
		{name: "binary", binary: true, msg: `{"text":"a"}`, code: ws.StatusUnsupportedData, reason: "binary messages are not accepted"},
		{name: "oversize", msg: `{"text":"` + strings.Repeat("x", 300) + `"}`, code: ws.StatusMessageTooBig, reason: "larger than the limit of 256 bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, ws.ReadLimit(256))
			c := h.dial(t, "/rooms/lobby/ws?name=ann", nil)
			typ := websocket.MessageText
			if tt.binary {
				typ = websocket.MessageBinary
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := c.Write(ctx, typ, []byte(tt.msg)); err != nil {
				t.Fatalf("write: %v", err)
			}
			got := closedWith(t, c)
			if ws.StatusCode(got.Code) != tt.code || !strings.Contains(got.Reason, tt.reason) {
				t.Errorf("client got close %d %q, want %d containing %q", got.Code, got.Reason, tt.code, tt.reason)
			}
			if len(got.Reason) > ws.MaxReasonLen {
				t.Errorf("reason of %d bytes, over %d", len(got.Reason), ws.MaxReasonLen)
			}
			server := h.endedWith(t)
			if server.Code != tt.code {
				t.Errorf("handler's Receive got %v, want code %d", server, tt.code)
			}
		})
	}
}

// TestHandlerEnds covers the ways a handler ends a session.
func TestHandlerEnds(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		msg    string
		code   websocket.StatusCode
		reason string
		logged string // a substring of the error log, or ""
	}{
		{msg: "close", code: 4000, reason: "bye"},
		{msg: "fail", code: websocket.StatusInternalError, reason: "internal error", logged: "boom"},
		{msg: "panic", code: websocket.StatusInternalError, reason: "internal error", logged: "kaboom"},
	} {
		t.Run(tt.msg, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			c := h.dial(t, "/rooms/lobby/ws?name=ann", nil)
			send(t, c, `{"text":"`+tt.msg+`"}`)
			got := closedWith(t, c)
			if got.Code != tt.code || got.Reason != tt.reason {
				t.Errorf("got close %d %q, want %d %q", got.Code, got.Reason, tt.code, tt.reason)
			}
			if tt.logged == "" {
				return
			}
			deadline := time.Now().Add(5 * time.Second)
			for !strings.Contains(h.logs.String(), tt.logged) {
				if time.Now().After(deadline) {
					t.Fatalf("log %q does not mention %q", h.logs.String(), tt.logged)
				}
				time.Sleep(10 * time.Millisecond)
			}
			if !strings.Contains(h.logs.String(), "level=ERROR") {
				t.Errorf("log %q has no error", h.logs.String())
			}
		})
	}
}

// handshake builds a WebSocket handshake request; edit modifies it.
func handshake(t *testing.T, url string, edit func(r *http.Request)) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Connection", "Upgrade")
	r.Header.Set("Upgrade", "websocket")
	r.Header.Set("Sec-WebSocket-Version", "13")
	r.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
	if edit != nil {
		edit(r)
	}
	return r
}

// TestHandshakeRefused sends requests that must not be upgraded, over
// loopback, and checks each gets its problem.
func TestHandshakeRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t, ws.OriginPatterns("*.example.com"))
	for _, tt := range []struct {
		name   string
		path   string
		edit   func(r *http.Request)
		status int
		header [2]string // a header the response must carry
	}{
		{name: "plain GET", path: "/rooms/lobby/ws?name=ann", edit: func(r *http.Request) {
			r.Header = http.Header{}
		}, status: 426, header: [2]string{"Upgrade", "websocket"}},
		{name: "no Upgrade", path: "/rooms/lobby/ws?name=ann", edit: func(r *http.Request) {
			r.Header.Del("Upgrade")
		}, status: 426, header: [2]string{"Upgrade", "websocket"}},
		{name: "old version", path: "/rooms/lobby/ws?name=ann", edit: func(r *http.Request) {
			r.Header.Set("Sec-WebSocket-Version", "8")
		}, status: 426, header: [2]string{"Sec-WebSocket-Version", "13"}},
		{name: "no key", path: "/rooms/lobby/ws?name=ann", edit: func(r *http.Request) {
			r.Header.Del("Sec-WebSocket-Key")
		}, status: 400},
		{name: "short key", path: "/rooms/lobby/ws?name=ann", edit: func(r *http.Request) {
			r.Header.Set("Sec-WebSocket-Key", "c2hvcnQ=")
		}, status: 400},
		{name: "foreign origin", path: "/rooms/lobby/ws?name=ann", edit: func(r *http.Request) {
			r.Header.Set("Origin", "https://evil.test")
		}, status: 403},
		{name: "null origin", path: "/rooms/lobby/ws?name=ann", edit: func(r *http.Request) {
			r.Header.Set("Origin", "null")
		}, status: 403},
		{name: "bad room", path: "/rooms/Lobby!/ws?name=ann", status: 422},
		{name: "no name", path: "/rooms/lobby/ws", status: 422},
		{name: "long name", path: "/rooms/lobby/ws?name=" + strings.Repeat("n", 21), status: 422},
		{name: "handler refuses", path: "/rooms/closed/ws?name=ann", status: 404},
		{name: "HEAD", path: "/rooms/lobby/ws?name=ann", edit: func(r *http.Request) {
			r.Method = http.MethodHead
		}, status: 405, header: [2]string{"Allow", "GET"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, err := h.client.Do(handshake(t, h.srv.URL+tt.path, tt.edit))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var p roux.Error
			if tt.edit == nil || resp.Request.Method != http.MethodHead {
				if err := json.UnmarshalRead(resp.Body, &p); err != nil {
					t.Fatalf("status %d, body not a problem: %v", resp.StatusCode, err)
				}
			}
			if resp.StatusCode != tt.status {
				t.Fatalf("got %d %+v, want %d", resp.StatusCode, p, tt.status)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("got Content-Type %q, want application/problem+json", ct)
			}
			if k := tt.header[0]; k != "" && resp.Header.Get(k) != tt.header[1] {
				t.Errorf("got %s %q, want %q", k, resp.Header.Get(k), tt.header[1])
			}
		})
	}
}

func TestOrigins(t *testing.T) {
	t.Parallel()
	h := newHarness(t, ws.OriginPatterns("*.example.com", "http://localhost:*"))
	for _, tt := range []struct {
		origin string
		ok     bool
	}{
		{"", true},
		{"http://" + strings.TrimPrefix(h.srv.URL, "http://"), true}, // same origin
		{"https://chat.example.com", true},
		{"https://CHAT.Example.com", true},
		{"https://example.com", false},
		{"http://localhost:5173", true},
		{"https://localhost:5173", false},
		{"https://evil.test", false},
		{"null", false},
		{"::not a url", false},
	} {
		t.Run(tt.origin, func(t *testing.T) {
			t.Parallel()
			resp, err := h.client.Do(handshake(t, h.srv.URL+"/rooms/lobby/ws?name=ann", func(r *http.Request) {
				if tt.origin != "" {
					r.Header.Set("Origin", tt.origin)
				}
			}))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			want := http.StatusForbidden
			if tt.ok {
				want = http.StatusSwitchingProtocols
			}
			if resp.StatusCode != want {
				t.Errorf("origin %q: got %d, want %d", tt.origin, resp.StatusCode, want)
			}
		})
	}
}

func TestSubprotocol(t *testing.T) {
	t.Parallel()
	h := newHarness(t, ws.Subprotocols("chat.v2", "chat.v1"))
	for _, tt := range []struct {
		offer []string
		want  string
	}{
		{[]string{"chat.v1"}, "chat.v1"},
		{[]string{"chat.v1", "chat.v2"}, "chat.v2"},
		{[]string{"other"}, ""},
		{nil, ""},
	} {
		c := h.dial(t, "/rooms/lobby/ws?name=ann", &websocket.DialOptions{Subprotocols: tt.offer})
		if c.Subprotocol() != tt.want {
			t.Errorf("offer %v: client got %q, want %q", tt.offer, c.Subprotocol(), tt.want)
		}
		send(t, c, `{"text":"proto"}`)
		if got := receive(t, c); got.Text != "subprotocol "+tt.want {
			t.Errorf("offer %v: handler got %q, want %q", tt.offer, got.Text, tt.want)
		}
		c.Close(websocket.StatusNormalClosure, "")
	}
}

func TestPing(t *testing.T) {
	t.Parallel()
	opts := []ws.Option{ws.PingInterval(20 * time.Millisecond), ws.PongTimeout(pongTimeout)}

	t.Run("alive", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, opts...)
		pings := make(chan struct{}, 100)
		c := h.dial(t, "/rooms/lobby/ws?name=ann", &websocket.DialOptions{
			OnPingReceived: func(context.Context, []byte) bool { pings <- struct{}{}; return true },
		})
		go c.Read(context.Background()) // answers pings until the connection closes
		timeout := time.After(5 * time.Second)
		for range 10 {
			select {
			case <-pings:
			case <-timeout:
				t.Fatal("fewer than 10 pings in 5s")
			}
		}
		select {
		case err := <-h.ended:
			t.Fatalf("the session ended while the client answered pings: %v", err)
		default:
		}
	})

	t.Run("dead", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, opts...)
		c := h.dial(t, "/rooms/lobby/ws?name=ann", &websocket.DialOptions{
			OnPingReceived: func(context.Context, []byte) bool { return false }, // never pong
		})
		send(t, c, `{"text":"wait"}`)
		got := h.endedWith(t)
		if got.Code != ws.StatusAbnormalClosure || !strings.Contains(got.Reason, "no pong within 300ms") {
			t.Errorf("got %v, want 1006 no pong", got)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, _, err := c.Read(ctx); err == nil || ctx.Err() != nil {
			t.Errorf("client read after the drop: %v, want the connection closed", err)
		}
	})

	t.Run("slow handler", func(t *testing.T) {
		// A handler that takes longer than the pong timeout between
		// two Receives, while the client has sent more, keeps its
		// session: the pongs wait behind the unread message.
		t.Parallel()
		h := newHarness(t, opts...)
		c := h.dial(t, "/rooms/lobby/ws?name=ann", nil)
		send(t, c, `{"text":"sleep"}`)
		send(t, c, `{"text":"two"}`)
		send(t, c, `{"text":"three"}`)
		for _, want := range []string{"sleep", "two", "three"} {
			if got := receive(t, c); got.Text != want {
				t.Errorf("got %q, want %q", got.Text, want)
			}
		}
		select {
		case err := <-h.ended:
			t.Fatalf("the session of a slow handler ended: %v", err)
		default:
		}
	})
}

// TestDocument checks the operation's description.
func TestDocument(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	doc := h.api.OpenAPI()
	op := doc.Paths["/rooms/{room}/ws"].Get
	if op == nil {
		t.Fatal("no GET /rooms/{room}/ws in the document")
	}
	for _, code := range []string{"101", "400", "403", "405", "422", "426", "500", "503"} {
		if _, ok := op.Responses[code]; !ok {
			t.Errorf("no %s response", code)
		}
	}
	if r := op.Responses["101"]; r != nil && len(r.Content) != 0 {
		t.Errorf("101 response has content %v", r.Content)
	}
	if _, ok := op.Responses["200"]; ok {
		t.Error("a 200 response is documented; the handshake answers 101")
	}
	b, err := json.Marshal(op.Extensions["x-roux-websocket"], json.Deterministic(true))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"contentType":"application/json","receive":{"$ref":"#/components/schemas/ClientMsg"},"send":{"$ref":"#/components/schemas/ServerMsg"}}`
	if string(b) != want {
		t.Errorf("got x-roux-websocket %s, want %s", b, want)
	}
	for _, name := range []string{"ClientMsg", "ServerMsg"} {
		if doc.Components == nil || doc.Components.Schemas[name] == nil {
			t.Errorf("no component schema %s", name)
		}
	}
	v30, err := openapi.Downgrade(doc)
	if err != nil {
		t.Fatalf("downgrading to 3.0: %v", err)
	}
	if !bytes.Contains(v30, []byte(`"x-roux-websocket"`)) || !bytes.Contains(v30, []byte(`"101"`)) {
		t.Errorf("the 3.0 document lost the 101 response or the extension")
	}
}

// TestNotHijackable serves a handshake to a ResponseWriter that cannot be
// hijacked (rouxtest records in memory): a logged 500 problem.
func TestNotHijackable(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := rouxtest.New(t, h.api)
	resp := c.Get("/rooms/lobby/ws?name=ann", "Connection: Upgrade", "Upgrade: websocket",
		"Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==")
	rouxtest.Problem(resp, http.StatusInternalServerError)
	if !strings.Contains(h.logs.String(), "cannot be hijacked") {
		t.Errorf("log %q does not say why", h.logs.String())
	}
}

func TestBadOriginPattern(t *testing.T) {
	t.Parallel()
	h := newHarness(t, ws.OriginPatterns("[a-"))
	resp, err := h.client.Do(handshake(t, h.srv.URL+"/rooms/lobby/ws?name=ann", nil))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("got %d, want 500", resp.StatusCode)
	}
	if !strings.Contains(h.logs.String(), "malformed") {
		t.Errorf("log %q does not name the pattern", h.logs.String())
	}
}

func TestZeroSession(t *testing.T) {
	t.Parallel()
	api := roux.New(roux.Config{Logger: slog.New(slog.DiscardHandler)})
	roux.Get(api, "/ws", func(ctx context.Context, in *struct{}) (*ws.Session[ClientMsg, ServerMsg], error) {
		return &ws.Session[ClientMsg, ServerMsg]{}, nil
	})
	c := rouxtest.New(t, api)
	rouxtest.Problem(c.Get("/ws"), http.StatusInternalServerError)
}

type unsendable struct {
	F func() `json:"f"`
}

func TestRegistrationErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		register func(api *roux.API)
		want     string
	}{
		{"undecodable", func(api *roux.API) {
			roux.Get(api, "/ws", func(ctx context.Context, in *struct{}) (*ws.Session[chan int, ServerMsg], error) {
				return nil, nil
			})
		}, "received messages"},
		{"unencodable", func(api *roux.API) {
			roux.Get(api, "/ws", func(ctx context.Context, in *struct{}) (*ws.Session[ClientMsg, unsendable], error) {
				return nil, nil
			})
		}, "sent messages"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			defer func() {
				err, _ := recover().(error)
				var re *roux.RegistrationError
				if !errors.As(err, &re) || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("got %v, want a registration error about %s", err, tt.want)
				}
			}()
			tt.register(roux.New(roux.Config{}))
		})
	}
}

// TestBehindMiddleware upgrades through roux's middleware, which unwrap
// to the connection, and gives the session the request's values.
func TestBehindMiddleware(t *testing.T) {
	t.Parallel()
	logs := &lockedBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	api := roux.New(roux.Config{Logger: logger})
	api.Use(middleware.Recover(logger), middleware.RequestID(), middleware.AccessLog(logger), middleware.Compress())
	roux.Get(api, "/ws", func(ctx context.Context, in *struct{}) (*ws.Session[ClientMsg, ServerMsg], error) {
		return ws.Accept(func(ctx context.Context, c *ws.Conn[ClientMsg, ServerMsg]) error {
			m, err := c.Receive(ctx)
			if err != nil {
				return err
			}
			return c.Send(ctx, &ServerMsg{From: middleware.RequestIDFrom(ctx), Text: m.Text})
		}), nil
	})
	srv := httptest.NewServer(api)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/ws", &websocket.DialOptions{
		HTTPClient: client, HTTPHeader: http.Header{"Accept-Encoding": {"gzip"}, "X-Request-Id": {"req-42"}},
	})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c.CloseNow()
	send(t, c, `{"text":"hi"}`)
	if got := receive(t, c); got.Text != "hi" || got.From == "" {
		t.Errorf("got %+v, want the echo with the request id", got)
	}
	if got := closedWith(t, c); got.Code != websocket.StatusNormalClosure {
		t.Errorf("got close %d, want 1000", got.Code)
	}
}
