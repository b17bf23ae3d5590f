package client_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/client"
	"github.com/roux-go/roux/ws"
)

type RoomIn struct {
	Room string `path:"room" pattern:"^[a-z]+$"`
	Name string `query:"name" required:"true" maxLength:"20"`
}

type Say struct {
	Text string `json:"text" minLength:"1" maxLength:"50"`
}

type Heard struct {
	From string `json:"from"`
	Text string `json:"text"`
	Seq  int    `json:"seq"`
	Big  string `json:"big,omitempty"`
}

// Validate refuses a blank text, which Say's schema lets through and the
// server echoes: a rule the client holds the server to.
func (h *Heard) Validate(c *roux.Checks) {
	if strings.TrimSpace(h.Text) == "" {
		c.Member("/text", "blank", "must not be blank")
	}
}

// HeardText declares less than the server sends.
type HeardText struct {
	Text string `json:"text"`
}

// rooms is a chat API: its session echoes each message with a sequence
// number, and some texts make it act: "close" ends the session with 4000,
// "big" answers 100 KiB, "proto" answers the subprotocol. How each
// session ended goes to ended, with the name it joined under.
type rooms struct {
	api   *roux.API
	c     *client.Client
	join  *roux.Operation[RoomIn, ws.Session[Say, Heard]]
	ended chan ending
}

type ending struct {
	name string
	err  error
}

func newRooms(t *testing.T) *rooms {
	r := &rooms{api: roux.New(roux.Config{Title: "Chat", Version: "1.0.0"}), ended: make(chan ending, 64)}
	r.join = roux.Get(r.api, "/rooms/{room}/ws", func(ctx context.Context, in *RoomIn) (*ws.Session[Say, Heard], error) {
		if in.Room == "closed" {
			return nil, roux.NewError(http.StatusNotFound, "no such room")
		}
		return ws.Accept(func(ctx context.Context, c *ws.Conn[Say, Heard]) error {
			for seq := 1; ; seq++ {
				m, err := c.Receive(ctx)
				if err != nil {
					r.ended <- ending{in.Name, err}
					return err
				}
				out := &Heard{From: in.Name, Text: m.Text, Seq: seq}
				switch m.Text {
				case "close":
					return &ws.CloseError{Code: 4000, Reason: "bye"}
				case "big":
					out.Big = strings.Repeat("x", 100<<10)
				case "proto":
					out.Text = c.Subprotocol()
				}
				if err := c.Send(ctx, out); err != nil {
					return err
				}
			}
		}, ws.Subprotocols("chat.v2", "chat.v1")), nil
	}, roux.Response(http.StatusNotFound, "No such room", nil))
	srv := newServer(t, r.api)
	t.Cleanup(func() { r.api.Drain() })
	r.c = client.New(srv.URL, client.HTTPClient(srv.Client()))
	return r
}

// endedWith waits for the server's session of name to end and returns
// why.
func (r *rooms) endedWith(t *testing.T, name string) error {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e := <-r.ended:
			if e.name == name {
				return e.err
			}
		case <-timeout:
			t.Fatalf("the server's session of %s did not end", name)
			return nil
		}
	}
}

// refused checks that the next message of conn, the session of name, is
// refused: Receive returns the close 1008 with reason, which the server
// sees too.
func refused[Out any](t *testing.T, r *rooms, conn *client.Conn[Say, Out], name, reason string) {
	t.Helper()
	want := ws.CloseError{Code: ws.StatusPolicyViolation, Reason: reason}
	m, err := conn.Receive(ctx(t))
	var ce *ws.CloseError
	if m != nil || !errors.As(err, &ce) || *ce != want {
		t.Errorf("Receive: got %+v, %v; want the close %v", m, err, want)
	}
	if got := r.endedWith(t, name); !errors.As(got, &ce) || *ce != want {
		t.Errorf("the server saw %v, want %v", got, want)
	}
}

func closeCode(err error) ws.StatusCode {
	var ce *ws.CloseError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return 0
}

func TestDial(t *testing.T) {
	t.Parallel()
	r := newRooms(t)
	cx := ctx(t)
	conn, err := client.Dial(cx, r.c, r.join, &RoomIn{Room: "lobby", Name: "ann"}, client.Subprotocols("chat.v1"))
	if err != nil {
		t.Fatal(err)
	}
	if p := conn.Subprotocol(); p != "chat.v1" {
		t.Errorf("subprotocol %q, want chat.v1", p)
	}
	var got []Heard
	for _, text := range []string{"hello", "proto"} {
		if err := conn.Send(cx, &Say{Text: text}); err != nil {
			t.Fatal(err)
		}
		m, err := conn.Receive(cx)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, *m)
	}
	want := []Heard{{From: "ann", Text: "hello", Seq: 1}, {From: "ann", Text: "chat.v1", Seq: 2}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if err := conn.Ping(cx); err != nil {
		t.Errorf("Ping: %v", err)
	}
	if err := conn.Close(ws.StatusNormalClosure, "done"); err != nil {
		t.Errorf("Close: %v", err)
	}
	if got := r.endedWith(t, "ann"); closeCode(got) != ws.StatusNormalClosure || !strings.Contains(got.Error(), "done") {
		t.Errorf("the server saw %v, want 1000 done", got)
	}
	if _, err := conn.Receive(cx); closeCode(err) != ws.StatusNormalClosure {
		t.Errorf("Receive after Close: %v", err)
	}
	if err := conn.Close(ws.StatusNormalClosure, ""); err != nil {
		t.Errorf("a second Close: %v", err)
	}
}

