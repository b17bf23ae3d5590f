package kitchen_test

import (
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/roux-go/roux/internal/testutil"

	"github.com/roux-go/roux/examples/kitchen/internal/kitchen"
)

// holders are requests that hold their place in the service: a POST
// /dishes whose body never comes, waiting in the operation until their
// connection closes.
type holders struct {
	s     *server
	conns []net.Conn
}

// add opens one more and waits until the service counts it among the
// operation's active requests. One that is answered instead (refused by
// the shedder while the count's own requests were in flight) is tried
// again.
func (h *holders) add() {
	h.s.t.Helper()
	want := strconv.Itoa(len(h.conns) + 1)
	for range 5 {
		c, err := net.Dial("tcp", strings.TrimPrefix(h.s.url, "http://"))
		if err != nil {
			h.s.t.Fatal(err)
		}
		h.s.t.Cleanup(func() { c.Close() })
		io.WriteString(c, "POST /dishes HTTP/1.1\r\nHost: kitchen\r\nX-Staff-Key: "+staffKey+ //nolint:errcheck // seen in the count
			"\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
		answered := false
		waitFor(h.s.t, want+" requests in POST /dishes", func() bool {
			c.SetReadDeadline(time.Now().Add(5 * time.Millisecond))
			if n, _ := c.Read(make([]byte, 1)); n > 0 {
				answered = true
				return true
			}
			body := h.s.do("GET", kitchen.MetricsPath, "").want(h.s.t, 200, nil).body
			n, _ := metric(h.s.t, body, "http_server_active_requests", `roux_operation_id="createDish"`)
			return n == want
		})
		if !answered {
			h.conns = append(h.conns, c)
			return
		}
		c.Close()
	}
	h.s.t.Fatalf("request %s to hold: answered 5 times", want)
}

// close ends them.
func (h *holders) close() {
	for _, c := range h.conns {
		c.Close()
	}
	h.conns = nil
}

// TestLoadShedFront: past the load shedder's limit, a request is refused
// with a 503 problem, Retry-After and nosniff, and reaches nothing after
// the shedder, which stands in front of all the middleware: no request
// ID, no security headers, no access log line, only the count at
// /metrics. The answers that pass carry the request ID and the security
// headers. The
// health probes and /metrics itself still pass; the documents and the
// bill are refused like the menu. Once the requests in flight end, the
// menu is served again.
func TestLoadShedFront(t *testing.T) {
	t.Parallel()
	var log testutil.LockedBuffer
	cfg := config(backends[0].db(t))
	cfg.MinConcurrency = 2
	cfg.Logger = slog.New(slog.NewTextHandler(&log, nil))
	s := start(t, cfg)

	// Hold requests until the menu is refused: from MinConcurrency on,
	// or a little more if the limit has grown meanwhile.
	h := &holders{s: s}
	shed := 0
	for shed == 0 {
		if len(h.conns) == 10 {
			t.Fatalf("%d requests held, the menu still served", len(h.conns))
		}
		if s.do("GET", "/dishes", "").status == 503 {
			shed++
			break
		}
		h.add()
	}
	t.Logf("the menu refused with %d requests held", len(h.conns))

	for i, tt := range []struct {
		path   string
		header []string
		want   int
	}{
		{"/dishes", nil, 503},
		{"/dishes/1", nil, 503},
		{"/openapi.json", nil, 503},
		{"/orders/1/bill?guests=2", bearer(token), 503},
		{"/livez", nil, 200},
		{"/readyz", nil, 200},
		{kitchen.MetricsPath, nil, 200},
	} {
		id := "shed-test-" + strconv.Itoa(i)
		r := s.do("GET", tt.path, "", append([]string{"X-Request-ID", id}, tt.header...)...)
		if r.status != tt.want {
			t.Errorf("GET %s: got %d, want %d: %s", tt.path, r.status, tt.want, r.body)
			continue
		}
		if got := r.header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("GET %s: X-Content-Type-Options %q, want nosniff", tt.path, got)
		}
		wantID, wantFrame := id, "DENY" // the request ID and the security headers, behind the shedder
		if tt.want == 503 {
			wantID, wantFrame = "", ""
		}
		if got := r.header.Get("X-Request-ID"); got != wantID {
			t.Errorf("GET %s: X-Request-ID %q, want %q", tt.path, got, wantID)
		}
		if got := r.header.Get("X-Frame-Options"); got != wantFrame {
			t.Errorf("GET %s: X-Frame-Options %q, want %q", tt.path, got, wantFrame)
		}
		logged := func() bool { return strings.Contains(log.String(), "request_id="+id) }
		if tt.want != 503 {
			waitFor(t, "the access log's line of "+tt.path, logged)
			continue
		}
		shed++
		p := r.wantProblem(t, 503)
		if ra := r.header.Get("Retry-After"); ra != "1" || !strings.Contains(p.Detail, "at capacity") {
			t.Errorf("GET %s: Retry-After %q, detail %q: want 1 and the shedder's", tt.path, ra, p.Detail)
		}
		if logged() {
			t.Errorf("GET %s: the refusal is in the access log", tt.path)
		}
	}
	body := s.do("GET", kitchen.MetricsPath, "").want(t, 200, nil).body
	if n, _ := metric(t, body, "roux_server_refusals_total", `roux_refusal_reason="load_shed"`); n != strconv.Itoa(shed) {
		t.Errorf("load_shed refusals at %s: %q, want %d", kitchen.MetricsPath, n, shed)
	}

	h.close()
	waitFor(t, "the menu to be served again", func() bool { return s.do("GET", "/dishes", "").status == 200 })
}

// TestLoadShedOff: with Config.NoLoadShed no request is refused for the
// requests in flight, however low the floor.
func TestLoadShedOff(t *testing.T) {
	t.Parallel()
	cfg := config(backends[0].db(t))
	cfg.MinConcurrency = 2
	cfg.NoLoadShed = true
	s := start(t, cfg)
	h := &holders{s: s}
	for range 4 {
		h.add()
	}
	for _, path := range []string{"/dishes", "/openapi.json", "/livez"} {
		s.do("GET", path, "").want(t, 200, nil)
	}
	body := s.do("GET", kitchen.MetricsPath, "").want(t, 200, nil).body
	if n, ok := metric(t, body, "roux_server_refusals_total", `roux_refusal_reason="load_shed"`); ok {
		t.Errorf("load_shed refusals at %s: %s, want none", kitchen.MetricsPath, n)
	}
}
