package cli

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// BenchmarkOwnedListenerClose closes a socket serve opened while 16
// clients open connections as fast as they can, each sending one
// request, and reports how many clients were reset after sending theirs
// (resets/close) — closing a listening socket resets the connections in
// its queue, and a client whose handshake completed may have sent its
// request on one — beside those answered and those refused, having sent
// nothing. Any other outcome fails it. It is a measure, not a test: a
// handshake under way in the moment the socket stops listening is reset,
// and how often one is depends on the machine.
func BenchmarkOwnedListenerClose(b *testing.B) {
	var answered, refused, reset atomic.Int64
	for b.Loop() {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		l := &ownedListener{TCPListener: ln.(*net.TCPListener)}
		addr := ln.Addr().String()
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				go func() {
					defer c.Close()
					c.SetDeadline(time.Now().Add(5 * time.Second))
					if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
						return
					}
					io.WriteString(c, "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
				}()
			}
		}()
		var closed atomic.Bool
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				for !closed.Load() {
					c, err := net.DialTimeout("tcp", addr, 3*time.Second)
					if err != nil {
						refused.Add(1)
						time.Sleep(time.Millisecond)
						continue
					}
					c.SetDeadline(time.Now().Add(5 * time.Second))
					_, err = io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
					if err == nil {
						var res *http.Response
						res, err = http.ReadResponse(bufio.NewReader(c), nil)
						if err == nil {
							res.Body.Close()
						}
					}
					c.Close()
					switch {
					case err == nil:
						answered.Add(1)
					case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.EPIPE):
						reset.Add(1)
					default:
						b.Errorf("a client: %v", err)
					}
				}
			})
		}
		time.Sleep(30 * time.Millisecond)
		if err := l.Close(); err != nil {
			b.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
		closed.Store(true)
		wg.Wait()
	}
	b.ReportMetric(float64(reset.Load())/float64(b.N), "resets/close")
	b.ReportMetric(float64(answered.Load())/float64(b.N), "answered/close")
	b.ReportMetric(float64(refused.Load())/float64(b.N), "refused/close")
	b.ReportMetric(0, "ns/op")
	if answered.Load() == 0 {
		b.Error("no client was answered")
	}
}
