package ws

// A session has three goroutines besides the handler's. The reader reads
// messages and hands them to Receive over an unbuffered channel; while it
// reads, the library answers the client's pings and takes the pongs of
// the server's. The pinger pings every PingInterval. The third waits for
// the server to shut down. Whichever learns first that the session is
// over calls finish, which cancels the handler's context and closes the
// connection; the others then return.
//
// A pong that arrives while the reader waits for the handler to take a
// message is only read once the handler does, so a slow handler could
// look like a dead peer. The reader counts the times it had to wait, and
// the pinger does not count a missing pong against the peer when the
// reader waited meanwhile.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/coder/websocket"
	"github.com/go-json-experiment/json"
	"github.com/roux-go/roux/internal/wire"
)

// Conn is the handler's side of a session: it receives messages of type
// In and sends messages of type Out, each one JSON text message.
// Its methods are safe for concurrent use.
type Conn[In, Out any] struct {
	s    *session
	plan *plan
}

// Receive returns the next message from the client, decoded and
// validated as roux validates request bodies: strictly (unknown and
// duplicate members refused), against the schema of In, then by the
// Validate methods of In and of the types inside it ([roux.Validator]).
// A message that is not valid JSON, breaks the schema or fails a Validate
// method closes the session with [StatusPolicyViolation] and a reason
// naming the first failure (its JSON Pointer and what is wrong, such as
// "/text: must be at least 1 character long"); a binary message closes
// it with [StatusUnsupportedData], and a text message that is not UTF-8
// with [StatusInvalidFramePayloadData]. Then, and once the session is over
// for any reason, Receive returns the *[CloseError] of the session's end.
// If ctx ends first, Receive returns ctx.Err() and the session goes on.
func (c *Conn[In, Out]) Receive(ctx context.Context) (*In, error) {
	s := c.s
	if err := s.ended(); err != nil {
		return nil, err
	}
	var m message
	select {
	case m = <-s.msgs:
	case <-s.ctx.Done():
		return nil, s.ended()
	case <-ctx.Done():
		if err := s.ended(); err != nil {
			return nil, err
		}
		return nil, ctx.Err()
	}
	if m.typ != websocket.MessageText {
		s.finish(StatusUnsupportedData, "binary messages are not accepted; send JSON text messages", true)
		return nil, s.ended()
	}
	v := new(In)
	if ce := c.plan.receive(m.data, unsafe.Pointer(v)); ce != nil {
		s.finish(ce.Code, ce.Reason, true)
		return nil, s.ended()
	}
	return v, nil
}

// Send sends m to the client as one JSON text message. If ctx ends
// before the message is written while the session goes on, the
// connection is dropped, since a message half written cannot be taken
// back. Once the session is over, Send returns the *[CloseError] of its
// end.
func (c *Conn[In, Out]) Send(ctx context.Context, m *Out) error {
	s := c.s
	if err := s.ended(); err != nil {
		return err
	}
	if m == nil {
		return errors.New("ws: Send of a nil message")
	}
	b, err := json.Marshal(m, wire.JSON)
	if err != nil {
		return fmt.Errorf("ws: encoding a message: %w", err)
	}
	// The library drops the connection when the context of a write ends.
	// That is right when the caller gives up on a message, but not when
	// the session is ending: then the close handshake, which waits for
	// this write, must still be sent.
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stop := context.AfterFunc(ctx, func() {
		if s.ctx.Err() == nil {
			cancel()
		}
	})
	defer stop()
	if err := s.wc.Write(wctx, websocket.MessageText, b); err != nil {
		if end := s.ended(); end != nil {
			return end
		}
		return fmt.Errorf("ws: sending a message: %w", err)
	}
	return nil
}

// Subprotocol returns the subprotocol chosen from those of [Subprotocols],
// or "" when the client offered none of them.
func (c *Conn[In, Out]) Subprotocol() string { return c.s.wc.Subprotocol() }

// read reads messages until the connection fails or closes, then ends
// the session with the reason. It hands each message to Receive before
// it reads the next, so that a client cannot queue up more than one.
func (s *session) read() {
	defer s.wg.Done()
	for {
		// Reading is not bounded by the session's context: the library
		// would drop the connection without a close handshake when it
		// ends. Closing the connection ends a read.
		typ, r, err := s.wc.Reader(context.Background())
		if err != nil {
			s.readFailed(err)
			return
		}
		// The limit is kept here rather than by the library, whose close
		// reason would be its own.
		data, err := io.ReadAll(io.LimitReader(r, s.cfg.readLimit+1))
		if err != nil {
			s.readFailed(err)
			return
		}
		if int64(len(data)) > s.cfg.readLimit {
			// Not reached while the guard sees the lengths of messages;
			// kept should it ever not (a compressed message).
			s.finish(StatusMessageTooBig, s.tooBig(), true)
			return
		}
		m := message{typ, data}
		select {
		case s.msgs <- m:
			continue
		default:
		}
		s.stall.begin()
		select {
		case s.msgs <- m:
		case <-s.ctx.Done():
		}
		s.stall.end()
		if s.ctx.Err() != nil {
			return
		}
	}
}

// tooBig is the close reason of a message over the read limit.
func (s *session) tooBig() string {
	return fmt.Sprintf("a message is larger than the limit of %d bytes", s.cfg.readLimit)
}

// readFailed ends the session after a failed read.
func (s *session) readFailed(err error) {
	var ce websocket.CloseError
	switch {
	case errors.Is(err, errFrameTooBig):
		// The guard stops reading there, so the close handshake does not
		// wait for a payload that may never end.
		s.finish(StatusMessageTooBig, s.tooBig(), true)
	case errors.As(err, &ce):
		// The peer closed; the library has answered and closed.
		s.finish(StatusCode(ce.Code), ce.Reason, false)
	default:
		s.finish(StatusAbnormalClosure, "the connection was lost: "+err.Error(), false)
	}
}

// ping pings the peer every PingInterval and drops the connection when a
// pong does not come within PongTimeout.
func (s *session) ping() {
	defer s.wg.Done()
	t := time.NewTicker(s.cfg.pingInterval)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
		stalls := s.stall.count()
		// Not bounded by the session's context, whose end would make the
		// library drop the connection in the middle of a close handshake;
		// a closed connection ends the ping.
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.pongTimeout)
		err := s.wc.Ping(ctx)
		cancel()
		if err == nil || s.ctx.Err() != nil || s.stall.since(stalls) {
			continue
		}
		s.finish(StatusAbnormalClosure, fmt.Sprintf("no pong within %v", s.cfg.pongTimeout), false)
		return
	}
}

// stall tracks the reader's waits for the handler.
type stall struct {
	n       atomic.Int64 // waits begun
	waiting atomic.Bool
}

func (st *stall) begin()             { st.n.Add(1); st.waiting.Store(true) }
func (st *stall) end()               { st.waiting.Store(false) }
func (st *stall) count() int64       { return st.n.Load() }
func (st *stall) since(n int64) bool { return st.waiting.Load() || st.n.Load() != n }
