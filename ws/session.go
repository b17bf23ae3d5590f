package ws

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/middleware"
	"github.com/roux-go/roux/openapi"
)

// Handler runs one WebSocket session: it receives the client's messages
// and sends its own through c until it returns or ctx ends. ctx ends when
// the session does — the peer closed or vanished, a message was refused,
// the server is shutting down — and context.Cause(ctx) is then the
// *[CloseError] that says why.
//
// Returning nil closes the session normally (1000); returning a
// *[CloseError] closes it with that code and reason; returning another
// error closes it with [StatusInternalError] (1011, reason "internal
// error") and logs the error through roux, unless the session had already
// ended, which makes such errors expected.
type Handler[In, Out any] func(ctx context.Context, c *Conn[In, Out]) error

// Session is the output body of a WebSocket endpoint: a GET operation
// whose handler checks the handshake's inputs and returns [Accept]'s
// session. roux binds and validates the path, query, header and cookie
// inputs, applies security and dependencies and runs that handler as for
// any operation, so a bad request gets its 422 (or 401, 404, ...) problem
// before anything is upgraded. Then the session checks the handshake
// (426 for a request that is no WebSocket handshake, 400 for a malformed
// one, 403 for an origin that is not allowed, all problem+json), upgrades
// the connection (101 Switching Protocols) and runs the handler. While
// the API shuts down, handshakes get 503.
//
// The operation's handler runs before the handshake is checked, so work
// that only an upgraded connection should do (joining a room, say)
// belongs in the session's handler.
//
// In is the type of the messages the client sends, Out of those the server
// sends; each message is one JSON text message. Both are described in the
// OpenAPI document under the operation's "x-roux-websocket" extension.
//
// The zero value has no handler and answers 500; build sessions with
// [Accept].
type Session[In, Out any] struct {
	handler Handler[In, Out]
	cfg     config
}

// Accept returns a session that runs h, configured by opts.
func Accept[In, Out any](h Handler[In, Out], opts ...Option) *Session[In, Out] {
	return &Session[In, Out]{handler: h, cfg: newConfig(opts)}
}

// WriteResponse upgrades the connection and runs the session until its
// handler returns, then closes the connection and returns once every
// goroutine of the session has. It implements [roux.ResponseBody]. The
// status in rc is not used: an upgrade is always 101.
func (s *Session[In, Out]) WriteResponse(rc *roux.ResponseContext) (err error) {
	if s.handler == nil {
		rc.WriteProblem(errors.New("ws: a Session without a handler; build it with ws.Accept"))
		return nil
	}
	cfg := s.cfg
	if err := checkPatterns(cfg.originPatterns); err != nil {
		rc.WriteProblem(err)
		return nil
	}
	p, err := planFor(reflect.TypeFor[In](), nil)
	if err != nil {
		rc.WriteProblem(fmt.Errorf("ws: messages of %s: %w", rc.OperationID(), err))
		return nil
	}
	if perr := handshakeProblem(rc.R, cfg.originPatterns); perr != nil {
		rc.WriteProblem(perr)
		return nil
	}
	select {
	case <-rc.Stopping():
		// Upgrading only to close at once would tell the client less.
		rc.WriteProblem(roux.NewError(http.StatusServiceUnavailable, "the server is shutting down").WithHeader("Retry-After", "5"))
		return nil
	default:
	}
	if !hijackable(rc.W) {
		rc.WriteProblem(fmt.Errorf("ws: %s: the http.ResponseWriter cannot be hijacked (a middleware wraps it without Unwrap)", rc.OperationID()))
		return nil
	}
	// The session leaves the load shedder's concurrency limit, if one
	// admitted it, for its cap on long-lived responses.
	if err := middleware.MarkLongLived(rc.R); err != nil {
		var full *middleware.LongLivedLimitError
		errors.As(err, &full)
		rc.WriteProblem(roux.NewError(http.StatusServiceUnavailable, "the server has too many WebSocket sessions open; retry later").
			WithHeader("Retry-After", strconv.Itoa(int(full.RetryAfter/time.Second))))
		return nil
	}
	// The guard refuses a frame past the read limit as soon as its
	// header arrives (see guard.go).
	wc, err := websocket.Accept(&guardedWriter{ResponseWriter: rc.W, limit: cfg.readLimit}, rc.R, &websocket.AcceptOptions{
		Subprotocols: cfg.subprotocols,
		// handshakeProblem has checked the origin, with the same rules.
		InsecureSkipVerify: true,
	})
	if err != nil {
		return err // only hijacking can fail now; the library has answered
	}
	wc.SetReadLimit(-1) // the guard and the reader keep cfg.readLimit

	sess := newSession(rc.R.Context(), wc, cfg)
	sess.start(rc.Stopping())
	c := &Conn[In, Out]{s: sess, plan: p}
	defer func() {
		if v := recover(); v != nil {
			sess.finish(StatusInternalError, "internal error", true)
			sess.wait()
			err = fmt.Errorf("ws: handler panicked: %v\n%s", v, debug.Stack())
		}
	}()
	herr := s.handler(sess.ctx, c)
	ended := sess.ctx.Err() != nil
	var ce *CloseError
	switch {
	case herr == nil:
		sess.finish(StatusNormalClosure, "", true)
	case errors.As(herr, &ce) && ce.Code.sendable():
		sess.finish(ce.Code, truncateReason(ce.Reason), true)
		herr = nil
	case ended:
		// The session was over, so the handler's failure follows from it
		// (a Send to a closed connection, a cancelled context).
		rc.Logger().LogAttrs(rc.R.Context(), slog.LevelDebug, "ws: handler returned after the session ended",
			slog.String("operation", rc.OperationID()), slog.String("error", herr.Error()))
		herr = nil
	default:
		sess.finish(StatusInternalError, "internal error", true)
	}
	sess.wait()
	return herr
}

