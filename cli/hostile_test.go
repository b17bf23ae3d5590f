package cli_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/cli"
)

// TestSmuggling sends requests whose body a proxy could frame otherwise
// than net/http, each followed on the same connection by a request that
// such a proxy would have passed on as part of the body. serve answers
// the first and closes the connection (RFC 9112 §6.1), so the smuggled
// request is never run; requests with plain framing keep the connection.
// net/http alone ran the smuggled request and kept the connection.
func TestSmuggling(t *testing.T) {
	t.Parallel()
	var smuggled atomic.Int64
	api := roux.New(roux.Config{Title: "Orders", Version: "1.0.0"})
	type order struct {
		Name string `json:"name"`
	}
	roux.Post(api, "/orders", func(ctx context.Context, in *struct{ Body order }) (*order, error) {
		return &in.Body, nil
	})
	roux.Get(api, "/hello", func(ctx context.Context, in *struct{}) (*order, error) {
		return &order{Name: "hello"}, nil
	})
	roux.Get(api, "/admin", func(ctx context.Context, in *struct{}) (*order, error) {
		smuggled.Add(1)
		return &order{Name: "admin"}, nil
	})
	addr := serveCLI(t, api)

	const body = `{"name":"a"}`
	chunked := fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(body), body)
	for _, tt := range []struct {
		name    string
		first   string // the request, up to its body
		body    string
		next    string // what follows on the connection
		answers int
		closed  bool // Connection: close on the first answer
	}{
		{
			"Content-Length and chunked",
			"POST /orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\nTransfer-Encoding: chunked\r\n\r\n",
			chunked, "GET /admin HTTP/1.1\r\nHost: x\r\n\r\n", 1, true,
		},
		{
			"HTTP/1.0 keep-alive with Transfer-Encoding and Content-Length",
			"POST /orders HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nContent-Length: %d\r\n\r\n",
			body, "GET /admin HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n", 1, true,
		},
		{
			"chunked alone: closed too",
			"POST /orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
			chunked, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n", 1, true,
		},
		{
			"Content-Length alone: kept",
			"POST /orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
			body, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n", 2, false,
		},
		{
			"HTTP/1.0 keep-alive without a body: kept",
			"GET /hello HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n",
			"", "GET /hello HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\n", 2, false,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			first := tt.first
			if strings.Contains(first, "%d") {
				// The length a proxy framing by Content-Length would use:
				// for the chunked body, all that follows.
				n := len(tt.body)
				if strings.Contains(first, "HTTP/1.1") && strings.Contains(first, "chunked") {
					n += len(tt.next)
				}
				first = fmt.Sprintf(first, n)
			}
			before := smuggled.Load()
			conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(5 * time.Second))
			if _, err := io.WriteString(conn, first+tt.body+tt.next); err != nil {
				t.Fatal(err)
			}
			br := bufio.NewReader(conn)
			var answers []*http.Response
			for {
				res, err := http.ReadResponse(br, nil)
				if err != nil {
					// Closed: an end of file, or a reset when the server
					// leaves what follows unread.
					if !strings.Contains(err.Error(), "EOF") && !strings.Contains(err.Error(), "reset") {
						t.Fatalf("after %d answers: %v, want the connection closed or kept", len(answers), err)
					}
					break
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				answers = append(answers, res)
				if len(answers) == 2 {
					break
				}
			}
			if len(answers) != tt.answers {
				t.Fatalf("got %d answers, want %d", len(answers), tt.answers)
			}
			// Close is Connection: close, which ReadResponse takes out of
			// the header.
			if got := answers[0].Close; got != tt.closed || answers[0].StatusCode != 200 {
				t.Errorf("first answer %d with Connection: close %v, want 200 with %v", answers[0].StatusCode, got, tt.closed)
			}
			if n := smuggled.Load() - before; n != 0 {
				t.Errorf("the smuggled request ran %d times", n)
			}
		})
	}
}

// serveCLI runs serve for api on a free loopback port until the test ends,
// and returns its address.
func serveCLI(t *testing.T, api *roux.API) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- cli.Run(ctx, fixed(api),
			cli.Args("serve", "-addr", "127.0.0.1:0", "-shutdown-timeout", "2s"),
			cli.Logger(slog.New(slog.NewTextHandler(io.Discard, nil))),
			cli.OnServe(func(addr string) { addrs <- addr }),
		)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	select {
	case addr := <-addrs:
		return addr
	case err := <-done:
		t.Fatalf("serve returned early: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not start")
	}
	return ""
}
