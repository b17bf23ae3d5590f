package roux_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/roux-go/roux"
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
		// Every Content-Encoding line counts, not the first alone.
		{"identity then gzip", post("application/json", validOrder, "Content-Encoding: identity", "Content-Encoding: gzip"), 415},
		{"identity, gzip", post("application/json", validOrder, "Content-Encoding: identity, gzip"), 415},
		{"identity", post("application/json", validOrder, "Content-Encoding: identity"), 201},
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
		{"path traversal", rawGet("/menu/../../etc/passwd"), 400},
		{"encoded traversal", rawGet("/menu/%2e%2e/%2e%2e/etc/passwd"), 400},
		{"empty segment", rawGet("/menu//1"), 400},
		{"dot segment on an unsafe method", "POST /orders/. HTTP/1.1\r\nHost: kitchen\r\nContent-Length: 0\r\n\r\n", 400},
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
		// net/http keeps the connection; package cli's serve closes it
		// after the answer, as RFC 9112 §6.1 asks (cli's TestSmuggling).
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
			res, body := rawExchange(t, srv.Listener.Addr().String(), tt.raw)
			if res.StatusCode != tt.status {
				t.Errorf("got %d, want %d; body: %.300s", res.StatusCode, tt.status, body)
			}
			if res.StatusCode >= 500 {
				t.Errorf("a server error for bad input: %.300s", body)
			}
			checkAnswer(t, res, body)
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
	res, body := rawExchange(t, addr, raw)
	return res.StatusCode, string(body[:min(len(body), 4096)])
}

// rawExchange writes raw on a new connection and reads one response, and
// its body up to 16 MB.
func rawExchange(t *testing.T, addr, raw string) (*http.Response, []byte) {
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
	body, err := io.ReadAll(io.LimitReader(res.Body, 16<<20))
	if err != nil {
		t.Fatalf("reading the body: %v", err)
	}
	return res, body
}

// internalName matches what would name an implementation in a problem:
// a Go package's error prefix ("codec: ", "multipart: NextPart: "), a
// module or internal path.
var internalName = regexp.MustCompile(`(^|[\s"(])(codec|bind|verr|validate|route|schema|jsontext|json|multipart|nextpart|mime|textproto|bufio|strconv|url|http|roux|runtime|reflect)\s*:\s|github\.com/|internal/|\.go:\d`)