// hijackable reports whether w, or a writer it unwraps to, can be
// hijacked, as an upgrade needs.
func hijackable(w http.ResponseWriter) bool {
	for {
		switch t := w.(type) {
		case http.Hijacker:
			return true
		case interface{ Unwrap() http.ResponseWriter }:
			w = t.Unwrap()
		default:
			return false
		}
	}
}

// DescribeBody documents the endpoint: the success response is 101
// Switching Protocols without content, the refusals of a handshake are
// problems, and the operation's "x-roux-websocket" extension gives the
// schemas of the messages:
//
//	"x-roux-websocket": {
//	  "receive": {"$ref": "#/components/schemas/ClientMsg"},
//	  "send": {"$ref": "#/components/schemas/ServerMsg"},
//	  "contentType": "application/json"
//	}
//
// "receive" is what the server receives (the client sends), "send" what
// it sends. It also compiles the decoder and validator of In, so that a
// type that cannot be decoded fails registration. It implements
// [roux.BodyDescriber].
func (*Session[In, Out]) DescribeBody(d *roux.BodyDoc) error {
	in, out := reflect.TypeFor[In](), reflect.TypeFor[Out]()
	inSchema, err := d.Registry.Schema(in)
	if err != nil {
		return fmt.Errorf("ws: received messages: %w", err)
	}
	if _, err := planFor(in, d.Registry); err != nil {
		return fmt.Errorf("ws: received messages: %w", err)
	}
	outSchema, err := d.Registry.Schema(out)
	if err != nil {
		return fmt.Errorf("ws: sent messages: %w", err)
	}
	if err := checkEncodable(out); err != nil {
		return fmt.Errorf("ws: sent messages: %w", err)
	}
	d.Status = http.StatusSwitchingProtocols
	d.Response.Description = "Switching Protocols: the connection is a WebSocket session carrying the JSON messages of x-roux-websocket"
	d.Response.Content = nil
	op := d.Operation
	if op.Extensions == nil {
		op.Extensions = map[string]any{}
	}
	op.Extensions["x-roux-websocket"] = map[string]any{
		"receive":     inSchema,
		"send":        outSchema,
		"contentType": "application/json",
	}
	var problems map[string]*openapi.MediaType
	if r := op.Responses["500"]; r != nil {
		problems = r.Content
	}
	for status, desc := range map[int]string{
		http.StatusBadRequest:         "A malformed WebSocket handshake",
		http.StatusForbidden:          "The Origin may not open this WebSocket",
		http.StatusUpgradeRequired:    "Not a WebSocket handshake, or not version 13",
		http.StatusMethodNotAllowed:   "A handshake with another method than GET",
		http.StatusServiceUnavailable: "The server is shutting down",
	} {
		key := fmt.Sprint(status)
		if _, set := op.Responses[key]; !set {
			op.Responses[key] = &openapi.Response{Description: desc, Content: problems}
		}
	}
	return nil
}

// session is the state one connection's goroutines share.
type session struct {
	wc     *websocket.Conn
	cfg    config
	ctx    context.Context // the handler's; its cause is the *CloseError
	cancel context.CancelCauseFunc
	once   sync.Once
	wg     sync.WaitGroup
	msgs   chan message // unbuffered: see read
	stall  stall
}

type message struct {
	typ  websocket.MessageType
	data []byte
}

// newSession returns the session of wc. Its context keeps the request's
// values but not its cancellation: the session's own end is what cancels
// it, always with a *CloseError for cause and always with the connection
// closed, which is what ends the reader.
func newSession(req context.Context, wc *websocket.Conn, cfg config) *session {
	ctx, cancel := context.WithCancelCause(context.WithoutCancel(req))
	return &session{wc: wc, cfg: cfg, ctx: ctx, cancel: cancel, msgs: make(chan message)}
}

// start runs the reader, the pinger and the shutdown watch.
func (s *session) start(stopping <-chan struct{}) {
	s.wg.Add(2)
	go s.read()
	go func() {
		defer s.wg.Done()
		select {
		case <-stopping:
			s.finish(StatusGoingAway, "the server is shutting down", true)
		case <-s.ctx.Done():
		}
	}()
	if s.cfg.pingInterval > 0 {
		s.wg.Add(1)
		go s.ping()
	}
}

// wait waits for the session's goroutines. Every path that ends a session
// calls finish, which closes the connection, and that ends them.
func (s *session) wait() { s.wg.Wait() }

// finish ends the session, once: it records why in the context's cause,
// cancelling the handler's context, and closes the connection, with the
// close handshake (which waits up to 10 seconds for the peer) or at once.
// Later calls do nothing.
func (s *session) finish(code StatusCode, reason string, handshake bool) {
	first := false
	s.once.Do(func() {
		first = true
		s.cancel(&CloseError{Code: code, Reason: reason})
	})
	if !first {
		return
	}
	if handshake && code.sendable() {
		_ = s.wc.Close(websocket.StatusCode(code), truncateReason(reason)) // the peer may be gone; nothing to do about it
	} else {
		_ = s.wc.CloseNow()
	}
}

// ended returns the *CloseError of a session that is over, or nil.
func (s *session) ended() error {
	if s.ctx.Err() == nil {
		return nil
	}
	return context.Cause(s.ctx)
}
