//go:build linux

package cli

// Internal: keep-alive is a socket option of the server's side of a
// connection, which no client sees.

import (
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// recording is a listener that keeps the connections it accepts.
type recording struct {
	net.Listener
	mu    sync.Mutex
	conns []*net.TCPConn
}

func (l *recording) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		l.mu.Lock()
		l.conns = append(l.conns, tc)
		l.mu.Unlock()
	}
	return c, err
}

func (l *recording) conn(i int) *net.TCPConn {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.conns[i]
}

// keepAliveOn reads SO_KEEPALIVE and TCP_KEEPIDLE of c.
func keepAliveOn(t *testing.T, c *net.TCPConn) (on bool, idle int) {
	t.Helper()
	raw, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var v int
	var serr error
	if err := raw.Control(func(fd uintptr) {
		if v, serr = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_KEEPALIVE); serr == nil {
			idle, serr = syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_KEEPIDLE)
		}
	}); err != nil || serr != nil {
		t.Fatalf("getsockopt: %v %v", err, serr)
	}
	return v != 0, idle
}

// TestCapKeepAlive: on the socket serve opens with a connection cap, a
// connection kept has TCP keep-alive as net.Listen sets it (after 15 s
// idle), and one refused has none: it is closed within moments, and
// turning keep-alive on is four system calls of what a refusal costs.
// Without the cap, the listener sets it on every connection.
func TestCapKeepAlive(t *testing.T) {
	for _, tt := range []struct {
		name         string
		capped       bool
		keptOn       bool
		refusedOn    bool
		keptIdleSecs int
	}{
		{"capped", true, true, false, 15},
		{"no cap", false, true, true, 15},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ln, opened, err := listen(&config{}, "127.0.0.1:0", tt.capped)
			if err != nil || !opened {
				t.Fatalf("listen: %v, opened %v", err, opened)
			}
			defer ln.Close()
			rec := &recording{Listener: ln}
			capped := newCapListener(rec, 1, false)
			capped.keepAlive = opened && tt.capped
			var accepted net.Listener = capped
			if !tt.capped {
				accepted = rec
			}
			dial := func() net.Conn {
				c, err := net.Dial("tcp", ln.Addr().String())
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { c.Close() })
				return c
			}
			// The first is kept.
			dial()
			kept, err := accepted.Accept()
			if err != nil {
				t.Fatal(err)
			}
			defer kept.Close()
			if on, idle := keepAliveOn(t, rec.conn(0)); on != tt.keptOn || on && idle != tt.keptIdleSecs {
				t.Errorf("kept: keep-alive %v, idle %ds; want %v, %ds", on, idle, tt.keptOn, tt.keptIdleSecs)
			}
			// The second is over the cap: refused (lingering, 500 ms, for a
			// request it never sends) while Accept waits for a third.
			dial()
			if !tt.capped {
				second, err := accepted.Accept()
				if err != nil {
					t.Fatal(err)
				}
				defer second.Close()
			} else {
				third := make(chan net.Conn, 1)
				go func() {
					c, _ := accepted.Accept()
					third <- c
				}()
				dial()
				waitRecorded(t, rec, 3)
				defer func() {
					ln.Close() // ends the Accept waiting for a fourth
					if c := <-third; c != nil {
						c.Close()
					}
				}()
			}
			if on, _ := keepAliveOn(t, rec.conn(1)); on != tt.refusedOn {
				t.Errorf("the second connection: keep-alive %v, want %v", on, tt.refusedOn)
			}
		})
	}
}

// waitRecorded waits until rec has accepted n connections.
func waitRecorded(t *testing.T, rec *recording, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		rec.mu.Lock()
		got := len(rec.conns)
		rec.mu.Unlock()
		if got >= n {
			return
		}
	}
	t.Fatalf("%d connections not accepted", n)
}

// BenchmarkCapRefusal is what the server spends on a connection over the
// cap when refusals are past maxLingering and each is closed at once
// (TLS, or a flood): accept4, keep-alive's system calls when the listener
// sets them (keepalive=accept, as net.Listen does) or none
// (keepalive=kept, as serve listens with a cap), close. The connections
// are dialed, and the clients' ends closed, outside the timer.
func BenchmarkCapRefusal(b *testing.B) {
	for _, bb := range []struct {
		name string
		own  bool
	}{{"keepalive=accept", false}, {"keepalive=kept", true}} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			ln, _, err := listen(&config{}, "127.0.0.1:0", bb.own)
			if err != nil {
				b.Fatal(err)
			}
			defer ln.Close()
			l := newCapListener(ln, 1, true)
			l.keepAlive = bb.own
			l.open.Store(1) // the cap is reached
			const batch = 256
			clients := make([]net.Conn, 0, batch)
			n := 0
			for b.Loop() {
				if n%batch == 0 {
					b.StopTimer()
					for _, c := range clients {
						c.Close()
					}
					clients = clients[:0]
					for range batch {
						c, err := net.Dial("tcp", ln.Addr().String())
						if err != nil {
							b.Fatal(err)
						}
						clients = append(clients, c)
					}
					b.StartTimer()
				}
				n++
				c, err := ln.Accept()
				if err != nil {
					b.Fatal(err)
				}
				if l.admit(c) != nil {
					b.Fatal("admitted over the cap")
				}
			}
			b.StopTimer()
			for _, c := range clients {
				c.Close()
			}
		})
	}
}

// TestRefuseNow: past maxLingering refusals at once, a connection whose
// request has arrived gets the 503 and a FIN, not a reset that loses the
// answer, and one that has sent nothing is closed without a word.
func TestRefuseNow(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		request string
		want    string // the start of what the client reads; "" for EOF
	}{
		{"request arrived", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 503 Service Unavailable\r\n"},
		{"nothing sent", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := refused(t, tt.request, true)
			if !strings.HasPrefix(string(got), tt.want) || tt.want == "" && len(got) > 0 {
				t.Errorf("read %q, want it to start with %q", got, tt.want)
			}
		})
	}
}
