package cli

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// TestOwnedListenerServesQueued: connections that completed their
// handshake and sent a request, queued in the kernel when a socket serve
// opened is closed, are handed to Accept and answered — closing the
// socket at once would reset them, requests and all.
func TestOwnedListenerServesQueued(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &ownedListener{TCPListener: ln.(*net.TCPListener)}
	const n = 5
	var clients []net.Conn
	for range n {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
	}
	time.Sleep(10 * time.Millisecond) // the requests in the queued connections' buffers
	start := time.Now()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	served := 0
	for {
		c, err := l.Accept()
		if errors.Is(err, net.ErrClosed) {
			break
		}
		if err != nil {
			t.Fatalf("Accept after Close: %v", err)
		}
		if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
			t.Fatalf("reading a queued request: %v", err)
		}
		io.WriteString(c, "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
		c.Close()
		served++
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Accept returned net.ErrClosed %v after Close, want at once", d)
	}
	if served != n {
		t.Errorf("Accept after Close handed over %d queued connections, want %d", served, n)
	}
	for i, c := range clients {
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Errorf("client %d: %v", i, err)
			continue
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNoContent {
			t.Errorf("client %d: status %d", i, res.StatusCode)
		}
	}
	// The socket is closed: a new connection is refused.
	if c, err := net.DialTimeout("tcp", ln.Addr().String(), 3*time.Second); err == nil {
		c.Close()
		t.Error("a connection after the close was accepted by the kernel")
	}
}
