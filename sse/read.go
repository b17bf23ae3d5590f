package sse

/*
The reader follows the event-stream parsing algorithm of the WHATWG HTML
standard (section 9.2.6, "Interpreting an event stream"):

  - The stream is UTF-8; one leading byte order mark is dropped and invalid
    bytes become U+FFFD.
  - Lines end with CRLF, LF or CR. A CR is a line end by itself, so the
    reader acts on it at once and skips an LF that follows it, rather than
    waiting for the next byte to tell CR from CRLF.
  - A line starting with a colon is a comment. Any other line is a field:
    the name up to the first colon, the value after it less one leading
    space (a line without a colon is a field with an empty value). The
    fields are event, data (accumulated, lines joined by LF), id (unless it
    contains NUL) and retry (digits only); others are ignored.
  - An empty line dispatches the event, unless no data was received; the
    event name defaults to "message"; the last event ID persists from
    event to event. An event cut off by the end of the stream is dropped.
*/

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"iter"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
)

// Message is one event read by [Read].
type Message[E any] struct {
	// Event has the one field of the event's name set to its data.
	Event E
	// ID is the last event ID: that of this event, or of the last event
	// before it that had one, as a client sends it in Last-Event-ID.
	ID string
	// Retry is the reconnection delay the stream set last, or 0.
	Retry time.Duration
}

// Read returns the events of the event stream r, decoded into the union
// type E (see [Stream]), for clients and tests:
//
//	for m, err := range sse.Read[OrderEvent](resp.Body) { ... }
//
// An event whose name E does not declare, or whose data does not decode,
// yields an error, and the loop may go on to the next event; a read error
// other than io.EOF is yielded last. The iteration ends at the end of r.
// One event is held in memory at a time.
func Read[E any](r io.Reader) iter.Seq2[Message[E], error] {
	return ReadFrom[E](r, &Cursor{})
}

// Cursor is where a client stands in a stream that spans several
// connections: the last event ID, which it sends as Last-Event-ID when it
// reconnects, and the reconnection delay, as an EventSource keeps both
// from one connection to the next. The zero Cursor is a first connection.
type Cursor struct {
	// LastID is the last event ID: set by each message that ends (an
	// event, or an id line followed by an empty line), so an event cut off
	// by the end of a connection does not move it.
	LastID string
	// Retry is the reconnection delay the stream set last (a retry line,
	// in milliseconds), or 0.
	Retry time.Duration
}

// ReadFrom is [Read] for one connection of a stream that spans several:
// the last event ID and the reconnection delay start as cur holds them,
// and cur follows the stream as it is read, messages without events
// included. Give the same cursor to the next connection's ReadFrom.
// package client's Events reconnects that way.
func ReadFrom[E any](r io.Reader, cur *Cursor) iter.Seq2[Message[E], error] {
	return func(yield func(Message[E], error) bool) {
		events, err := eventsOf(reflect.TypeFor[E]())
		if err != nil {
			yield(Message[E]{}, err)
			return
		}
		p := newParser(r)
		p.id, p.retry = cur.LastID, cur.Retry
		p.cur = cur
		for {
			raw, err := p.next()
			if err == io.EOF {
				return
			}
			if err != nil {
				yield(Message[E]{}, err)
				return
			}
			m := Message[E]{ID: raw.id, Retry: p.retry}
			err = events.decode(raw, reflect.ValueOf(&m.Event).Elem())
			if !yield(m, err) {
				return
			}
		}
	}
}

// decode sets the field of v that raw names to its data.
func (s *eventSet) decode(raw rawEvent, v reflect.Value) error {
	i, ok := s.byName[raw.name]
	if !ok {
		return fmt.Errorf("sse: unknown event %q: %v declares %s", raw.name, s.typ, s.names())
	}
	ev := &s.events[i]
	data := reflect.New(ev.data)
	if err := json.Unmarshal([]byte(raw.data), data.Interface(), jsonOptions); err != nil {
		return fmt.Errorf("sse: decoding the data of event %q: %w", raw.name, err)
	}
	v.Field(ev.field).Set(data)
	return nil
}

