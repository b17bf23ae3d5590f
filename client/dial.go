package client

// A session's connection is read by one goroutine, as the server's is
// (package ws): the websocket library answers pings and sees the close
// frame only while a read is under way, so reading must not wait for the
// caller's Receive. The reader hands each message over an unbuffered
// channel and reads the next once it is taken, so the server cannot queue
// up more than one; while a message waits, pings go unanswered. Whatever
// ends the session — the server's close, a lost connection, a message
// refused, Close — is recorded once, as a *ws.CloseError, and every later
// Send and Receive returns it.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/coder/websocket"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/ws"
)

// socketConfig is how Dial opens sessions; New starts from the defaults.
type socketConfig struct {
	subprotocols []string
	readLimit    int64
}

// Subprotocols lists the subprotocols [Dial] offers the server, in order
// of preference; [Conn.Subprotocol] returns the one it chose, if any.
// Without it none is offered. The subprotocols of several Subprotocols
// add up.
func Subprotocols(protocols ...string) Option {
	protocols = slices.Clone(protocols)
	return optionFunc(func(c *config) {
		c.socket.subprotocols = append(c.socket.subprotocols[:len(c.socket.subprotocols):len(c.socket.subprotocols)], protocols...)
	})
}

// ReadLimit sets the largest message a session that [Dial] opens accepts
// from the server, in bytes; a larger one closes the session with
// ws.StatusMessageTooBig. It defaults to ws.DefaultReadLimit; zero or
// less keeps the default.
func ReadLimit(n int64) Option {
	return optionFunc(func(c *config) { setPositive(&c.socket.readLimit, n) })
}

// Conn is the client's side of a WebSocket session: it sends messages of
// type In and receives messages of type Out — the type arguments of the
// operation's ws.Session — each one JSON text message. Its methods are
// safe for concurrent use. Close it when done: a goroutine reads the
// connection until the session ends.
type Conn[In, Out any] struct {
	s *socket
}

// Dial opens a WebSocket session of op, an operation whose output is a
// ws.Session[In, Out], with the handshake input in (nil is the zero
// input): path, query, header and cookie fields are sent as [Call] sends
// them, with the client's headers and request editors, through its
// http.Client. ctx bounds the handshake only; the session lasts until
// it is closed.
//
// A refused handshake returns a *roux.Error, as Call does: the
// operation's own problems (401, 404, 422, ...) and the session's (403
// for an origin, 503 while the server shuts down). An http.Client whose
// transport speaks HTTP/2 over TLS cannot upgrade; give Dial one that
// speaks HTTP/1.1.
func Dial[Q, In, Out any](ctx context.Context, c *Client, op *roux.Operation[Q, ws.Session[In, Out]], in *Q, opts ...Option) (*Conn[In, Out], error) {
	if in == nil {
		in = new(Q)
	}
	s, err := c.dial(ctx, op, unsafe.Pointer(in), opts, reflect.TypeFor[ws.Session[In, Out]]())
	if err != nil {
		return nil, err
	}
	return &Conn[In, Out]{s: s}, nil
}

// wsPkg is package ws's path, by which Call recognizes sessions.
var wsPkg = reflect.TypeFor[ws.CloseError]().PkgPath()

// dial makes the handshake of op with the input at in and starts the
// session's reader.
func (c *Client) dial(ctx context.Context, op any, in unsafe.Pointer, opts []Option, want reflect.Type) (*socket, error) {
	p, cfg, r, err := c.start(op, in, opts, want)
	if err != nil {
		return nil, err
	}
	req, err := c.newRequest(ctx, cfg, p, r)
	if err != nil {
		return nil, err
	}
	req.Header.Del("Accept")
	wc, resp, err := websocket.Dial(ctx, req.URL.String(), &websocket.DialOptions{
		HTTPClient: cfg.hc, HTTPHeader: req.Header, Host: req.Host, Subprotocols: cfg.socket.subprotocols,
	})
	if err != nil {
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			return nil, problemOf(resp)
		}
		return nil, fmt.Errorf("client: %s: %w", p.ID, err)
	}
	limit := cfg.socket.readLimit
	wc.SetReadLimit(-1) // the reader keeps limit, to close with a reason of its own
	s := &socket{wc: wc, id: p.ID, limit: limit, msgs: make(chan message), read: make(chan struct{})}
	s.ctx, s.cancel = context.WithCancelCause(context.Background())
	go s.reader()
	return s, nil
}

// Send sends m to the server as one JSON text message. m is checked
// first as the server will check it (ws.EncodeMessage): a message the
// server would refuse is not sent, and Send fails with an error wrapping
// [ErrInvalid] that gives the reason, while the session goes on. If ctx
// ends before the message is written, the connection is dropped, since
// a message half written cannot be taken back. Once the session is over,
// Send returns the *ws.CloseError of its end.
func (c *Conn[In, Out]) Send(ctx context.Context, m *In) error {
	if err := c.s.ended(); err != nil {
		return err
	}
	b, err := ws.EncodeMessage(m)
	if err != nil {
		var ce *ws.CloseError
		if errors.As(err, &ce) {
			return fmt.Errorf("client: %s: message not sent, the server would refuse it: %s: %w", c.s.id, ce.Reason, ErrInvalid)
		}
		return fmt.Errorf("client: %s: %w", c.s.id, err)
	}
	if err := c.s.wc.Write(ctx, websocket.MessageText, b); err != nil {
		if end := c.s.ended(); end != nil {
			return end
		}
		return fmt.Errorf("client: %s: sending a message: %w", c.s.id, err)
	}
	return nil
}

