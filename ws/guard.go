package ws

// A frame's header declares the length of its payload before any of it
// is sent, but coder/websocket keeps that length to itself: a reader
// learns that a message is too big only once it has read past the limit.
// A client that declares 2^62 bytes and sends none held a session until
// its pings went unanswered (40 seconds); one that sends them was read
// on until the close handshake gave up. So the connection is read through
// a frameGuard, which follows the frames the client sends, header by
// header, exactly as RFC 6455 §5.2 lays them out: a frame that would take
// its message past the read limit fails the read that reaches for its
// payload, and the session closes at once with 1009. Its header is
// passed on first, so the messages before it are still delivered in
// order. The payload lengths are those of the messages: roux never
// negotiates permessage-deflate.

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
)

// errFrameTooBig is the read error of a frame past the read limit.
var errFrameTooBig = errors.New("ws: a frame takes its message past the read limit")

// frameGuard is the hijacked connection, read through a follower of the
// client's frames.
type frameGuard struct {
	net.Conn
	r     io.Reader // what the server had read of the connection, then the connection
	limit int64     // the largest message, in bytes

	hdr  [14]byte // the header being read
	hn   int      // its bytes read
	left uint64   // payload bytes of the current frame still to come
	msg  uint64   // payload bytes of the current message so far
	err  error    // errFrameTooBig, once
}

// Read reads from the connection and follows the frames read. It ends a
// read at the end of a header that would take its message past the
// limit, and fails every read after it.
func (g *frameGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	for i := 0; i < n; {
		if g.left > 0 {
			skip := min(g.left, uint64(n-i))
			g.left -= skip
			i += int(skip)
			continue
		}
		g.hdr[g.hn] = p[i]
		g.hn++
		i++
		if g.hn < headerLen(g.hdr[:g.hn]) {
			continue
		}
		if !g.frame() {
			g.err = errFrameTooBig
			return i, nil
		}
	}
	return n, err
}

// headerLen returns the length of the frame header that starts with b:
// 2 bytes, 2 or 8 of extended length, 4 of masking key.
func headerLen(b []byte) int {
	if len(b) < 2 {
		return 2
	}
	n := 2
	switch b[1] & 0x7f {
	case 126:
		n += 2
	case 127:
		n += 8
	}
	if b[1]&0x80 != 0 {
		n += 4
	}
	return n
}

// frame takes in the header just read and reports whether its message
// stays within the limit.
func (g *frameGuard) frame() bool {
	h := g.hdr[:g.hn]
	g.hn = 0
	length := uint64(h[1] & 0x7f)
	switch length {
	case 126:
		length = uint64(binary.BigEndian.Uint16(h[2:4]))
	case 127:
		length = binary.BigEndian.Uint64(h[2:10])
	}
	g.left = length
	fin, opcode := h[0]&0x80 != 0, h[0]&0x0f
	if opcode >= 8 {
		return true // a control frame, within a message or between two
	}
	if opcode != 0 {
		g.msg = 0 // a text or binary frame begins a message
	}
	if length > uint64(g.limit) || g.msg+length > uint64(g.limit) {
		return false
	}
	g.msg += length
	if fin {
		g.msg = 0
	}
	return true
}

// guardedWriter is the http.ResponseWriter handed to websocket.Accept:
// the connection it hijacks is read through a frameGuard.
type guardedWriter struct {
	http.ResponseWriter
	limit int64
}

// Hijack hijacks the connection, and returns it behind a frameGuard. The
// bytes the server had already read past the handshake are read first.
func (w *guardedWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	read, _ := brw.Reader.Peek(brw.Reader.Buffered())
	g := &frameGuard{Conn: conn, r: io.MultiReader(bytes.NewReader(bytes.Clone(read)), conn), limit: w.limit}
	brw.Reader.Reset(g)
	return g, brw, nil
}

// Unwrap returns the writer underneath, for http.ResponseController.
func (w *guardedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