func (s *eventSet) names() string {
	quoted := make([]string, len(s.events))
	for i, ev := range s.events {
		quoted[i] = strconv.Quote(ev.name)
	}
	return strings.Join(quoted, ", ")
}

// rawEvent is a dispatched event before decoding.
type rawEvent struct {
	name, data, id string
}

// parser reads the events of an event stream.
type parser struct {
	r       *bufio.Reader
	line    []byte
	first   bool // no line read yet: drop a byte order mark
	skipLF  bool // the last line ended with CR: an LF now is part of it
	name    string
	data    strings.Builder
	hasData bool
	id      string // the last event ID buffer
	retry   time.Duration
	cur     *Cursor // updated as messages end and retry lines arrive; nil: none
}

func newParser(r io.Reader) *parser {
	return &parser{r: bufio.NewReader(r), first: true}
}

// next returns the next event; io.EOF at the end of the stream.
func (p *parser) next() (rawEvent, error) {
	for {
		line, err := p.readLine()
		if err != nil {
			return rawEvent{}, err
		}
		if len(line) == 0 {
			if p.cur != nil {
				p.cur.LastID = p.id
			}
			if !p.hasData {
				p.name = ""
				continue
			}
			data := p.data.String()
			ev := rawEvent{name: p.name, data: data[:len(data)-1], id: p.id}
			if ev.name == "" {
				ev.name = "message"
			}
			p.name, p.hasData = "", false
			p.data.Reset()
			return ev, nil
		}
		p.field(line)
	}
}

// field processes one non-empty line.
func (p *parser) field(line []byte) {
	if line[0] == ':' {
		return
	}
	name, value, _ := bytes.Cut(line, []byte{':'})
	value = bytes.TrimPrefix(value, []byte{' '})
	switch string(name) {
	case "event":
		p.name = string(value)
	case "data":
		p.data.Write(value)
		p.data.WriteByte('\n')
		p.hasData = true
	case "id":
		if bytes.IndexByte(value, 0) < 0 {
			p.id = string(value)
		}
	case "retry":
		if ms, ok := digits(value); ok {
			p.retry = time.Duration(ms) * time.Millisecond
			if p.cur != nil {
				p.cur.Retry = p.retry
			}
		}
	}
}

// digits parses a retry value: ASCII digits only. Values too large for a
// time.Duration are ignored.
func digits(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > (math.MaxInt64/int64(time.Millisecond)-9)/10 {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// readLine returns the next line without its end, valid until the next
// call. A line cut off by the end of the stream is dropped: io.EOF.
func (p *parser) readLine() ([]byte, error) {
	p.line = p.line[:0]
	for {
		if _, err := p.r.Peek(1); err != nil {
			if err == io.EOF {
				return nil, io.EOF
			}
			return nil, fmt.Errorf("sse: reading the stream: %w", err)
		}
		buf, _ := p.r.Peek(p.r.Buffered())
		if p.skipLF {
			p.skipLF = false
			if buf[0] == '\n' {
				p.r.Discard(1) //nolint:errcheck // buffered
				continue
			}
		}
		i := bytes.IndexAny(buf, "\r\n")
		if i < 0 {
			p.line = append(p.line, buf...)
			p.r.Discard(len(buf)) //nolint:errcheck // buffered
			continue
		}
		p.line = append(p.line, buf[:i]...)
		p.skipLF = buf[i] == '\r'
		p.r.Discard(i + 1) //nolint:errcheck // buffered
		line := p.line
		if p.first {
			p.first = false
			line = bytes.TrimPrefix(line, []byte("\uFEFF"))
		}
		if !utf8.Valid(line) {
			line = bytes.ToValidUTF8(line, []byte("\uFFFD"))
		}
		return line, nil
	}
}