// Receive returns the next message from the server, decoded and
// validated as the server takes the client's (ws.DecodeMessage): strictly
// (members Out does not declare, and members named twice, are refused),
// against the schema of Out, then by the Validate methods of Out and of
// the types inside it (roux.Validator). The session's messages are a
// contract both ways: a message that breaks it closes the session, with
// ws.StatusPolicyViolation (1008) and a reason naming the first failure
// (its JSON Pointer and what is wrong), or ws.StatusInvalidFramePayloadData
// (1007) for text that is not UTF-8; a binary message closes it with
// ws.StatusUnsupportedData. Then, and once the session is over for any
// reason — the server closed it, the connection was lost (1006), a
// message was over the read limit (1009) — Receive returns the
// *ws.CloseError of its end; use errors.As. If ctx ends first, Receive
// returns ctx.Err() and the session goes on.
func (c *Conn[In, Out]) Receive(ctx context.Context) (*Out, error) {
	data, err := c.s.next(ctx)
	if err != nil {
		return nil, err
	}
	v, err := ws.DecodeMessage[Out](data)
	if err != nil {
		var ce *ws.CloseError
		if !errors.As(err, &ce) {
			return nil, fmt.Errorf("client: %s: %w", c.s.id, err) // Out cannot be decoded at all
		}
		c.s.finish(ce.Code, ce.Reason, true)
		return nil, c.s.ended()
	}
	return v, nil
}

// Close ends the session with code and reason (at most ws.MaxReasonLen
// bytes of it are sent): it sends the close frame, waits for the server's
// (up to five seconds, as the websocket library does) and returns once
// the connection is closed. Use ws.StatusNormalClosure for a normal end.
// Once the session is over, Close does nothing and returns nil.
func (c *Conn[In, Out]) Close(code ws.StatusCode, reason string) error {
	err := c.s.finish(code, reason, true)
	<-c.s.read
	return err
}

// Ping pings the server and waits for its pong, or until ctx ends.
func (c *Conn[In, Out]) Ping(ctx context.Context) error {
	if err := c.s.ended(); err != nil {
		return err
	}
	if err := c.s.wc.Ping(ctx); err != nil {
		if end := c.s.ended(); end != nil {
			return end
		}
		return fmt.Errorf("client: %s: ping: %w", c.s.id, err)
	}
	return nil
}

// Subprotocol returns the subprotocol the server chose among those
// offered ([Subprotocols]), or "".
func (c *Conn[In, Out]) Subprotocol() string { return c.s.wc.Subprotocol() }

// socket is the untyped state of a session.
type socket struct {
	wc     *websocket.Conn
	id     string
	limit  int64
	msgs   chan message  // unbuffered: see reader
	read   chan struct{} // closed when the reader has returned
	ctx    context.Context
	cancel context.CancelCauseFunc // its cause is the *ws.CloseError
	once   sync.Once
}

type message struct {
	typ  websocket.MessageType
	data []byte
}

// reader reads messages until the connection fails or closes.
func (s *socket) reader() {
	defer close(s.read)
	for {
		// Not bounded by a context: the library would drop the
		// connection without a close handshake when it ended. Closing the
		// connection ends a read.
		typ, r, err := s.wc.Reader(context.Background())
		if err != nil {
			s.readFailed(err)
			return
		}
		data, err := io.ReadAll(io.LimitReader(r, s.limit+1))
		if err != nil {
			s.readFailed(err)
			return
		}
		if int64(len(data)) > s.limit {
			s.finish(ws.StatusMessageTooBig, fmt.Sprintf("a message is larger than the limit of %d bytes", s.limit), true)
			return
		}
		select {
		case s.msgs <- message{typ, data}:
		case <-s.ctx.Done():
			return
		}
	}
}

// readFailed ends the session after a failed read.
func (s *socket) readFailed(err error) {
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		// The server closed; the library has answered and closed.
		s.finish(ws.StatusCode(ce.Code), ce.Reason, false)
		return
	}
	s.finish(ws.StatusAbnormalClosure, "the connection was lost: "+err.Error(), false)
}

// next returns the next message's data.
func (s *socket) next(ctx context.Context) ([]byte, error) {
	if err := s.ended(); err != nil {
		return nil, err
	}
	select {
	case m := <-s.msgs:
		if m.typ != websocket.MessageText {
			s.finish(ws.StatusUnsupportedData, "binary messages are not accepted; send JSON text messages", true)
			return nil, s.ended()
		}
		return m.data, nil
	case <-s.ctx.Done():
		return nil, s.ended()
	case <-ctx.Done():
		if err := s.ended(); err != nil {
			return nil, err
		}
		return nil, ctx.Err()
	}
}

// finish ends the session, once: it records why and closes the
// connection, with the close handshake or at once. Later calls do
// nothing and return nil.
func (s *socket) finish(code ws.StatusCode, reason string, handshake bool) error {
	first := false
	reason = closeReason(reason)
	s.once.Do(func() {
		first = true
		s.cancel(&ws.CloseError{Code: code, Reason: reason})
	})
	if !first {
		return nil
	}
	if handshake {
		if err := s.wc.Close(websocket.StatusCode(code), reason); err != nil {
			s.wc.CloseNow() //nolint:errcheck // the close handshake failed already
			return fmt.Errorf("client: %s: closing the session: %w", s.id, err)
		}
		return nil
	}
	return s.wc.CloseNow()
}

// ended returns the *ws.CloseError of a session that is over, or nil.
func (s *socket) ended() error {
	if s.ctx.Err() == nil {
		return nil
	}
	return context.Cause(s.ctx)
}

// closeReason cuts a reason to what a close frame carries: at most
// ws.MaxReasonLen bytes of valid UTF-8, cut at a character boundary.
func closeReason(s string) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) <= ws.MaxReasonLen {
		return s
	}
	cut := ws.MaxReasonLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
