package sse

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/roux-go/roux/internal/wire"
)

// Sender sends the events of one stream. The producer given to [New]
// receives it; it is valid until the producer returns. A Sender is safe
// for concurrent use: each call writes one whole message and flushes it
// to the client before it returns.
//
// Every method fails once the stream has ended — the client went away,
// a write failed or the server is shutting down — with the reason, which
// wraps context.Canceled unless a write failed.
type Sender[E any] struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	w      http.ResponseWriter
	rc     *http.ResponseController
	events *eventSet
	lastID string
	// timeout bounds each write, so that a client that stops reading is
	// found out.
	timeout time.Duration

	mu   sync.Mutex
	buf  bytes.Buffer
	last time.Time // when the last write ended
	err  error     // the write failure that ended the stream
}

// LastEventID returns the Last-Event-ID request header: the ID of the
// last event a reconnecting client received, from which the producer
// should resume; "" on a first connection.
func (s *Sender[E]) LastEventID() string { return s.lastID }

// Send sends e, which must have exactly one field set: the event named
// by that field's tag, with the value it points to encoded as JSON.
func (s *Sender[E]) Send(e E) error { return s.send("", e) }

// SendID sends e as [Sender.Send] does, with the event ID id. A client
// that reconnects sends the last ID it received as Last-Event-ID. id must
// be valid UTF-8 without CR, LF or NUL.
func (s *Sender[E]) SendID(id string, e E) error {
	if id == "" {
		return errors.New("sse: SendID with an empty ID; use Send")
	}
	if strings.ContainsAny(id, "\r\n\x00") || !utf8.ValidString(id) {
		return fmt.Errorf("sse: event ID %q contains CR, LF or NUL, or is not UTF-8", id)
	}
	return s.send(id, e)
}

func (s *Sender[E]) send(id string, e E) error {
	ev, err := s.events.which(reflect.ValueOf(&e).Elem())
	if err != nil {
		return err
	}
	data := reflect.ValueOf(&e).Elem().Field(ev.field).Interface()
	return s.write(func(b *bytes.Buffer) error { return appendEvent(b, id, ev.name, data) })
}

// appendEvent appends the message of one event: data is encoded as JSON,
// which without indentation is one line, for newlines in strings are
// escaped.
func appendEvent(b *bytes.Buffer, id, name string, data any) error {
	if id != "" {
		b.WriteString("id: ")
		b.WriteString(id)
		b.WriteByte('\n')
	}
	b.WriteString("event: ")
	b.WriteString(name)
	b.WriteString("\ndata: ")
	if err := json.MarshalWrite(b, data, wire.JSON); err != nil {
		return fmt.Errorf("sse: encoding event %q: %w", name, err)
	}
	b.WriteString("\n\n")
	return nil
}

// Retry tells the client how long to wait before reconnecting when the
// connection is lost (the "retry" field), rounded down to milliseconds.
func (s *Sender[E]) Retry(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("sse: negative retry delay %v", d)
	}
	return s.write(func(b *bytes.Buffer) error {
		b.WriteString("retry: ")
		b.WriteString(strconv.FormatInt(d.Milliseconds(), 10))
		b.WriteString("\n\n")
		return nil
	})
}

// Comment sends text as a comment, which clients ignore; each of its
// lines becomes one comment line.
func (s *Sender[E]) Comment(text string) error {
	return s.write(func(b *bytes.Buffer) error {
		appendComment(b, text)
		return nil
	})
}

func appendComment(b *bytes.Buffer, text string) {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	for line := range strings.SplitSeq(strings.ReplaceAll(text, "\r", "\n"), "\n") {
		b.WriteByte(':')
		if line != "" {
			b.WriteByte(' ')
			b.WriteString(line)
		}
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
}

// write builds one message with build and sends it, flushed, within the
// write timeout. A failed write ends the stream.
func (s *Sender[E]) write(build func(*bytes.Buffer) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	if s.ctx.Err() != nil {
		return context.Cause(s.ctx)
	}
	s.buf.Reset()
	if err := build(&s.buf); err != nil {
		return err
	}
	return s.flushLocked(s.buf.Bytes())
}

// flushLocked writes msg and flushes it; s.mu is held.
func (s *Sender[E]) flushLocked(msg []byte) error {
	if err := s.rc.SetWriteDeadline(time.Now().Add(s.timeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return s.fail(err)
	}
	if _, err := s.w.Write(msg); err != nil {
		return s.fail(err)
	}
	if err := s.rc.Flush(); err != nil {
		if errors.Is(err, http.ErrNotSupported) {
			err = fmt.Errorf("%w: the ResponseWriter cannot flush, so events would not reach the client; a middleware's writer must implement http.Flusher or Unwrap", err)
		}
		return s.fail(err)
	}
	s.last = time.Now()
	return nil
}

// fail ends the stream after a write failure; s.mu is held.
func (s *Sender[E]) fail(err error) error {
	s.err = fmt.Errorf("sse: writing to the client: %w", err)
	s.cancel(s.err)
	return s.err
}

// keepAlive sends a comment if nothing was written for interval, and
// returns how long to wait before the next check.
func (s *Sender[E]) keepAlive(interval time.Duration) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil || s.ctx.Err() != nil {
		return interval
	}
	if idle := time.Since(s.last); idle < interval {
		return interval - idle
	}
	s.flushLocked(keepAliveComment) //nolint:errcheck // a failure ends the stream and shows on the next Send
	return interval
}

var keepAliveComment = []byte(": keep-alive\n\n")
