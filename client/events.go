package client

// Following an event stream is what a browser's EventSource does (the
// HTML standard, section 9.2): read the stream; when the connection ends,
// for whatever reason, wait the reconnection delay (the stream's retry
// field) and connect again with the last event ID received in
// Last-Event-ID, so that the server resumes after it; stop when a
// reconnection is answered 204 No Content. Unlike EventSource, failed
// reconnections back off exponentially and are bounded (Reconnect), a
// refusal (401, 404, ...) ends the iteration with the problem, and a
// connection on which nothing arrives for IdleTimeout is taken for dead.
//
// One connection is one request made with the call's configuration
// (headers, editors, the http.Client); the first one retries as Call
// does with Retry, the later ones follow Reconnect and ReconnectDelay.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"math/rand/v2"
	"mime"
	"net/http"
	"reflect"
	"time"
	"unsafe"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/internal/plan"
	"github.com/roux-go/roux/sse"
)

// reconnectConfig is how Events follows a stream whose connection ends;
// New starts from the defaults.
type reconnectConfig struct {
	attempts int           // reconnections in a row without an event; 0: none
	delay    time.Duration // while the stream has set no retry
	maxDelay time.Duration
	idle     time.Duration // 0: never
}

// Reconnect sets how many reconnections in a row may bring no event — a
// connection error, a 5xx, 408 or 429 answer, a stream that ends at once
// — before [Events] ends the iteration with the last failure; an event
// starts the count again. It defaults to 5; zero or less never
// reconnects.
func Reconnect(attempts int) Option {
	return optionFunc(func(c *config) { c.reconnect.attempts = max(attempts, 0) })
}

// ReconnectDelay sets how long [Events] waits before reconnecting while
// the stream has not set a delay with its retry field, which wins, and
// limit, which caps the wait as it doubles (with jitter) with each failed
// reconnection in a row. They default to 1s and 30s; zero or less keeps a
// default. A retry field above limit is honoured as it is; an answer whose
// Retry-After asks for a longer wait than limit ends the iteration with
// that answer's problem.
func ReconnectDelay(delay, limit time.Duration) Option {
	return optionFunc(func(c *config) {
		setPositive(&c.reconnect.delay, delay)
		setPositive(&c.reconnect.maxDelay, limit)
	})
}

// IdleTimeout makes [Events] drop a connection on which nothing — no
// event, no keep-alive comment — has arrived for d, and reconnect: it
// finds a connection that died without being closed. Without it, or with
// zero or less, a silent connection is kept; set it well above the
// server's keep-alive interval (sse.DefaultKeepAlive is 15s).
func IdleTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.reconnect.idle = max(d, 0) })
}

// wait returns the wait before a reconnection after tries ones in a
// row without an event: base (the stream's retry, or the delay) at
// first, then doubling up to the limit, drawn between half of that and
// the whole but never under base.
func (r *reconnectConfig) wait(base time.Duration, tries int) time.Duration {
	if base <= 0 {
		base = r.delay
	}
	if tries == 0 {
		return base
	}
	d := base
	for i := 0; i < tries && d < r.maxDelay; i++ {
		d *= 2
	}
	d = min(d, max(r.maxDelay, base))
	return max(d/2+rand.N(d/2+1), base)
}

// Events calls op, an operation whose output is an event stream
// (sse.Stream[E]), with input in (nil is the zero input), and returns its
// events as they arrive:
//
//	for m, err := range client.Events(ctx, c, kitchenapi.OrderEvents, &kitchenapi.EventsInput{ID: id}) {
//		if err != nil {
//			return err // or log it and go on: see below
//		}
//		fmt.Println(m.ID, m.Event)
//	}
//
// When the connection ends — dropped, closed by the server, idle for
// longer than the [IdleTimeout] — Events reconnects after the stream's
// retry delay with the last event ID received in Last-Event-ID, so that
// the server resumes after it; failed reconnections back off and are
// bounded ([Reconnect], [ReconnectDelay]). The iteration ends when a
// reconnection is answered 204 No Content (the stream is over, as the HTML standard's
// EventSource has it), when the loop breaks, and with a last error when
// ctx ends (ctx.Err()), when the server refuses the stream (a
// *roux.Error, as [Call] returns: 401 or 404 before the first event, a
// 410 on a reconnection), when it answers something other than
// text/event-stream, or when the reconnections fail. An event that E does
// not declare, or whose data does not decode, yields an error too, and
// the iteration goes on.
//
// An input field for the Last-Event-ID header sets the ID the first
// connection resumes after. The requests carry the client's options and
// opts: headers, editors and the http.Client, whose Timeout, if set,
// must outlast the stream; the first connection is retried as [Call]
// retries with [Retry].
func Events[In, E any](ctx context.Context, c *Client, op *roux.Operation[In, sse.Stream[E]], in *In, opts ...Option) iter.Seq2[sse.Message[E], error] {
	if in == nil {
		in = new(In)
	}
	return follow[E](ctx, c, op, unsafe.Pointer(in), opts)
}

