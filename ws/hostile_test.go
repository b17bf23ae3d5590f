package ws_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/ws"
)

// frame is one frame a client writes: its header declares length bytes
// of payload, of which it sends payload (masked, as clients must).
type frame struct {
	fin     bool
	opcode  byte
	length  uint64
	payload []byte
}

// text is a whole text message of one frame.
func text(s string) frame { return frame{true, 0x1, uint64(len(s)), []byte(s)} }

// appendFrame appends f to b, written as RFC 6455 §5.2 lays it out.
func appendFrame(b []byte, f frame) []byte {
	b0 := f.opcode
	if f.fin {
		b0 |= 0x80
	}
	b = append(b, b0)
	switch {
	case f.length < 126:
		b = append(b, 0x80|byte(f.length))
	case f.length <= 0xffff:
		b = append(b, 0x80|126)
		b = binary.BigEndian.AppendUint16(b, uint16(f.length))
	default:
		b = append(b, 0x80|127)
		b = binary.BigEndian.AppendUint64(b, f.length)
	}
	var key [4]byte
	rand.Read(key[:])
	b = append(b, key[:]...)
	for i, c := range f.payload {
		b = append(b, c^key[i%4])
	}
	return b
}

// rawSession opens a session at addr over a plain TCP connection and returns
// it with a reader past the 101 answer.
func rawSession(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "GET /rooms/lobby/ws?name=ann HTTP/1.1\r\nHost: chat\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil || res.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake: %v %v", res, err)
	}
	return conn, br
}

// serverFrame is a frame the server sent.
type serverFrame struct {
	opcode  byte
	payload []byte
}

// readFrame reads one unmasked frame of the server.
func readFrame(br *bufio.Reader) (serverFrame, error) {
	var h [2]byte
	if _, err := io.ReadFull(br, h[:]); err != nil {
		return serverFrame{}, err
	}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var l [2]byte
		if _, err := io.ReadFull(br, l[:]); err != nil {
			return serverFrame{}, err
		}
		n = uint64(binary.BigEndian.Uint16(l[:]))
	case 127:
		var l [8]byte
		if _, err := io.ReadFull(br, l[:]); err != nil {
			return serverFrame{}, err
		}
		n = binary.BigEndian.Uint64(l[:])
	}
	p := make([]byte, n)
	_, err := io.ReadFull(br, p)
	return serverFrame{h[0] & 0x0f, p}, err
}

// receiver serves a session that records the texts it receives and how
// it ended, and sends nothing, so that nothing it sends races with the
// end of a session.
type receiver struct {
	srv   *httptest.Server
	texts chan string
	ended chan error
}

func newReceiver(t *testing.T, opts ...ws.Option) *receiver {
	t.Helper()
	rc := &receiver{texts: make(chan string, 16), ended: make(chan error, 16)}
	api := roux.New(roux.Config{Title: "Receiver", Version: "1.0.0"})
	roux.Get(api, "/rooms/{room}/ws", func(ctx context.Context, in *JoinInput) (*ws.Session[ClientMsg, ServerMsg], error) {
		return ws.Accept(func(ctx context.Context, c *ws.Conn[ClientMsg, ServerMsg]) error {
			for {
				m, err := c.Receive(ctx)
				if err != nil {
					rc.ended <- err
					return err
				}
				rc.texts <- m.Text
			}
		}, opts...), nil
	})
	rc.srv = httptest.NewServer(api)
	t.Cleanup(func() {
		api.Drain()
		rc.srv.Close()
	})
	return rc
}

