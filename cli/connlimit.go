package cli

// This file caps the connections serve holds open (-max-conns).
//
// Without a cap an overloaded server accepts whatever arrives: each new
// connection costs a goroutine, buffers and a file descriptor, clients
// whose requests queue open more, and under a few times its capacity the
// server spends its CPU on connections it cannot serve while every request
// times out. The load shedder bounds the requests in progress; this bounds
// the connections they arrive on, keep-alive ones included.
//
// A connection over the cap is refused at once, and counted: on plain
// HTTP its request is answered with a 503 problem with Retry-After and the
// connection closed (h2c: GOAWAY refusing its streams), the way net/http
// closes after an error response — the server sends FIN and reads what
// the client still sends for a moment, so that its response is not lost
// to a reset; over TLS it is closed without an answer, as answering would
// take a handshake. At most maxLingering refusals wait for their requests
// at once; beyond, a connection is answered if its request has arrived
// already, and closed at once either way (refuseNow). Refusing rather
// than leaving the connection in the kernel's queue tells a client at
// once to go elsewhere (another instance, or later) instead of waiting for
// a timeout.

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/openapi"
	"github.com/roux-go/roux/schema"
)

// defaultMaxConns is -max-conns when neither the flag nor the environment
// sets it: 4096, or three quarters of the process's file descriptor limit
// when that is lower, leaving descriptors for the database, files and logs.
func defaultMaxConns() int {
	n := 4096
	if limit := fileLimit() / 4 * 3; limit > 0 && limit < uint64(n) {
		n = int(limit)
	}
	return n
}

// Refusals over the cap linger for at most this long, this many at once;
// beyond that a refused connection is answered at once if its request
// head has arrived, and closed at once either way (refuseNow).
const (
	refusalLinger     = 500 * time.Millisecond
	maxLingering      = 256
	refusalRetryAfter = 1 // seconds
)

// refusal is what a connection over the cap receives on plain HTTP/1: a
// problem with Retry-After, and nosniff as every answer of roux (h2c
// gets h2Refusal).
var refusal = func() []byte {
	body := `{"type":"about:blank","title":"Service Unavailable","status":503,"detail":"the server has too many connections open; retry later"}`
	return []byte("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\nX-Content-Type-Options: nosniff\r\n" +
		"Retry-After: " + strconv.Itoa(refusalRetryAfter) + "\r\nConnection: close\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body)
}()

// h2Preface is how an HTTP/2 connection without TLS (h2c, prior
// knowledge) starts, up to its first empty line, where readHead stops.
const h2Preface = "PRI * HTTP/2.0\r\n\r\n"

// h2Refusal is what an h2c connection over the cap receives instead of
// refusal, which its client cannot read (net/http's reports a frame too
// large): the server's preface, an empty SETTINGS frame, then GOAWAY with
// last stream 0 and REFUSED_STREAM, saying no request was processed and
// each may be sent again (RFC 9113 §6.8, §8.7), with refusal's detail as
// its debug data.
var h2Refusal = func() []byte {
	debug := "the server has too many connections open; retry later"
	b := []byte{0, 0, 0, 0x4, 0, 0, 0, 0, 0} // SETTINGS, empty, stream 0
	n := 8 + len(debug)
	b = append(b, byte(n>>16), byte(n>>8), byte(n), 0x7, 0, 0, 0, 0, 0) // GOAWAY, stream 0
	b = append(b, 0, 0, 0, 0, 0, 0, 0, 0x7)                             // last stream 0, REFUSED_STREAM
	return append(b, debug...)
}()

// refusalFor returns the refusal that answers a connection whose first
// bytes are head: h2Refusal for h2c, refusal otherwise.
func refusalFor(head []byte) []byte {
	if bytes.HasPrefix(head, []byte(h2Preface)) {
		return h2Refusal
	}
	return refusal
}

// refusalDoc describes the refusal, published on every operation of the
// API with DocumentFront: it is sent before the API sees the request, so
// the API cannot know it, and a client reading the document must; none
// of the API's middleware headers are on it. Its headers are those the
// refusal sends besides the length and type (nosniff roux publishes on
// every response), Connection: close included: the client is to open a
// new connection, later. Where an operation answers 503 already, the two
// descriptions merge, and a header that only one sends is optional there.
//
// Connection also keeps ogen (v1.25) from breaking the clients it
// generates: it gives one Go type to the responses of a document that
// share a body schema and header names, whatever headers they require,
// and without Connection the merged 503 would have the names of a 429
// that requires the security headers the refusal does not send.
//
// It is built once, so that documenting it again on the same API is a
// read (API.DocumentFront).
var refusalDoc = sync.OnceValue(func() map[string]*openapi.Response {
	return map[string]*openapi.Response{
		strconv.Itoa(http.StatusServiceUnavailable): {
			Description: "The server has too many connections open; retry after the Retry-After delay",
			Headers: map[string]*openapi.Header{
				"Retry-After": {
					Description: "How many seconds to wait before retrying",
					Required:    true,
					Schema:      &schema.Schema{Type: schema.Types{"string"}, Pattern: "^[0-9]+$"},
				},
				// Not required: net/http's client, for one, takes it out
				// of the response's headers (Response.Close says it).
				"Connection": {
					Description: "close: the server closes the connection after the refusal",
					Schema:      &schema.Schema{Type: schema.Types{"string"}, Enum: []any{"close"}},
				},
			},
		},
	}
})

// documenting serializes documentRefusal's calls.
var documenting sync.Mutex

// documentRefusal publishes the refusal in api's document. Runs of one
// API may start at once: the first documents it, which writes the
// document, and the others, which only read it, wait for it to finish.
func documentRefusal(api *roux.API) {
	documenting.Lock()
	defer documenting.Unlock()
	api.DocumentFront(refusalDoc())
}

// capListener accepts at most max connections open at once.
type capListener struct {
	net.Listener
	max    int64
	silent bool // refuse by closing (TLS): an HTTP answer would need a handshake
	// keepAlive turns TCP keep-alive on for each connection kept, which
	// the listener then leaves off (listen's ownKeepAlive): a refused
	// connection is closed within moments, and under a flood of them the
	// four system calls of keep-alive are a share of what refusing costs.
	keepAlive bool
	open      atomic.Int64
	refused   atomic.Int64
	lingerMu  sync.Mutex
	linger    int
}

func newCapListener(ln net.Listener, max int, silent bool) *capListener {
	return &capListener{Listener: ln, max: int64(max), silent: silent}
}

// Accept returns the next connection under the cap, refusing those over
// it.
func (l *capListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if kept := l.admit(c); kept != nil {
			return kept, nil
		}
	}
}