// checkAnswer checks what every answer of roux carries: nosniff, and, for
// a problem, a detail and errors that name nothing internal. Answers of
// net/http itself (431, a malformed request line) are plain text, and
// not roux's.
func checkAnswer(t *testing.T, res *http.Response, body []byte) {
	t.Helper()
	if res.Header.Get("Content-Type") != "application/problem+json" {
		if res.StatusCode < 400 && res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("X-Content-Type-Options %q, want nosniff", res.Header.Get("X-Content-Type-Options"))
		}
		return
	}
	if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("a problem with X-Content-Type-Options %q, want nosniff", got)
	}
	if len(body) == 0 {
		return // the answer to HEAD
	}
	var p struct {
		Detail string `json:"detail"`
		Errors []struct {
			Detail string `json:"detail"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("a malformed problem (%v): %.300s", err, body)
	}
	details := []string{p.Detail}
	for _, e := range p.Errors {
		details = append(details, e.Detail)
	}
	for _, d := range details {
		if m := internalName.FindString(d); m != "" {
			t.Errorf("the problem names %q: %q", m, d)
		}
	}
}

// TestHostileProblemsBounded checks that a problem repeats a bounded part
// of what the request holds: a name, a pointer or a header value of any
// length is cut, and a problem lists at most 100 failures and counts the
// others in omittedErrors. A 500 KB unknown member name made a 2 MB
// problem before.
func TestHostileProblemsBounded(t *testing.T) {
	t.Parallel()
	srv := httptest.NewUnstartedServer(kitchenAPI())
	srv.Config.MaxHeaderBytes = 64 << 10
	srv.Start()
	defer srv.Close()
	huge := strings.Repeat("n", 500<<10)
	long := strings.Repeat("v", 60<<10)
	var many strings.Builder
	many.WriteString(`{"customer":"Ann"`)
	for i := range 5000 {
		fmt.Fprintf(&many, `,"m%d":1`, i)
	}
	many.WriteString("}")
	for _, tt := range []struct {
		name    string
		raw     string
		status  int
		maxSize int // bytes of the problem
		omitted int // omittedErrors
	}{
		{"500 KB unknown member name", order(`{"customer":"Ann","` + huge + `":1}`), 422, 2 << 10, 0},
		{"500 KB unknown member name, nested", order(`{"delivery":{"` + huge + `":1}}`), 422, 2 << 10, 0},
		{"500 KB duplicate member name", order(`{"` + huge + `":1,"` + huge + `":2}`), 400, 1 << 10, 0},
		{"5,000 unknown members", order(many.String()), 422, 16 << 10, 4905}, // and 5 failures of the members it lacks
		{"pointer 5,000 deep", order(`{"extra":` + strings.Repeat(`{"a":`, 5000) + `x`), 400, 1 << 10, 0},
		{"60 KB path", rawGet("/" + long), 404, 1 << 10, 0},
		{"60 KB method", strings.Replace(rawGet("/orders"), "GET", strings.Repeat("M", 60<<10), 1), 405, 1 << 10, 0},
		{"60 KB Content-Type", post("application/"+long, validOrder), 415, 1 << 10, 0},
		{"60 KB Content-Encoding", post("application/json", validOrder, "Content-Encoding: "+long), 415, 1 << 10, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, body := rawExchange(t, srv.Listener.Addr().String(), tt.raw)
			if res.StatusCode != tt.status {
				t.Fatalf("got %d, want %d; body: %.300s", res.StatusCode, tt.status, body)
			}
			if len(body) > tt.maxSize {
				t.Errorf("the problem has %d bytes, want at most %d: %.300s", len(body), tt.maxSize, body)
			}
			checkAnswer(t, res, body)
			var p struct {
				Errors  []json.RawMessage `json:"errors"`
				Omitted int               `json:"omittedErrors"`
			}
			if err := json.Unmarshal(body, &p); err != nil {
				t.Fatal(err)
			}
			if p.Omitted != tt.omitted || tt.omitted > 0 && len(p.Errors) != 100 {
				t.Errorf("got %d errors and omittedErrors %d, want %d omitted", len(p.Errors), p.Omitted, tt.omitted)
			}
		})
	}
}

// hostileFormAPI serves a multipart upload with a text field and a file field,
// and a url-encoded form.
func hostileFormAPI() *roux.API {
	api := roux.New(roux.Config{Title: "Forms", Version: "1.0.0", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	type uploaded struct {
		Name     string `json:"name"`
		Filename string `json:"filename"`
	}
	roux.Post(api, "/upload", func(ctx context.Context, in *struct {
		Form struct {
			Name string         `form:"name" maxLength:"20"`
			File *roux.FormFile `form:"file" contentType:"text/plain"`
		}
	}) (*uploaded, error) {
		out := &uploaded{Name: in.Form.Name}
		if in.Form.File != nil {
			out.Filename = in.Form.File.Filename
		}
		return out, nil
	}, roux.BodyLimit(8<<20))
	roux.Post(api, "/signup", func(ctx context.Context, in *struct {
		Form struct {
			Name string `form:"name" maxLength:"20"`
		}
	}) (*uploaded, error) {
		return &uploaded{Name: in.Form.Name}, nil
	})
	return api
}

// rawUpload builds a raw multipart POST /upload of body, whose boundary is
// "B"; each part is its header lines, a blank line and its content.
func rawUpload(body string, extra ...string) string {
	var b strings.Builder
	b.WriteString("POST /upload HTTP/1.1\r\nHost: forms\r\nContent-Type: multipart/form-data; boundary=B\r\n")
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(body), body)
	return b.String()
}

// parts joins parts into a multipart body with the boundary "B".
func parts(ps ...string) string {
	return "--B\r\n" + strings.Join(ps, "\r\n--B\r\n") + "\r\n--B--\r\n"
}

const (
	namePart = "Content-Disposition: form-data; name=\"name\"\r\n\r\nAnn"
	filePart = "Content-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello"
)

// TestHostileForms sends malformed and oversized forms over loopback:
// each gets its 4xx, a bounded problem naming nothing internal. A part's
// header counts against the form's limits: 16 KiB each (413 past it),
// and with the text values against Config.MaxBodyBytes (1 MiB here).
func TestHostileForms(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(hostileFormAPI())
	defer srv.Close()
	bigHeaders := make([]string, 300)
	for i := range bigHeaders {
		bigHeaders[i] = "Content-Disposition: form-data; name=\"name\"\r\nX-Pad: " + strings.Repeat("p", 15<<10) + "\r\n\r\n"
	}
	manyLines := "Content-Disposition: form-data; name=\"name\"\r\n" + strings.Repeat("X-Line: a\r\n", 100000) + "\r\nAnn"
	for _, tt := range []struct {
		name   string
		raw    string
		status int
	}{
		{"good upload", rawUpload(parts(namePart, filePart)), 200},
		{"preamble", rawUpload("a preamble line\r\n" + parts(namePart)), 200},
		{"10 KB file name", rawUpload(parts("Content-Disposition: form-data; name=\"file\"; filename=\"" + strings.Repeat("f", 10<<10) + "\"\r\nContent-Type: text/plain\r\n\r\nhi")), 200},
		{"1 MB part header line", rawUpload(parts("Content-Disposition: form-data; name=\"name\"\r\nX-Pad: " + strings.Repeat("p", 1<<20) + "\r\n\r\nAnn")), 413},
		{"7 MB part header line", rawUpload(parts(filePart, "Content-Disposition: form-data; name=\"file\"; filename=\"b\"\r\nX-Pad: "+strings.Repeat("p", 7<<20)+"\r\n\r\nhi")), 413},
		{"1 MB part header of short lines", rawUpload(parts(manyLines)), 413},
		{"300 part headers of 15 KB", rawUpload(parts(bigHeaders...)), 413},
		{"no closing boundary", rawUpload("--B\r\n" + namePart), 400},
		{"header line without colon", rawUpload(parts("Content-Disposition: form-data; name=\"name\"\r\nno colon here\r\n\r\nAnn")), 400},
		{"5,000-byte line where a boundary belongs", rawUpload(strings.Repeat("g", 5000) + "\r\n" + parts(namePart)), 400},
		{"duplicate boundary parameter", strings.Replace(rawUpload(parts(namePart)), "boundary=B", "boundary=B; boundary=C", 1), 400},
		{"media type without subtype", strings.Replace(rawUpload(parts(namePart)), "multipart/form-data; boundary=B", "multipart; boundary=B", 1), 415},
		{"identity then gzip", rawUpload(parts(namePart), "Content-Encoding: identity", "Content-Encoding: gzip"), 415},
		{"10 KB file content type", rawUpload(parts("Content-Disposition: form-data; name=\"file\"; filename=\"a\"\r\nContent-Type: text/" + strings.Repeat("x", 10<<10) + "\r\n\r\nhi")), 422},
		{"10 KB unknown field name", rawUpload(parts("Content-Disposition: form-data; name=\"" + strings.Repeat("u", 10<<10) + "\"\r\n\r\nx")), 422},
		{"bad escape in a url-encoded form", "POST /signup HTTP/1.1\r\nHost: forms\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 8\r\n\r\nname=%zz", 400},
		{"100 KB url-encoded unknown field", "POST /signup HTTP/1.1\r\nHost: forms\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 102402\r\n\r\n" + strings.Repeat("u", 100<<10) + "=x", 422},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, body := rawExchange(t, srv.Listener.Addr().String(), tt.raw)
			if res.StatusCode != tt.status {
				t.Errorf("got %d, want %d; body: %.300s", res.StatusCode, tt.status, body)
			}
			if res.StatusCode >= 400 && len(body) > 2<<10 {
				t.Errorf("the problem has %d bytes, want at most 2 KiB: %.300s", len(body), body)
			}
			checkAnswer(t, res, body)
		})
	}
}

// TestHostilePartHeaderMemory checks that a part's huge header is not
// read into memory: one request with a 7 MB part header allocated some
// 20 MB while mime/multipart read it whole (40 of them at once took a
// server to 370–490 MB of RSS). Not parallel: it counts the bytes the
// whole process allocates.
func TestHostilePartHeaderMemory(t *testing.T) {
	api := hostileFormAPI()
	head := "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\nX-Pad: "
	tail := "\r\n\r\nhi\r\n--B--\r\n"
	const pad = 7 << 20
	send := func() int {
		body := io.MultiReader(strings.NewReader(head), io.LimitReader(padding{}, pad), strings.NewReader(tail))
		req := httptest.NewRequest("POST", "/upload", body)
		req.ContentLength = int64(len(head) + pad + len(tail))
		req.Header.Set("Content-Type", "multipart/form-data; boundary=B")
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		return rec.Code
	}
	send() // warm up
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	status := send()
	runtime.ReadMemStats(&after)
	if status != http.StatusRequestEntityTooLarge {
		t.Errorf("got %d, want 413", status)
	}
	n := after.TotalAlloc - before.TotalAlloc
	if n > 1<<20 {
		t.Errorf("a 7 MB part header allocated %d bytes, want at most 1 MiB", n)
	}
	t.Logf("a request with a 7 MB part header allocated %d bytes", n)
}

// padding reads as an endless run of "p".
type padding struct{}

func (padding) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = 'p'
	}
	return len(b), nil
}

// TestHostileRanges asks a 100 KB file for many ranges: ranges near each
// other are merged and more than 100 get the whole file, so that no
// answer is much larger than the file (5,000 one-byte ranges made a
// 754 KB answer before).
func TestHostileRanges(t *testing.T) {
	t.Parallel()
	content := strings.Repeat("0123456789", 10<<10)
	api := roux.New(roux.Config{Title: "Files", Version: "1.0.0"})
	roux.Get(api, "/file", func(ctx context.Context, in *struct{}) (*roux.File, error) {
		return &roux.File{Content: strings.NewReader(content), Name: "f.bin"}, nil
	})
	srv := httptest.NewServer(api)
	defer srv.Close()
	spaced := func(n, step int, descending bool) string {
		specs := make([]string, n)
		for i := range specs {
			at := i * step
			if descending {
				at = (n - 1 - i) * step
			}
			specs[i] = fmt.Sprintf("%d-%d", at, at)
		}
		return strings.Join(specs, ",")
	}
	for _, tt := range []struct {
		name   string
		ranges string
		status int
		parts  int // parts of a multipart answer; 0 for a single range
	}{
		{"5,000 one-byte ranges 20 bytes apart", spaced(5000, 20, false), 206, 0},
		{"5,000 one-byte ranges 20 bytes apart, descending", spaced(5000, 20, true), 206, 0},
		{"1,000 one-byte ranges 100 bytes apart", spaced(1000, 100, false), 200, 0},
		{"100 one-byte ranges 1,000 bytes apart", spaced(100, 1000, false), 206, 100},
		{"the whole file 5,000 times", strings.Repeat("0-102399,", 5000), 206, 0},
		{"a malformed range after 5,000", strings.Repeat("0-0,", 5000) + "x", 416, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			raw := "GET /file HTTP/1.1\r\nHost: files\r\nRange: bytes=" + tt.ranges + "\r\n\r\n"
			res, body := rawExchange(t, srv.Listener.Addr().String(), raw)
			if res.StatusCode != tt.status {
				t.Fatalf("got %d, want %d; body: %.300s", res.StatusCode, tt.status, body)
			}
			if max := len(content) + 16<<10; len(body) > max {
				t.Errorf("an answer of %d bytes to a file of %d, want at most %d", len(body), len(content), max)
			}
			mt, params, _ := mime.ParseMediaType(res.Header.Get("Content-Type"))
			parts := 0
			if mt == "multipart/byteranges" {
				mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
				for {
					if _, err := mr.NextPart(); err != nil {
						break
					}
					parts++
				}
			}
			if parts != tt.parts {
				t.Errorf("%d parts, want %d", parts, tt.parts)
			}
			checkAnswer(t, res, body)
		})
	}
}

// TestHostileHalfClose: a client that half-closes its connection after
// its request (shutdown of its write side) ends the request's context in
// net/http, which reads EOF. A handler that then stops, returning its
// context's error, must not leave net/http to finish the response as an
// empty 200 that the operation does not declare, and that the client,
// still reading, would take for an answer: the connection is closed
// with nothing sent. A handler that answers anyway is sent as usual.
func TestHostileHalfClose(t *testing.T) {
	t.Parallel()
	api := roux.New(roux.Config{CheckResponses: true, Logger: slog.New(slog.DiscardHandler)})
	type out struct {
		Body struct {
			Done bool `json:"done"`
		}
	}
	roux.Post(api, "/wait", func(ctx context.Context, in *struct{}) (*out, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}, roux.Status(http.StatusAccepted))
	roux.Post(api, "/answer", func(ctx context.Context, in *struct{}) (*out, error) {
		<-ctx.Done()
		o := &out{}
		o.Body.Done = true
		return o, nil
	}, roux.Status(http.StatusAccepted))
	srv := httptest.NewServer(api)
	defer srv.Close()
	for _, tt := range []struct{ path, want string }{
		{"/wait", ""},
		{"/answer", "HTTP/1.1 202 Accepted"},
	} {
		c, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", tt.path)
		c.(*net.TCPConn).CloseWrite()
		got, err := io.ReadAll(c)
		c.Close()
		if err != nil {
			t.Fatalf("%s: %v", tt.path, err)
		}
		if status, _, _ := strings.Cut(string(got), "\r\n"); status != tt.want {
			t.Errorf("%s: half-closed after the request, got %q, want %q", tt.path, got, tt.want)
		}
	}
}
