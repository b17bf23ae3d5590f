package cli_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/cli"
)

// drainCounts is what the keep-alive clients of TestDrainKeepAlive saw.
type drainCounts struct {
	ok, failed, closes atomic.Int64 // answered, failed (reset, EOF, a 5xx), answered with Connection: close
	mu                 sync.Mutex
	errs               map[string]int
}

func (c *drainCounts) fail(who string, err error) {
	c.failed.Add(1)
	c.mu.Lock()
	c.errs[who+": "+err.Error()]++
	c.mu.Unlock()
}

// answered counts a response, which must be a 200 or 201 with want as
// its body.
func (c *drainCounts) answered(who string, status int, body, want string, closing bool) {
	if closing {
		c.closes.Add(1)
	}
	if (status != 200 && status != 201) || body != want {
		c.fail(who, fmt.Errorf("got %d %q, want %q", status, body, want))
		return
	}
	c.ok.Add(1)
}

// drainRequest returns the i-th request a client sends: GETs and POSTs
// by turns, each body unique so that a lost or mixed-up answer shows.
func drainRequest(addr, who string, i int) (method, path, body, want string) {
	if i%2 == 0 {
		return "GET", "/item?n=" + fmt.Sprint(i), "", fmt.Sprintf(`"item %d"`, i)
	}
	note := fmt.Sprintf("%s-%d", who, i)
	return "POST", "/items", `{"note":"` + note + `"}`, `"` + note + `"`
}

// goClient sends requests through net/http's client, which keeps its
// connection alive until a response says Connection: close.
func goClient(addr, who string, quit <-chan struct{}, c *drainCounts) {
	tr := &http.Transport{MaxIdleConnsPerHost: 1}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	for i := 0; ; i++ {
		select {
		case <-quit:
			return
		case <-time.After(rand.N(80 * time.Millisecond)): // shorter than the drain window
		}
		method, path, body, want := drainRequest(addr, who, i)
		req, _ := http.NewRequestWithContext(context.Background(), method, "http://"+addr+path, strings.NewReader(body))
		if body == "" {
			req.Body = nil
		} else {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := client.Do(req)
		if err != nil {
			c.fail(who, err)
			continue
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			c.fail(who, err)
			continue
		}
		c.answered(who, res.StatusCode, string(b), want, res.Close)
	}
}

// rawClient sends requests over one net.Conn at a time, as a minimal
// HTTP/1.1 client does: it reuses the connection until a response says
// Connection: close, and retries nothing.
func rawClient(addr, who string, quit <-chan struct{}, c *drainCounts) {
	var conn net.Conn
	var br *bufio.Reader
	defer func() {
		if conn != nil {
			conn.Close()
		}
	}()
	for i := 0; ; i++ {
		select {
		case <-quit:
			return
		case <-time.After(rand.N(80 * time.Millisecond)):
		}
		if conn == nil {
			var err error
			if conn, err = net.Dial("tcp", addr); err != nil {
				c.fail(who, err)
				continue
			}
			br = bufio.NewReader(conn)
		}
		method, path, body, want := drainRequest(addr, who, i)
		msg := method + " " + path + " HTTP/1.1\r\nHost: " + addr + "\r\n"
		if body != "" {
			msg += fmt.Sprintf("Content-Type: application/json\r\nContent-Length: %d\r\n", len(body))
		}
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		res, err := func() (*http.Response, error) {
			if _, err := io.WriteString(conn, msg+"\r\n"+body); err != nil {
				return nil, err
			}
			return http.ReadResponse(br, &http.Request{Method: method})
		}()
		var b []byte
		if err == nil {
			b, err = io.ReadAll(res.Body)
		}
		if err != nil {
			c.fail(who, err)
			conn.Close()
			conn = nil
			continue
		}
		c.answered(who, res.StatusCode, string(b), want, res.Close)
		if res.Close {
			conn.Close()
			conn = nil
		}
	}
}

// TestDrainKeepAlive stops the server 20 times on one socket while
// keep-alive clients — net/http's and a raw HTTP/1.1 one — send GETs and
// POSTs with gaps shorter than the drain window: none is reset, none
// fails. Each drain's responses carry Connection: close, and only
// connections idle for the whole window are closed, so every client
// learns of the drain in an answer and opens its next connection, which
// waits in the socket's queue for the next server.
func TestDrainKeepAlive(t *testing.T) {
	if os.Getenv("ROUX_TIMING_TESTS") == "" {
		// Seconds of restarts under load: CI runs it alone (.ci/run).
		t.Skip("set ROUX_TIMING_TESTS=1 and run it alone")
	}
	t.Parallel()
	api := roux.New(roux.Config{})
	var posts atomic.Int64
	roux.Get(api, "/item", func(ctx context.Context, in *struct {
		N int `query:"n"`
	}) (*string, error) {
		time.Sleep(2 * time.Millisecond)
		s := fmt.Sprintf("item %d", in.N)
		return &s, nil
	})
	roux.Post(api, "/items", func(ctx context.Context, in *struct {
		Body struct {
			Note string `json:"note"`
		}
	}) (*string, error) {
		posts.Add(1)
		time.Sleep(2 * time.Millisecond)
		return &in.Body.Note, nil
	}, roux.Status(http.StatusCreated))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	addr := ln.Addr().String()

	counts := map[string]*drainCounts{"net/http": {errs: map[string]int{}}, "raw": {errs: map[string]int{}}}
	quit := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() { goClient(addr, fmt.Sprint("go", i), quit, counts["net/http"]) })
		wg.Go(func() { rawClient(addr, fmt.Sprint("raw", i), quit, counts["raw"]) })
	}
	args := []string{"-drain-window", "500ms", "-shutdown-timeout", "5s"}
	for i := range 20 {
		_, stop := started(t, api, cli.Args(args...), cli.Listener(ln))
		time.Sleep(150 * time.Millisecond)
		if err := stop(); err != nil {
			t.Fatalf("drain %d: %v", i, err)
		}
	}
	// A last server answers what queued after the twentieth drain.
	_, stop := started(t, api, cli.Args(args...), cli.Listener(ln))
	close(quit)
	wg.Wait()
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"net/http", "raw"} {
		c := counts[name]
		t.Logf("%s clients: %d answered (%d with Connection: close), %d failed", name, c.ok.Load(), c.closes.Load(), c.failed.Load())
		for err, n := range c.errs {
			t.Errorf("%s: %d× %s", name, n, err)
		}
		// Each drain told some of them: the test exercised the drain.
		if c.failed.Load() != 0 || c.ok.Load() < 200 || c.closes.Load() < 20 {
			t.Errorf("%s clients: got %d answered, %d with Connection: close, %d failed; want hundreds, at least 20, none",
				name, c.ok.Load(), c.closes.Load(), c.failed.Load())
		}
	}
}