// admit returns c as a connection under the cap, or refuses it and
// returns nil.
func (l *capListener) admit(c net.Conn) net.Conn {
	if l.open.Add(1) <= l.max {
		if tc, ok := c.(*net.TCPConn); ok && l.keepAlive {
			// What net.Listen sets: probes after 15 s idle, every 15 s,
			// 9 of them.
			tc.SetKeepAliveConfig(net.KeepAliveConfig{Enable: true}) //nolint:errcheck // as net's own accept ignores it
		}
		return &cappedConn{Conn: c, l: l}
	}
	l.open.Add(-1)
	l.refused.Add(1)
	l.refuse(c)
	return nil
}

// refuse answers c, a connection over the cap, and closes it: after its
// request's head has arrived — a client such as net/http's takes an answer
// that comes before its request for a broken connection — with the 503,
// then FIN, then reading what the client still sends for a moment, so that
// the answer is not lost to a reset. A connection that sends nothing for
// that moment (a client's spare, dialed ahead) is closed without a word, as
// an idle connection may be. Past maxLingering refusals at once, a
// connection is answered only if its request head has arrived already
// (refuseNow).
func (l *capListener) refuse(c net.Conn) {
	if l.silent {
		c.Close()
		return
	}
	if !l.startLinger() {
		refuseNow(c)
		return
	}
	go func() {
		defer l.endLinger()
		defer c.Close()
		c.SetReadDeadline(time.Now().Add(refusalLinger)) //nolint:errcheck // a failed read ends the wait
		head := readHead(c)
		if len(head) == 0 {
			return // it asked nothing: closing is the answer
		}
		c.SetWriteDeadline(time.Now().Add(refusalLinger)) //nolint:errcheck // a failed write is the end
		if _, err := c.Write(refusalFor(head)); err != nil {
			return
		}
		if cw, ok := c.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite() //nolint:errcheck // the read below ends either way
		}
		c.SetReadDeadline(time.Now().Add(refusalLinger)) //nolint:errcheck // then the read fails at once
		io.Copy(io.Discard, c)                           //nolint:errcheck // until EOF or the deadline
	}()
}

// readHead reads from c until the end of a request head, 4 KiB, or an
// error (the read deadline), and returns what came.
func readHead(c net.Conn) []byte {
	buf := make([]byte, 4096)
	n := 0
	for n < len(buf) {
		m, err := c.Read(buf[n:])
		n += m
		if bytes.Contains(buf[max(0, n-m-3):n], []byte("\r\n\r\n")) || err != nil {
			break
		}
	}
	return buf[:n]
}

func (l *capListener) startLinger() bool {
	l.lingerMu.Lock()
	defer l.lingerMu.Unlock()
	if l.linger >= maxLingering {
		return false
	}
	l.linger++
	return true
}

func (l *capListener) endLinger() {
	l.lingerMu.Lock()
	l.linger--
	l.lingerMu.Unlock()
}

// cappedConn gives its place under the cap back when it is closed, by the
// server or by a handler that hijacked it (a WebSocket).
type cappedConn struct {
	net.Conn
	l      *capListener
	closed atomic.Bool
}

func (c *cappedConn) Close() error {
	if c.closed.CompareAndSwap(false, true) {
		c.l.open.Add(-1)
	}
	return c.Conn.Close()
}

// CloseWrite lets net/http send FIN before it closes, so that a client
// still writing does not reset the connection and lose the response.
func (c *cappedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// ReadFrom keeps sendfile and splice for the responses that net/http
// copies from files and sockets.
func (c *cappedConn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{c.Conn}, r)
}
