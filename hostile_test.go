package roux_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/roux-go/roux/internal/testutil"
)

// validOrder is a body the kitchen API accepts.
const validOrder = `{"customer":"Ann","email":"ann@example.com","items":[{"dish":"soup","quantity":1}],"when":"2026-11-26T12:00:00Z"}`

// hostileCase is one raw HTTP/1.1 request and the status it must get.
type hostileCase struct {
	name   string
	raw    string // the request as sent; "\n" is not translated
	status int
}

// post builds a raw POST /orders with the given headers and body.
func post(contentType, body string, extra ...string) string {
	var b strings.Builder
	b.WriteString("POST /orders HTTP/1.1\r\nHost: kitchen\r\n")
	if contentType != "" {
		b.WriteString("Content-Type: " + contentType + "\r\n")
	}
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(body), body)
	return b.String()
}

func order(body string) string { return post("application/json", body) }

// get builds a raw GET with the X-Tenant header the search needs.
func rawGet(target string, extra ...string) string {
	return "GET " + target + " HTTP/1.1\r\nHost: kitchen\r\nX-Tenant: acme\r\n" + strings.Join(append(extra, ""), "\r\n") + "\r\n"
}

func hostileCases() []hostileCase {
	deep := strings.Repeat("[", 10000) + strings.Repeat("]", 10000)
	many := strings.Repeat("a=1&", 5000)
	return []hostileCase{
		// Malformed JSON: 400.
		{"truncated object", order(`{"customer":"Ann"`), 400},
		{"truncated string", order(`{"customer":"An`), 400},
		{"trailing garbage", order(validOrder + `x`), 400},
		{"second value", order(validOrder + validOrder), 400},
		{"bare word", order(`hello`), 400},
		{"single quotes", order(`{'customer':'Ann'}`), 400},
		{"trailing comma", order(`{"customer":"Ann",}`), 400},
		{"leading zero", order(`{"priority":01}`), 400},
		{"bad escape", order(`{"customer":"\x41"}`), 400},
		{"lone surrogate", order(`{"customer":"\ud800"}`), 400},
		{"invalid UTF-8", order("{\"customer\":\"\xff\xfe\"}"), 400},
		{"byte order mark", order("\xef\xbb\xbf" + validOrder), 400},
		{"duplicate member", order(`{"customer":"Ann","customer":"Bob"}`), 400},
		{"duplicate nested member", order(`{"items":[{"dish":"a","dish":"b","quantity":1}]}`), 400},
		{"nesting 10,000 deep", order(`{"extra":` + deep + `}`), 400},
		{"comment", order(`{/* hi */}`), 400},
		{"NaN literal", order(`{"tip":NaN}`), 400},
		// Well-formed JSON, wrong values: 422.
		{"empty object", order(`{}`), 422},
		{"null body", order(`null`), 422},
		{"array body", order(`[1,2]`), 422},
		{"string body", order(`"order"`), 422},
		{"number for string", order(`{"customer":5}`), 422},
		{"string for array", order(`{"items":"soup"}`), 422},
		{"null for required string", order(`{"customer":null}`), 422},
		{"null in array", order(`{"items":[null]}`), 422},
		{"huge exponent", order(`{"items":[{"dish":"a","quantity":1e999999}]}`), 422},
		{"integer overflow", order(`{"priority":99999999999999999999999}`), 422},
		{"fraction for integer", order(`{"priority":2.5}`), 422},
		{"negative zero quantity", order(`{"items":[{"dish":"a","quantity":-0}]}`), 422},
		{"string too long", order(`{"customer":"` + strings.Repeat("x", 5000) + `"}`), 422},
		{"unknown member", order(`{"customer":"Ann","admin":true}`), 422},
		{"bad email", order(`{"customer":"Ann","email":"@"}`), 422},
		{"bad date", order(`{"customer":"Ann","when":"2026-02-30T00:00:00Z"}`), 422},
		{"too many map members", order(`{"extra":{"a":"1","b":"2","c":"3"}}`), 422},
		{"pattern mismatch", order(`{"items":[{"dish":"<script>","quantity":1}]}`), 422},
		{"NUL in string", order(`{"customer":"A\u0000nn"}`), 422},
		// Media types and sizes.
		{"no content type", post("", validOrder), 415},
		{"text/plain", post("text/plain", validOrder), 415},
		{"form", post("application/x-www-form-urlencoded", "customer=Ann"), 415},
		{"content coding", post("application/json", validOrder, "Content-Encoding: gzip"), 415},
		{"10 MB body", order(`"` + strings.Repeat("a", 10<<20) + `"`), 413},
		{"declared 10 MB, sent nothing", "POST /orders HTTP/1.1\r\nHost: kitchen\r\nContent-Type: application/json\r\nContent-Length: 10485760\r\n\r\n", 413},
		// Parameters.
		{"bad percent-encoding in query", rawGet("/search?q=%zz"), 400},
		{"thousands of query parameters", rawGet("/search?" + many + "q=soup"), 200},
		{"repeated list parameter", rawGet("/search?" + strings.Repeat("tag=a&", 1000)), 422},
		{"exponent for integer", rawGet("/search?limit=1e3"), 422},
		{"hex for integer", rawGet("/search?limit=0x10"), 422},
		{"empty integer", rawGet("/search?limit="), 422},
		{"empty list item", rawGet("/search?ids=1,,2"), 422},
		{"impossible date", rawGet("/search?since=2026-13-45T00:00:00Z"), 422},
		{"int8 overflow", rawGet("/search?small=999999999999999999999"), 422},
		{"NaN float", rawGet("/search?ratio=NaN"), 422},
		{"infinite float", rawGet("/search?ratio=Inf"), 422},
		{"missing required header", "GET /search HTTP/1.1\r\nHost: kitchen\r\n\r\n", 422},
		{"header pattern", "GET /search HTTP/1.1\r\nHost: kitchen\r\nX-Tenant: ACME!\r\n\r\n", 422},
		{"path integer overflow", rawGet("/menu/mains/99999999999999999999999"), 422},
		{"path negative", rawGet("/menu/mains/-1"), 422},
		{"path enum", rawGet("/menu/desserts/1"), 422},
		{"path NUL", rawGet("/menu/%00/1"), 422},
		{"long path segment", rawGet("/menu/mains/" + strings.Repeat("9", 5000)), 422},
		// Routing.
		{"unknown route", rawGet("/admin"), 404},
		{"wrong method", "PATCH /orders HTTP/1.1\r\nHost: kitchen\r\nContent-Length: 0\r\n\r\n", 405},
		{"HEAD on POST-only", "HEAD /orders HTTP/1.1\r\nHost: kitchen\r\n\r\n", 405},
		{"path traversal", rawGet("/menu/../../etc/passwd"), 308},
		{"encoded traversal", rawGet("/menu/%2e%2e/%2e%2e/etc/passwd"), 308},
		// The router treats an escaped slash as data, and so does the
		// cleaning: "..%2F..%2Fsearch" is one segment, no traversal; it
		// is routed, and fails the section's enum.
		{"escaped slash in a dot segment", rawGet("/menu/..%2F..%2Fsearch/1"), 422},
		// Protocol abuse, answered by net/http before roux.
		{"overlong header", rawGet("/search", "X-Big: "+strings.Repeat("b", 100<<10)), 431},
		{"overlong URI", rawGet("/search?q=" + strings.Repeat("q", 100<<10)), 431},
		// net/http ends a header line at a bare LF: two headers arrive, and
		// nothing is smuggled into X-Tenant's value.
		{"bare LF in header value", "GET /search HTTP/1.1\r\nHost: kitchen\r\nX-Tenant: a\nInjected: b\r\n\r\n", 200},
		{"folded header line", "GET /search HTTP/1.1\r\nHost: kitchen\r\nX-Tenant: a\r\n b\r\n\r\n", 422}, // unfolded to "a b", which fails the pattern
		{"NUL in header value", "GET /search HTTP/1.1\r\nHost: kitchen\r\nX-Tenant: a\x00b\r\n\r\n", 400},
		{"invalid method", "G@T /search HTTP/1.1\r\nHost: kitchen\r\n\r\n", 400},
		{"no Host", "GET /search HTTP/1.1\r\nX-Tenant: acme\r\n\r\n", 400},
		{"negative length", "POST /orders HTTP/1.1\r\nHost: kitchen\r\nContent-Length: -5\r\n\r\n", 400},
		// net/http drops Content-Length when the body is chunked (RFC 9112
		// §6.3): an empty chunked body, so the required body is missing.
		{"length and chunked", "POST /orders HTTP/1.1\r\nHost: kitchen\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 422},
		{"bad chunk", "POST /orders HTTP/1.1\r\nHost: kitchen\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", 400},
	}
}

// TestHostileInput sends every case over a real loopback connection to a
// server with production limits: each gets its 4xx (never a 5xx), the
// server stays up, and its goroutines return to their baseline.
func TestHostileInput(t *testing.T) {
	cases := hostileCases()
	if len(cases) < 60 {
		t.Fatalf("the catalogue has %d cases, want at least 60", len(cases))
	}
	srv := httptest.NewUnstartedServer(kitchenAPI())
	srv.Config.ReadHeaderTimeout = 5 * time.Second
	srv.Config.ReadTimeout = 10 * time.Second
	srv.Config.MaxHeaderBytes = 64 << 10
	srv.Start()
	defer srv.Close()
	baseline := runtime.NumGoroutine()

	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			status, body := sendRaw(t, srv.Listener.Addr().String(), tt.raw)
			if status != tt.status {
				t.Errorf("got %d, want %d; body: %.300s", status, tt.status, body)
			}
			if status >= 500 {
				t.Errorf("a server error for bad input: %.300s", body)
			}
		})
	}
	if status, _ := sendRaw(t, srv.Listener.Addr().String(), rawGet("/search?q=soup")); status != 200 {
		t.Errorf("after the catalogue the server answers %d, want 200", status)
	}
	testutil.WaitGoroutines(t, baseline, 2)
}

// sendRaw writes raw on a new connection and reads one response.
func sendRaw(t *testing.T, addr, raw string) (int, string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	go func() {
		// The server may answer (413, 431) before reading everything;
		// a failed write is then expected.
		io.WriteString(conn, raw)
	}()
	method, _, _ := strings.Cut(raw, " ")
	res, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: method}) // a HEAD answer has no body
	if err != nil {
		t.Fatalf("no response: %v", err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	return res.StatusCode, string(body)
}
