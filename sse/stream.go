package sse

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"reflect"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/middleware"
)

// Defaults of the [Option] values.
const (
	// DefaultKeepAlive is how long a stream stays silent before a
	// keep-alive comment is sent ([KeepAlive]).
	DefaultKeepAlive = 15 * time.Second
	// DefaultWriteTimeout is how long writing one message may take
	// ([WriteTimeout]).
	DefaultWriteTimeout = 10 * time.Second
)

// Stream is an output body that streams events of the union type E: a
// struct whose fields are pointers, each tagged with the name of the
// event it carries:
//
//	type OrderEvent struct {
//		Progress *Progress `event:"progress"`
//		Done     *Done     `event:"done"`
//	}
//
// A handler returns a *Stream made by [New], as its output or as the
// Body of an envelope (whose headers are then sent with the stream). roux
// binds and validates the input and runs the handler first, so a handler
// that returns an error (a 404, say) answers with a problem, as any
// other; once it returns a Stream, the response (status 200, or the
// envelope's) is text/event-stream and the producer runs. The operation's document describes each event.
// Registration fails if E is not such a union.
//
// The zero Stream is not usable: make one with [New].
type Stream[E any] struct {
	produce  func(ctx context.Context, s *Sender[E]) error
	finished bool
	config
}

// config is what the options set.
type config struct {
	keepAlive    time.Duration
	writeTimeout time.Duration
}

// New returns a stream whose events produce sends.
//
// produce runs once the response has started; it sends events with s
// and returns when it has no more to send. Its context is cancelled when
// the client goes away, when a write fails and when the server starts to
// shut down ([roux.API.Drain]): produce must then return, and every Send
// fails. An error it returns is logged by roux, unless the stream ended
// for one of those reasons; the client then sees the stream end. A panic
// is logged and aborts the response.
func New[E any](produce func(ctx context.Context, s *Sender[E]) error, opts ...Option) *Stream[E] {
	st := &Stream[E]{produce: produce, config: config{keepAlive: DefaultKeepAlive, writeTimeout: DefaultWriteTimeout}}
	for _, o := range opts {
		o.apply(&st.config)
	}
	return st
}

// Finished returns a stream that is over before it starts: it is
// answered 204 No Content, with no events. Return it when a client asks
// for a stream that has nothing more to send — typically an EventSource
// reconnecting with the Last-Event-ID of the last event there will ever
// be: a browser's EventSource reconnects whenever a 200 stream ends, and
// a 204 is what tells it to stop (the HTML standard's rule). Every stream
// operation documents the 204.
func Finished[E any]() *Stream[E] {
	return &Stream[E]{finished: true}
}

// Option configures a [Stream].
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// KeepAlive sets how long the stream may stay silent before a comment is
// sent, so that proxies and clients do not take it for dead. The default
// is [DefaultKeepAlive]; zero or less sends none.
func KeepAlive(d time.Duration) Option {
	return optionFunc(func(c *config) { c.keepAlive = d })
}

// WriteTimeout sets how long writing one message to the client may take
// before the stream is ended: a client that stops reading is found out
// within it. The default is [DefaultWriteTimeout]. It replaces the
// server's WriteTimeout, which would otherwise end every stream.
func WriteTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) {
		if d > 0 {
			c.writeTimeout = d
		}
	})
}

// errShutdown ends the streams when the server starts to shut down.
var errShutdown = fmt.Errorf("sse: the server is shutting down: %w", context.Canceled)