// EventsOf is [Events] for an operation whose output is an envelope whose
// Body is an sse.Stream[E] or a pointer to one; E is named, the rest
// inferred:
//
//	client.EventsOf[OrderEvent](ctx, c, op, in)
//
// The envelope's header fields are not read. The iteration yields one
// error, and ends, if op's output is not such an envelope.
func EventsOf[E, In, Out any](ctx context.Context, c *Client, op *roux.Operation[In, Out], in *In, opts ...Option) iter.Seq2[sse.Message[E], error] {
	if in == nil {
		in = new(In)
	}
	return follow[E](ctx, c, op, unsafe.Pointer(in), opts)
}

// ssePkg is package sse's path, by which Call recognizes streams.
var ssePkg = reflect.TypeFor[sse.Cursor]().PkgPath()

func follow[E any](ctx context.Context, c *Client, op any, in unsafe.Pointer, opts []Option) iter.Seq2[sse.Message[E], error] {
	return func(yield func(sse.Message[E], error) bool) {
		f, err := c.newFollower(op, in, opts, reflect.TypeFor[sse.Stream[E]]())
		if err != nil {
			yield(sse.Message[E]{}, err)
			return
		}
		for first := true; ; first = false {
			body, err := f.connect(ctx, first)
			if err != nil {
				yield(sse.Message[E]{}, err)
				return
			}
			if body == nil {
				return // 204: the stream is over
			}
			events, lost := 0, error(nil)
			for m, err := range sse.ReadFrom[E](body, &f.cur) {
				if ce := (*connError)(nil); errors.As(err, &ce) {
					lost = ce.err
					break
				}
				events++
				if !yield(m, err) {
					f.endConn()
					return
				}
			}
			again, err := f.ended(ctx, events, lost)
			if err != nil {
				yield(sse.Message[E]{}, err)
				return
			}
			if !again {
				return
			}
		}
	}
}

// follower follows one event stream across connections.
type follower struct {
	c     *Client
	cfg   *config // the first connection's
	again *config // the reconnections': no retries of their own
	p     *plan.Operation
	r     *request
	cur   sse.Cursor
	rc    reconnectConfig

	tries      int           // reconnections in a row without an event
	wait       time.Duration // before the next reconnection
	retryAfter time.Duration // of the last refusal; 0: none

	conn   context.Context // the current connection's
	cancel context.CancelCauseFunc
	idle   *time.Timer // nil without IdleTimeout
	body   io.ReadCloser
}

// newFollower prepares the requests of op with the input at in.
func (c *Client) newFollower(op any, in unsafe.Pointer, opts []Option, want reflect.Type) (*follower, error) {
	p, cfg, r, err := c.start(op, in, opts, want)
	if err != nil {
		return nil, err
	}
	f := &follower{c: c, cfg: cfg, p: p, r: r, rc: cfg.reconnect}
	f.cur.LastID = r.header.Get("Last-Event-ID")
	cfg.editors = append([]func(*http.Request) error{f.edit}, cfg.editors...)
	again := *cfg
	again.retry.attempts = 1
	f.again = &again
	return f, nil
}

// edit sets the headers of a connection: the last event ID, and what an
// EventSource asks for.
func (f *follower) edit(req *http.Request) error {
	req.Header.Del("Last-Event-ID")
	if f.cur.LastID != "" {
		req.Header.Set("Last-Event-ID", f.cur.LastID)
	}
	req.Header.Set("Accept", "text/event-stream, application/problem+json")
	req.Header.Set("Cache-Control", "no-cache")
	return nil
}

// errIdle ends a connection on which nothing arrived for IdleTimeout.
var errIdle = errors.New("nothing arrived within the idle timeout")

// connect opens a connection — a reconnection after its wait — and
// returns its body, or nil when the stream is over (204), or the error
// that ends the iteration.
func (f *follower) connect(ctx context.Context, first bool) (io.ReadCloser, error) {
	for {
		if !first {
			if err := sleep(ctx, f.wait); err != nil {
				return nil, err
			}
		}
		retry, err := f.open(ctx, first)
		switch {
		case err == nil:
			return f.body, nil
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case first || !retry:
			return nil, err
		}
		if err := f.next(err); err != nil {
			return nil, err
		}
	}
}

