package middleware_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/roux-go/roux/middleware"
)

// TestAccessLogClientGone: a request whose client went away before
// anything was sent is logged with status 499 at Info, not as the 200
// net/http would send to nobody, whether the handler aborts (as roux
// does) or returns with nothing written.
func TestAccessLogClientGone(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	h := middleware.AccessLog(log)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
		if r.URL.Path == "/abort" {
			panic(http.ErrAbortHandler)
		}
	}))
	srv := serve(t, h)
	for _, path := range []string{"/abort", "/return"} {
		c, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path)
		c.(*net.TCPConn).CloseWrite() // net/http reads EOF: the request's context ends
		io.ReadAll(c)
		c.Close()
	}
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(logs.String(), "\n") < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond) // the line is written as the handler ends, after the client has read
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d log lines, want 2:\n%s", len(lines), logs.String())
	}
	for _, l := range lines {
		var line map[string]any
		if err := json.Unmarshal([]byte(l), &line); err != nil {
			t.Fatal(err)
		}
		if line["status"] != float64(middleware.StatusClientClosedRequest) || line["level"] != "INFO" {
			t.Errorf("%v: got status %v at %v, want 499 at INFO", line["path"], line["status"], line["level"])
		}
	}
}

// TestTimeoutClientGone: when the client goes away (here, half-closes
// its connection after its request, which ends the request's context in
// net/http) before a Timeout's handler answers, nothing is sent: not a
// 503, and not the empty 200 net/http would send for a handler that
// returned with nothing written.
func TestTimeoutClientGone(t *testing.T) {
	t.Parallel()
	srv := serve(t, middleware.Timeout(time.Minute)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})))
	c, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprint(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	c.(*net.TCPConn).CloseWrite()
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Errorf("got %q, want nothing", got)
	}
}