// WriteResponse streams the events: it sends the headers (status
// rc.Status, Content-Type text/event-stream, Cache-Control no-cache,
// X-Accel-Buffering no) — or 204 No Content for a [Finished] stream, or a
// 503 problem when a load shedder has too many long-lived responses open
// ([middleware.MarkLongLived]) — then runs the producer, flushing each message,
// and sending keep-alive comments while it is silent. It returns when the
// producer returns; it cancels the producer's context, and then waits for
// it, when the client goes away or rc.Stopping is closed. The error is
// the producer's, unless the stream ended for one of those reasons.
func (st *Stream[E]) WriteResponse(rc *roux.ResponseContext) error {
	events, err := eventsOf(reflect.TypeFor[E]())
	if err == nil && st.produce == nil && !st.finished {
		err = errors.New("sse: the Stream was not made by sse.New")
	}
	if err != nil {
		rc.WriteProblem(err)
		return nil
	}
	w, r := rc.W, rc.R
	h := w.Header()
	if st.finished {
		h.Del("Content-Type")
		h.Del("Content-Length")
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	h.Del("Content-Length")
	if r.Method == http.MethodHead {
		w.WriteHeader(rc.Status)
		return nil
	}
	// The stream leaves the load shedder's concurrency limit, if one
	// admitted it, for its cap on long-lived responses.
	if err := middleware.MarkLongLived(r); err != nil {
		var full *middleware.LongLivedLimitError
		errors.As(err, &full)
		h.Del("Content-Type")
		h.Del("Cache-Control")
		h.Del("X-Accel-Buffering")
		rc.WriteProblem(roux.NewError(http.StatusServiceUnavailable, "the server has too many event streams open; retry later").
			WithHeader("Retry-After", strconv.Itoa(int(full.RetryAfter/time.Second))))
		return nil
	}

	ctx, cancel := context.WithCancelCause(r.Context())
	defer cancel(nil)
	// The server's WriteTimeout is for whole responses: the Sender sets
	// a deadline for each write instead.
	ctl := http.NewResponseController(w)
	s := &Sender[E]{
		ctx: ctx, cancel: cancel, w: w, rc: ctl, events: events,
		lastID: r.Header.Get("Last-Event-ID"), timeout: st.writeTimeout,
	}
	s.mu.Lock()
	w.WriteHeader(rc.Status)
	err = s.flushLocked(nil)
	s.mu.Unlock()
	if err != nil {
		return err
	}

	stopping := rc.Stopping()
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		st.watch(ctx, s, stopping)
	}()
	defer func() {
		cancel(nil)
		<-watched
		// A Send still under way, from a goroutine the producer left
		// behind, ends before the response does; later ones fail.
		s.mu.Lock()
		defer s.mu.Unlock()
		// The server ends the response after this returns: give it a
		// fresh deadline for that.
		ctl.SetWriteDeadline(time.Now().Add(st.writeTimeout)) //nolint:errcheck // not every writer has deadlines
	}()

	select {
	case <-stopping: // already shutting down: send nothing
		cancel(errShutdown)
	default:
	}
	panicked, stack, err := st.run(ctx, s)
	if panicked != nil {
		if panicked != http.ErrAbortHandler {
			rc.Logger().LogAttrs(r.Context(), slog.LevelError, "sse: the event producer panicked",
				slog.String("operation", rc.OperationID()), slog.Any("panic", panicked), slog.String("stack", string(stack)))
		}
		// The response has started: the one way left to tell the client
		// that it is broken is to abort it.
		panic(http.ErrAbortHandler)
	}
	if err == nil || ctx.Err() == nil {
		return err
	}
	s.mu.Lock()
	writeErr := s.err
	s.mu.Unlock()
	switch cause := context.Cause(ctx); {
	case !errors.Is(err, context.Canceled) && !errors.Is(err, cause):
		return err // a failure of its own while the stream was ending
	case writeErr != nil && r.Context().Err() == nil:
		return writeErr // a client that stopped reading, or a broken connection
	default:
		return nil // the client went away, or the server is shutting down
	}
}

// run runs the producer, turning a panic into a value and its stack.
func (st *Stream[E]) run(ctx context.Context, s *Sender[E]) (panicked any, stack []byte, err error) {
	defer func() {
		if v := recover(); v != nil {
			panicked, stack = v, debug.Stack()
		}
	}()
	return nil, nil, st.produce(ctx, s)
}

// watch sends keep-alive comments and cancels ctx when the server starts
// to shut down, until ctx is done.
func (st *Stream[E]) watch(ctx context.Context, s *Sender[E], stopping <-chan struct{}) {
	var t *time.Timer
	var tick <-chan time.Time // nil, never ready, without keep-alive
	if st.keepAlive > 0 {
		t = time.NewTimer(st.keepAlive)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-stopping:
			s.cancel(errShutdown)
			return
		case <-tick:
			t.Reset(s.keepAlive(st.keepAlive))
		}
	}
}

// DescribeBody documents the stream: the content text/event-stream whose
// schema is that of each event's data (the schema of the field's type, a
// shared component for a named struct; anyOf the distinct ones). The
// operation also gets the extension x-roux-events, which maps each event
// name to its data schema. It fails if E is not an event union.
func (st *Stream[E]) DescribeBody(d *roux.BodyDoc) error {
	events, err := eventsOf(reflect.TypeFor[E]())
	if err != nil {
		return err
	}
	if d.ContentType != "" {
		if mt, _, err := mime.ParseMediaType(d.ContentType); err != nil || mt != "text/event-stream" {
			return fmt.Errorf("sse: a Stream is sent as text/event-stream, not %q; remove the contentType tag", d.ContentType)
		}
	}
	return describe(d, events)
}