// open makes one connection, setting f's conn, cancel, idle and body (nil
// for a 204). On failure, it reports whether another attempt may
// succeed.
func (f *follower) open(ctx context.Context, first bool) (retry bool, err error) {
	f.conn, f.cancel = context.WithCancelCause(ctx)
	f.body, f.retryAfter = nil, 0
	if d := f.rc.idle; d > 0 {
		cancel := f.cancel
		f.idle = time.AfterFunc(d, func() { cancel(errIdle) })
	}
	cfg := f.again
	if first {
		cfg = f.cfg
	}
	resp, err := f.c.send(f.conn, cfg, f.p, f.r)
	if err != nil {
		if cause := context.Cause(f.conn); errors.Is(cause, errIdle) {
			err = fmt.Errorf("client: %s: no answer: %w", f.p.ID, errIdle)
		}
		f.endConn()
		return true, err
	}
	retry, err = f.accept(resp)
	if err != nil || f.body == nil {
		f.endConn()
	}
	return retry, err
}

// accept checks the answer to a connection: a 200 event stream, whose
// body it keeps, or a 204, or a problem.
func (f *follower) accept(resp *http.Response) (retry bool, err error) {
	switch s := resp.StatusCode; {
	case s == http.StatusNoContent:
		discard(resp)
		return false, nil
	case s < 200 || s > 299:
		if ra, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			f.retryAfter = max(ra, time.Nanosecond)
		}
		defer resp.Body.Close()
		return s == http.StatusRequestTimeout || s == http.StatusTooManyRequests || s >= 500, problemOf(resp)
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "text/event-stream" {
		discard(resp)
		return false, fmt.Errorf("client: %s: the response is %q, not text/event-stream", f.p.ID, resp.Header.Get("Content-Type"))
	}
	f.body = &connBody{r: resp.Body, idle: f.idle, d: f.rc.idle}
	return false, nil
}

// endConn closes the current connection.
func (f *follower) endConn() {
	if f.idle != nil {
		f.idle.Stop()
		f.idle = nil
	}
	if f.body != nil {
		f.body.Close()
		f.body = nil
	}
	f.cancel(nil)
}

// ended closes a connection that ended after events events, lost if it
// failed, and says whether to reconnect, or with what error the
// iteration ends.
func (f *follower) ended(ctx context.Context, events int, lost error) (again bool, err error) {
	if errors.Is(context.Cause(f.conn), errIdle) {
		lost = errIdle
	}
	f.endConn()
	switch {
	case ctx.Err() != nil:
		return false, ctx.Err()
	case f.rc.attempts == 0:
		if lost != nil {
			return false, fmt.Errorf("client: %s: the connection was lost: %w", f.p.ID, lost)
		}
		return false, nil
	case events > 0:
		f.tries = 0
	}
	if lost == nil {
		lost = errors.New("the stream ended")
	}
	return true, f.next(fmt.Errorf("client: %s: %w", f.p.ID, lost))
}

// next prepares the next reconnection after cause, the reason the last
// connection ended or failed: it sets the wait, or returns the error that
// ends the iteration when the reconnections in a row that brought no
// event have reached their number (Reconnect).
func (f *follower) next(cause error) error {
	rc := &f.rc
	if f.tries >= rc.attempts {
		return fmt.Errorf("client: %s: gave up after %d reconnections in a row without an event; the last: %w", f.p.ID, f.tries, cause)
	}
	f.wait = rc.wait(f.cur.Retry, f.tries)
	f.tries++
	if f.retryAfter > 0 {
		if f.retryAfter > rc.maxDelay {
			return cause // the server asks for a longer wait than the caller's
		}
		f.wait = max(f.wait, f.retryAfter)
	}
	return nil
}

// connBody is a connection's body: it marks its read errors as the
// connection's, and puts the idle timeout off while bytes arrive.
type connBody struct {
	r    io.ReadCloser
	idle *time.Timer
	d    time.Duration
}

func (b *connBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if n > 0 && b.idle != nil {
		b.idle.Reset(b.d)
	}
	if err != nil && err != io.EOF {
		err = &connError{err}
	}
	return n, err
}

func (b *connBody) Close() error { return b.r.Close() }

// connError is a failure of the connection, rather than of the stream.
type connError struct{ err error }

func (e *connError) Error() string { return e.err.Error() }
func (e *connError) Unwrap() error { return e.err }

// sleep waits for d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
