package cli_test

import (
	"bufio"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/cli"
	"github.com/roux-go/roux/openapi"
)

// dialHeld opens a connection to addr that the test closes when it ends.
func dialHeld(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestMaxConns: past -max-conns, a connection is refused at once — a 503
// problem with Retry-After on plain HTTP, closed without a word over TLS —
// and counted; when a connection closes, its place is free again.
func TestMaxConns(t *testing.T) {
	t.Parallel()
	certFile, keyFile, pool := selfSigned(t, t.TempDir())
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"http", nil},
		{"https", []string{"-tls-cert", certFile, "-tls-key", keyFile}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := testAPI()
			addr, stop := started(t, api, cli.Args(append([]string{"-addr", "127.0.0.1:0", "-max-conns", "2"}, tt.args...)...))
			defer stop()
			tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
			url := tt.name + "://" + addr + "/hello"

			// A keep-alive connection and one that sent nothing take the two places.
			res, err := client.Get(url)
			if err != nil {
				t.Fatal(err)
			}
			io.ReadAll(res.Body) // read to the end, or the client closes the connection
			res.Body.Close()
			idle := dialHeld(t, addr)

			refused := dialHeld(t, addr)
			if tt.name == "http" {
				// Nothing comes before the request: net/http's client takes
				// an answer that precedes its request for a broken connection.
				refused.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
				if n, err := refused.Read(make([]byte, 1)); n != 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
					t.Errorf("over the cap, before the request: got %d bytes and %v, want nothing yet", n, err)
				}
			}
			refused.SetDeadline(time.Now().Add(5 * time.Second))
			if tt.name == "http" {
				io.WriteString(refused, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
				res, err := http.ReadResponse(bufio.NewReader(refused), nil)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				var p struct{ Status int }
				if json.Unmarshal(body, &p) != nil || res.StatusCode != 503 || p.Status != 503 || !res.Close ||
					res.Header.Get("Retry-After") != "1" || res.Header.Get("Content-Type") != "application/problem+json" ||
					res.Header.Get("X-Content-Type-Options") != "nosniff" {
					t.Errorf("over the cap: got %d %v %s, want a 503 problem with Retry-After, nosniff and Connection: close", res.StatusCode, res.Header, body)
				}
				checkDocumented(t, api.OpenAPI().Paths["/hello"].Get, res)
			}
			if n, err := refused.Read(make([]byte, 1)); n != 0 || err != io.EOF {
				t.Errorf("over the cap: got %d bytes and %v, want the connection closed", n, err)
			}
			wantRefused := int64(1)
			if tt.name == "http" {
				// net/http's client gets the 503 as an answer, not as a
				// broken connection: it is sent after the request.
				fresh := &http.Transport{}
				res, err := (&http.Client{Transport: fresh, Timeout: 5 * time.Second}).Get(url)
				if err != nil || res.StatusCode != 503 {
					t.Errorf("net/http's client over the cap: got %v, %v; want a 503", res, err)
				} else {
					res.Body.Close()
				}
				fresh.CloseIdleConnections()
				wantRefused++
			}
			if got := api.Refusals()[roux.RefusalConnections]; got != wantRefused {
				t.Errorf("counted %d connections refused, want %d", got, wantRefused)
			}

			// Closing one frees its place.
			idle.Close()
			deadline := time.Now().Add(5 * time.Second)
			for {
				tr.CloseIdleConnections() // a fresh connection each time
				res, err := client.Get(url)
				if err == nil && res.StatusCode == 200 {
					res.Body.Close()
					break
				}
				if err == nil {
					res.Body.Close()
				}
				if time.Now().After(deadline) {
					t.Fatalf("no place after a connection closed: %v", err)
				}
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
}

// checkDocumented checks res against op's description: its status is
// published, with its media type, every header it carries besides the
// framing ones is listed, and every header listed as required is sent.
func checkDocumented(t *testing.T, op *openapi.Operation, res *http.Response) {
	t.Helper()
	d := op.Responses[strconv.Itoa(res.StatusCode)]
	if d == nil {
		t.Fatalf("status %d is not in the document", res.StatusCode)
	}
	if _, ok := d.Content[res.Header.Get("Content-Type")]; !ok {
		t.Errorf("status %d: Content-Type %q is not in the document", res.StatusCode, res.Header.Get("Content-Type"))
	}
	documented := map[string]*openapi.Header{}
	for name, h := range d.Headers {
		documented[http.CanonicalHeaderKey(name)] = h
	}
	for name := range res.Header {
		switch name {
		case "Content-Type", "Content-Length", "Connection", "Date":
			continue
		}
		if documented[name] == nil {
			t.Errorf("status %d: header %s is not in the document", res.StatusCode, name)
		}
	}
	for name, h := range documented {
		if h.Required && res.Header.Get(name) == "" {
			t.Errorf("status %d: required header %s is missing", res.StatusCode, name)
		}
	}
}