// TestHostileFrames writes frames by hand over loopback. A frame that
// declares more than the read limit closes the session with 1009 at once
// — one declaring 2^62 bytes held it 40 seconds, until the pings went
// unanswered — after the messages before it have been received; a text
// message that is not UTF-8 closes it with 1007, as RFC 6455 §8.1 says
// (it was 1008).
func TestHostileFrames(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, ws.ReadLimit(256))
	chunk := []byte(strings.Repeat("x", 100))
	closeFrame := frame{true, 0x8, 2, []byte{0x03, 0xe8}} // 1000
	atLimit := `"` + strings.Repeat("y", 50) + `"` + strings.Repeat(" ", 195) + `}`
	for _, tt := range []struct {
		name   string
		frames []frame
		texts  []string // the texts received before the end
		code   int
	}{
		{"2^62 bytes declared", []frame{{true, 0x1, 1 << 62, []byte(`{"te`)}}, nil, 1009},
		{"2^62 bytes declared after a message", []frame{text(`{"text":"hi"}`), {true, 0x1, 1 << 62, nil}}, []string{"hi"}, 1009},
		{"one byte over, sent whole", []frame{{true, 0x1, 257, []byte(strings.Repeat(" ", 257))}}, nil, 1009},
		{"fragments over the limit", []frame{{false, 0x1, 100, chunk}, {false, 0x0, 100, chunk}, {true, 0x0, 100, chunk}}, nil, 1009},
		{"2^62 bytes in a continuation", []frame{{false, 0x1, 4, []byte(`{"te`)}, {true, 0x0, 1 << 62, nil}}, nil, 1009},
		{"a ping within a message at the limit", []frame{{false, 0x1, 8, []byte(`{"text":`)}, {true, 0x9, 4, []byte("ping")}, {true, 0x0, 248, []byte(atLimit)}, closeFrame}, []string{strings.Repeat("y", 50)}, 1000},
		{"invalid UTF-8", []frame{text("{\"text\":\"\xff\"}")}, nil, 1007},
		{"invalid UTF-8 across fragments", []frame{{false, 0x1, 10, []byte("{\"text\":\"\xe2")}, {true, 0x0, 3, []byte("(\"}")}}, nil, 1007},
		{"UTF-8 split across fragments", []frame{{false, 0x1, 10, []byte("{\"text\":\"\xe2")}, {true, 0x0, 4, []byte("\x82\xac\"}")}, closeFrame}, []string{"€"}, 1000},
	} {
		t.Run(tt.name, func(t *testing.T) {
			conn, br := rawSession(t, rc.srv.Listener.Addr().String())
			var out []byte
			for _, f := range tt.frames {
				out = appendFrame(out, f)
			}
			start := time.Now()
			if _, err := conn.Write(out); err != nil {
				t.Fatal(err)
			}
			code := closeCode(t, br)
			took := time.Since(start)
			// Answer the close, as a client does; the server may have
			// closed already.
			conn.Write(appendFrame(nil, closeFrame))
			// The server closes the connection, without waiting for a
			// payload that will not come (a reset counts: the server may
			// leave bytes of it unread).
			if _, err := io.Copy(io.Discard, br); errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("after the close frame: %v, want the connection closed", err)
			}
			t.Logf("closed with %d after %v, the connection after %v", code, took.Round(time.Microsecond), time.Since(start).Round(time.Microsecond))
			var end error
			select {
			case end = <-rc.ended:
			case <-time.After(10 * time.Second):
				t.Fatal("the session did not end")
			}
			// The handler sent its texts before its end.
			var texts []string
			for len(rc.texts) > 0 {
				texts = append(texts, <-rc.texts)
			}
			var ce *ws.CloseError
			if code != tt.code || !errors.As(end, &ce) || int(ce.Code) != tt.code || !slices.Equal(texts, tt.texts) {
				t.Errorf("closed with %d, the handler got %q and then %v; want %d after %q", code, texts, end, tt.code, tt.texts)
			}
		})
	}
}

// closeCode reads the server's frames up to its close frame and returns
// its code.
func closeCode(t *testing.T, br *bufio.Reader) int {
	t.Helper()
	for {
		f, err := readFrame(br)
		if err != nil {
			t.Fatalf("no close frame: %v", err)
		}
		if f.opcode != 0x8 {
			continue // a pong, or a ping
		}
		if len(f.payload) < 2 {
			t.Fatalf("close frame %q without a code", f.payload)
		}
		return int(binary.BigEndian.Uint16(f.payload))
	}
}
