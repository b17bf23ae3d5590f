//go:build linux

package cli

import (
	"encoding/binary"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// TestRefuseH2C: a connection over the cap that speaks HTTP/2 without
// TLS (h2c, prior knowledge: serve -h2c) is refused in HTTP/2 — the
// server's preface (SETTINGS), then GOAWAY taking none of its streams —
// whether its refusal lingers or not. An HTTP/1.1 503 there is no answer
// an HTTP/2 client can read: net/http's reports "frame too large" and
// names no refusal.
func TestRefuseH2C(t *testing.T) {
	t.Parallel()
	// The client's preface, an empty SETTINGS frame and the HEADERS of
	// its first request (stream 1; its header block is not read).
	request := "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + "\x00\x00\x00\x04\x00\x00\x00\x00\x00" +
		"\x00\x00\x01\x01\x05\x00\x00\x00\x01\x82"
	for _, tt := range []struct {
		name     string
		lingered bool // every lingering place taken: refuseNow
	}{
		{"lingering", false},
		{"at once", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := refused(t, request, tt.lingered)
			var frames []string
			for len(got) >= 9 {
				n := int(got[0])<<16 | int(got[1])<<8 | int(got[2])
				typ, stream := got[3], binary.BigEndian.Uint32(got[5:9])&(1<<31-1)
				if len(got) < 9+n {
					break
				}
				payload := got[9 : 9+n]
				got = got[9+n:]
				switch {
				case typ == 0x4 && stream == 0 && n%6 == 0:
					frames = append(frames, "SETTINGS")
				case typ == 0x7 && stream == 0 && n >= 8:
					if last := binary.BigEndian.Uint32(payload) & (1<<31 - 1); last != 0 {
						t.Errorf("GOAWAY's last stream %d, want 0: the request was not processed", last)
					}
					frames = append(frames, "GOAWAY")
				default:
					frames = append(frames, "?")
				}
			}
			if len(got) > 0 {
				frames = append(frames, "?")
			}
			if s := strings.Join(frames, " "); s != "SETTINGS GOAWAY" {
				t.Errorf("the server sent the frames %q, want %q", s, "SETTINGS GOAWAY")
			}
		})
	}
}

// refused returns what a client that sent request reads from a
// connection over the cap before EOF: refused lingering, or at once when
// lingered (every lingering place taken).
func refused(t *testing.T, request string, lingered bool) []byte {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	l := newCapListener(ln, 0, false)
	if lingered {
		l.linger = maxLingering
	}
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if _, err := client.Write([]byte(request)); err != nil {
		t.Fatal(err)
	}
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	// The request is in the server's socket before it is refused: on
	// loopback a write is delivered at once; the wait covers a slow
	// machine.
	time.Sleep(50 * time.Millisecond)
	l.refuse(c)
	client.SetReadDeadline(time.Now().Add(5 * time.Second)) //nolint:errcheck // the read fails then
	got, err := io.ReadAll(client)
	if err != nil {
		t.Fatalf("read %q, then %v; want the answer and EOF", got, err)
	}
	return got
}