func TestDialMessages(t *testing.T) {
	t.Parallel()
	r := newRooms(t)
	cx := ctx(t)
	dial := func(t *testing.T, name string, opts ...client.Option) *client.Conn[Say, Heard] {
		t.Helper()
		conn, err := client.Dial(cx, r.c, r.join, &RoomIn{Room: "lobby", Name: name}, opts...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close(ws.StatusNormalClosure, "") })
		return conn
	}
	t.Run("an invalid message is not sent; the session goes on", func(t *testing.T) {
		conn := dial(t, "invalid")
		err := conn.Send(cx, &Say{Text: ""})
		if !errors.Is(err, client.ErrInvalid) || !strings.Contains(err.Error(), "/text: must be at least 1 character long") {
			t.Errorf("got %v, want ErrInvalid with the server's reason", err)
		}
		if err := conn.Send(cx, &Say{Text: "ok"}); err != nil {
			t.Fatal(err)
		}
		if m, err := conn.Receive(cx); err != nil || m.Text != "ok" || m.Seq != 1 {
			t.Errorf("got %+v, %v; want the first message echoed", m, err)
		}
	})
	t.Run("the server's close code", func(t *testing.T) {
		conn := dial(t, "closer")
		if err := conn.Send(cx, &Say{Text: "close"}); err != nil {
			t.Fatal(err)
		}
		_, err := conn.Receive(cx)
		var ce *ws.CloseError
		if !errors.As(err, &ce) || *ce != (ws.CloseError{Code: 4000, Reason: "bye"}) {
			t.Errorf("Receive: got %v, want the close 4000 bye", err)
		}
		if err := conn.Send(cx, &Say{Text: "more"}); closeCode(err) != 4000 {
			t.Errorf("Send after the close: got %v", err)
		}
	})
	t.Run("a message over the read limit", func(t *testing.T) {
		conn := dial(t, "reader", client.ReadLimit(1<<10))
		if err := conn.Send(cx, &Say{Text: "big"}); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Receive(cx); closeCode(err) != ws.StatusMessageTooBig {
			t.Errorf("Receive: got %v, want a close 1009", err)
		}
		if got := r.endedWith(t, "reader"); closeCode(got) != ws.StatusMessageTooBig {
			t.Errorf("the server saw %v, want 1009", got)
		}
	})
	// The server's messages are held to their declaration, as the
	// server holds the client's: the session closes with 1008 and the
	// failure, which the server sees too.
	t.Run("members the client does not declare are refused", func(t *testing.T) {
		narrow := roux.NewOperation[RoomIn, ws.Session[Say, HeardText]](http.MethodGet, "/rooms/{room}/ws")
		conn, err := client.Dial(cx, r.c, narrow, &RoomIn{Room: "lobby", Name: "cy"})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ws.StatusNormalClosure, "")
		if err := conn.Send(cx, &Say{Text: "hi"}); err != nil {
			t.Fatal(err)
		}
		refused(t, r, conn, "cy", `/from: unknown member "from" (and 1 more)`) // and /seq
		if err := conn.Send(cx, &Say{Text: "more"}); closeCode(err) != ws.StatusPolicyViolation {
			t.Errorf("Send after the close: got %v, want the close 1008", err)
		}
	})
	t.Run("a message that fails its type's Validate is refused", func(t *testing.T) {
		conn := dial(t, "blank")
		if err := conn.Send(cx, &Say{Text: " "}); err != nil { // Say has no rule against it
			t.Fatal(err)
		}
		refused(t, r, conn, "blank", "/text: must not be blank")
	})
	t.Run("a Receive whose context ends leaves the session open", func(t *testing.T) {
		conn := dial(t, "patient")
		short, cancel := context.WithTimeout(cx, 20*time.Millisecond)
		defer cancel()
		if _, err := conn.Receive(short); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("got %v, want the context's error", err)
		}
		if err := conn.Send(cx, &Say{Text: "still"}); err != nil {
			t.Fatal(err)
		}
		if m, err := conn.Receive(cx); err != nil || m.Text != "still" {
			t.Errorf("got %+v, %v", m, err)
		}
	})
	t.Run("the server shuts down", func(t *testing.T) {
		r := newRooms(t) // its own, to drain
		conn, err := client.Dial(cx, r.c, r.join, &RoomIn{Room: "lobby", Name: "dee"})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ws.StatusNormalClosure, "")
		r.api.Drain()
		if _, err := conn.Receive(cx); closeCode(err) != ws.StatusGoingAway {
			t.Errorf("got %v, want a close 1001", err)
		}
	})
}

func TestDialRefused(t *testing.T) {
	t.Parallel()
	r := newRooms(t)
	for _, tt := range []struct {
		name   string
		in     *RoomIn
		status int
		detail string
	}{
		{"the operation's problem", &RoomIn{Room: "closed", Name: "ann"}, http.StatusNotFound, "no such room"},
		{"an invalid input", &RoomIn{Room: "Lobby1", Name: "ann"}, http.StatusUnprocessableEntity, `path parameter "room"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			conn, err := client.Dial(ctx(t), r.c, r.join, tt.in)
			var pe *roux.Error
			if conn != nil || !errors.As(err, &pe) || pe.Status != tt.status || !strings.Contains(pe.Detail, tt.detail) {
				t.Errorf("got %v, %v; want a %d problem saying %q", conn, err, tt.status, tt.detail)
			}
		})
	}
	t.Run("Call refuses a session and names Dial", func(t *testing.T) {
		t.Parallel()
		_, err := client.Call(ctx(t), r.c, r.join, &RoomIn{Room: "lobby", Name: "ann"})
		if !errors.Is(err, client.ErrUnsupported) || !strings.Contains(err.Error(), "client.Dial") {
			t.Errorf("got %v, want ErrUnsupported naming client.Dial", err)
		}
	})
}
