package middleware_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/zstd"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/middleware"
	"github.com/roux-go/roux/openapi"
)

// serve runs h behind a real loopback server for the test.
func serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// do sends a request and returns the response with its body read.
func do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	res, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

func get(t *testing.T, url string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	return do(t, req)
}

// problemStatus decodes a problem body and returns its status.
func problemStatus(t *testing.T, res *http.Response, body []byte) int {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("got Content-Type %q, want application/problem+json; body %s", ct, body)
	}
	var p struct{ Status int }
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("problem %s: %v", body, err)
	}
	return p.Status
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRecover(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	srv := serve(t, middleware.Recover(log)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/late" {
			w.Write([]byte("partial"))
		}
		panic("kaboom")
	})))
	res, body := get(t, srv.URL+"/early")
	if got := problemStatus(t, res, body); got != 500 || strings.Contains(string(body), "kaboom") {
		t.Errorf("got %d %s, want a 500 problem without the panic value", got, body)
	}
	if !strings.Contains(logs.String(), "kaboom") || !strings.Contains(logs.String(), "stack=") {
		t.Errorf("log lacks the panic and its stack: %s", logs.String())
	}
	req, _ := http.NewRequest("GET", srv.URL+"/late", nil)
	if res, err := http.DefaultClient.Do(req); err == nil {
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err == nil && res.StatusCode == 200 && string(b) == "partial" {
			t.Errorf("a response cut short by a panic looked complete")
		}
	}
}

func TestRequestID(t *testing.T) {
	t.Parallel()
	srv := serve(t, middleware.RequestID()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, middleware.RequestIDFrom(r.Context()))
	})))
	for _, tt := range []struct {
		name, sent string
		kept       bool
	}{
		{"none", "", false},
		{"valid", "abc-123.x:y_z", true},
		{"too long", strings.Repeat("a", 129), false},
		{"bad characters", "a b<script>", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var res *http.Response
			var body []byte
			if tt.sent == "" {
				res, body = get(t, srv.URL)
			} else {
				res, body = get(t, srv.URL, "X-Request-ID", tt.sent)
			}
			id := res.Header.Get("X-Request-ID")
			if string(body) != id || id == "" {
				t.Fatalf("got header %q and context %q, want the same non-empty ID", id, body)
			}
			if tt.kept && id != tt.sent || !tt.kept && (id == tt.sent || len(id) != 32) {
				t.Errorf("got %q for %q (kept=%v)", id, tt.sent, tt.kept)
			}
		})
	}
}

func TestAccessLog(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	h := middleware.RequestID()(middleware.ClientIP()(middleware.AccessLog(log)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, "hello")
	}))))
	srv := serve(t, h)
	get(t, srv.URL+"/ok", "X-Request-ID", "req-1")
	get(t, srv.URL+"/missing")
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d log lines, want 2:\n%s", len(lines), logs.String())
	}
	var first, second map[string]any
	json.Unmarshal([]byte(lines[0]), &first)
	json.Unmarshal([]byte(lines[1]), &second)
	if first["status"] != 200.0 || first["bytes"] != 5.0 || first["request_id"] != "req-1" || first["client_ip"] != "127.0.0.1" || first["level"] != "INFO" {
		t.Errorf("first line: %v", first)
	}
	if second["status"] != 404.0 || second["level"] != "WARN" || second["path"] != "/missing" {
		t.Errorf("second line: %v", second)
	}
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	srv := serve(t, middleware.BodyLimit(10)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
			return
		}
		w.Write(b)
	})))
	for _, tt := range []struct {
		name    string
		body    string
		chunked bool
		status  int
	}{
		{"small", "0123456789", false, 200},
		{"declared too large", "0123456789x", false, 413},
		{"chunked too large", "0123456789x", true, 413},
		{"chunked small", "abc", true, 200},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader = strings.NewReader(tt.body)
			if tt.chunked {
				body = io.MultiReader(body) // hides the length: sent chunked
			}
			req, _ := http.NewRequest("POST", srv.URL, body)
			res, _ := do(t, req)
			if res.StatusCode != tt.status {
				t.Errorf("got %d, want %d", res.StatusCode, tt.status)
			}
		})
	}
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	srv := serve(t, middleware.Timeout(50*time.Millisecond)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			w.Write([]byte("too late"))
			return
		}
		w.Header().Set("X-Fast", "yes")
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte("fast"))
	})))
	res, body := get(t, srv.URL+"/slow")
	if got := problemStatus(t, res, body); got != 503 {
		t.Errorf("slow: got %d, want 503", got)
	}
	res, body = get(t, srv.URL+"/fast")
	if res.StatusCode != 201 || string(body) != "fast" || res.Header.Get("X-Fast") != "yes" {
		t.Errorf("fast: got %d %q %v", res.StatusCode, body, res.Header)
	}
}

func TestSecureHeaders(t *testing.T) {
	t.Parallel()
	srv := serve(t, middleware.SecureHeaders()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/page":
			w.Header().Set("Content-Security-Policy", "default-src 'self'")
		case "/add":
			// Values shared by every response: an Add must not reach the
			// next response.
			w.Header().Add("X-Frame-Options", "SAMEORIGIN")
			w.Header().Add("Cross-Origin-Resource-Policy", "cross-origin")
		}
	})))
	if res, _ := get(t, srv.URL+"/add"); len(res.Header.Values("X-Frame-Options")) != 2 {
		t.Errorf("an added X-Frame-Options: got %q", res.Header.Values("X-Frame-Options"))
	}
	res, _ := get(t, srv.URL+"/api")
	for _, k := range []string{"X-Frame-Options", "Cross-Origin-Resource-Policy"} {
		if got := res.Header.Values(k); len(got) != 1 {
			t.Errorf("%s after a response that added one: got %q, want one value", k, got)
		}
	}
	for k, want := range map[string]string{
		"X-Content-Type-Options":       "nosniff",
		"X-Frame-Options":              "DENY",
		"Cross-Origin-Resource-Policy": "same-origin",
		"Content-Security-Policy":      "default-src 'none'; frame-ancestors 'none'",
		// Sent only when asked for: they act on HTML documents.
		"Referrer-Policy":            "",
		"Cross-Origin-Opener-Policy": "",
	} {
		if got := res.Header.Get(k); got != want {
			t.Errorf("%s: got %q, want %q", k, got, want)
		}
	}
	if res.Header.Get("Strict-Transport-Security") != "" {
		t.Errorf("HSTS sent over plain HTTP")
	}
	if res, _ := get(t, srv.URL+"/page"); res.Header.Get("Content-Security-Policy") != "default-src 'self'" {
		t.Errorf("a handler's own CSP was replaced")
	}
}

// The options of SecureHeaders, on a TLS request (HSTS is sent on those
// only), and the headers its document lists for each: exactly those sent,
// required where sent on a plain request too.
func TestSecureHeadersOptions(t *testing.T) {
	t.Parallel()
	const defaultCSP = "default-src 'none'; frame-ancestors 'none'"
	const year = "max-age=31536000; includeSubDomains"
	base := []docHeader{{"Cross-Origin-Resource-Policy", true, "string"}, {"X-Content-Type-Options", true, "string"}, {"X-Frame-Options", true, "string"}}
	with := func(extra ...docHeader) []docHeader {
		out := append(append([]docHeader{}, base...), extra...)
		slices.SortFunc(out, func(a, b docHeader) int { return strings.Compare(a.Name, b.Name) })
		return out
	}
	csp, hsts := docHeader{"Content-Security-Policy", true, "string"}, docHeader{"Strict-Transport-Security", false, "string"}
	for _, tt := range []struct {
		name                        string
		opts                        []middleware.SecureHeadersOption
		csp, referrer, opener, hsts string
		docs                        []docHeader
	}{
		{"defaults", nil, defaultCSP, "", "", year, with(csp, hsts)},
		{"HSTS for an hour", []middleware.SecureHeadersOption{middleware.HSTSMaxAge(time.Hour)}, defaultCSP, "", "", "max-age=3600; includeSubDomains", with(csp, hsts)},
		{"no HSTS", []middleware.SecureHeadersOption{middleware.HSTSMaxAge(0)}, defaultCSP, "", "", "", with(csp)},
		{"no CSP", []middleware.SecureHeadersOption{middleware.ContentSecurityPolicy("")}, "", "", "", year, with(hsts)},
		{"another CSP, a referrer and an opener policy", []middleware.SecureHeadersOption{
			middleware.ContentSecurityPolicy("default-src 'self'"), middleware.ReferrerPolicy("no-referrer"), middleware.CrossOriginOpenerPolicy("same-origin")},
			"default-src 'self'", "no-referrer", "same-origin", year,
			with(csp, hsts, docHeader{"Cross-Origin-Opener-Policy", true, "string"}, docHeader{"Referrer-Policy", true, "string"})},
		{"empty referrer and opener policies send none", []middleware.SecureHeadersOption{
			middleware.ReferrerPolicy(""), middleware.CrossOriginOpenerPolicy("")}, defaultCSP, "", "", year, with(csp, hsts)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mw := middleware.SecureHeaders(tt.opts...)
			rec := httptest.NewRecorder()
			mw(http.NotFoundHandler()).ServeHTTP(rec, httptest.NewRequest("GET", "https://api.example/", nil))
			h := rec.Header()
			got := []string{h.Get("Content-Security-Policy"), h.Get("Referrer-Policy"), h.Get("Cross-Origin-Opener-Policy"), h.Get("Strict-Transport-Security")}
			if diff := cmp.Diff([]string{tt.csp, tt.referrer, tt.opener, tt.hsts}, got); diff != "" {
				t.Errorf("CSP, Referrer-Policy, Cross-Origin-Opener-Policy, HSTS (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.docs, docHeaders(mw.Headers())); diff != "" {
				t.Errorf("documented headers (-want +got):\n%s", diff)
			}
		})
	}
}

// docHeader is a documented header as TestSecureHeadersOptions compares it.
type docHeader struct {
	Name     string
	Required bool
	Type     string
}

// docHeaders lists m by name.
func docHeaders(m map[string]*openapi.Header) []docHeader {
	var l []docHeader
	for _, name := range slices.Sorted(maps.Keys(m)) {
		l = append(l, docHeader{name, m[name].Required, m[name].Schema.Type[0]})
	}
	return l
}

// TestFrontAllocations: the security headers and the request ID are
// set on every response, refusals included, so they allocate what they
// must and no more: nothing for the security headers, the ID for a
// request without one, and the context that carries it and holds its
// header value; behind a shedder, which makes that context, not even it.
func TestFrontAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	for _, tt := range []struct {
		name string
		h    http.Handler
		id   string
		want float64
	}{
		{"security headers", middleware.SecureHeaders()(ok), "", 0},
		// An ID, the context that carries it and holds its header value,
		// and the request that carries the context.
		{"request ID, new", middleware.RequestID()(ok), "", 3},
		{"request ID, the client's", middleware.RequestID()(ok), "abc-123", 2},
		// In a chain, the shedder's context carries the ID and the
		// client's address too (context.go): the context, the request
		// that carries it, and the new ID, where each making its own
		// took eight.
		{"shedder, request ID and client IP", middleware.NewLoadShedder().Middleware(middleware.RequestID()(middleware.ClientIP()(ok))), "", 3},
		{"shedder, request ID and client IP, the client's ID", middleware.NewLoadShedder().Middleware(middleware.RequestID()(middleware.ClientIP()(ok))), "abc-123", 2},
		// With its level off, the access log allocates only the writer
		// that keeps the status.
		{"access log, level off", middleware.AccessLog(slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError})))(ok), "", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			if tt.id != "" {
				r.Header.Set("X-Request-ID", tt.id)
			}
			w := &discardWriter{h: http.Header{}}
			if got := testing.AllocsPerRun(100, func() { tt.h.ServeHTTP(w, r) }); got != tt.want {
				t.Errorf("got %v allocations, want %v", got, tt.want)
			}
		})
	}
}

// TestSharedHeaderValues: the header values SecureHeaders and RequestID
// share between responses stay as they are whatever a handler does with
// its own response's.
func TestSharedHeaderValues(t *testing.T) {
	t.Parallel()
	h := middleware.RequestID()(middleware.SecureHeaders()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/change" {
			return
		}
		w.Header().Add("X-Frame-Options", "SAMEORIGIN")
		w.Header().Add(middleware.RequestIDHeader, "second")
	})))
	first := httptest.NewRecorder()
	h.ServeHTTP(first, httptest.NewRequest(http.MethodGet, "/change", nil))
	if got, want := first.Result().Header["X-Frame-Options"], []string{"DENY", "SAMEORIGIN"}; !cmp.Equal(got, want) {
		t.Errorf("X-Frame-Options after Add: got %q, want %q", got, want)
	}
	next := httptest.NewRecorder()
	h.ServeHTTP(next, httptest.NewRequest(http.MethodGet, "/", nil))
	res := next.Result()
	if got, want := res.Header["X-Frame-Options"], []string{"DENY"}; !cmp.Equal(got, want) {
		t.Errorf("X-Frame-Options of the next response: got %q, want %q", got, want)
	}
	if got := res.Header[http.CanonicalHeaderKey(middleware.RequestIDHeader)]; len(got) != 1 || len(got[0]) != 32 {
		t.Errorf("X-Request-ID of the next response: got %q, want one new ID", got)
	}
}

func TestClientIP(t *testing.T) {
	t.Parallel()
	h := func(trusted ...string) http.Handler {
		return middleware.ClientIP(trusted...)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, middleware.ClientIPFrom(r.Context()).String())
		}))
	}
	for _, tt := range []struct {
		name    string
		trusted []string
		xff     []string
		want    string
	}{
		{"no proxies: the peer", nil, []string{"203.0.113.9"}, "127.0.0.1"},
		{"trusted peer", []string{"127.0.0.1"}, []string{"203.0.113.9"}, "203.0.113.9"},
		{"spoofed left part ignored", []string{"127.0.0.0/8", "10.0.0.0/8"}, []string{"1.2.3.4, 203.0.113.9, 10.0.0.5"}, "203.0.113.9"},
		{"several header lines", []string{"127.0.0.1", "10.0.0.0/8"}, []string{"198.51.100.1", "10.1.1.1"}, "198.51.100.1"},
		{"malformed hop", []string{"127.0.0.1"}, []string{"203.0.113.9, junk"}, "127.0.0.1"},
		{"all trusted", []string{"127.0.0.1", "10.0.0.0/8"}, []string{"10.0.0.1"}, "10.0.0.1"},
		{"ipv6", []string{"127.0.0.1"}, []string{"2001:db8::1"}, "2001:db8::1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, h(tt.trusted...))
			var hs []string
			for _, x := range tt.xff {
				hs = append(hs, "X-Forwarded-For", x)
			}
			if _, body := get(t, srv.URL, hs...); string(body) != tt.want {
				t.Errorf("got %q, want %q", body, tt.want)
			}
		})
	}
	defer func() {
		if recover() == nil {
			t.Errorf("ClientIP accepted a bad prefix")
		}
	}()
	middleware.ClientIP("10.0.0.0/99")
}

func TestCompress(t *testing.T) {
	t.Parallel()
	big := strings.Repeat(`{"dish":"tomato soup","price":6.5},`, 100)
	srv := serve(t, middleware.Compress()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/small":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"a":1}`)
		case "/png":
			w.Header().Set("Content-Type", "image/png")
			io.WriteString(w, big)
		case "/problem":
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(422)
			io.WriteString(w, big)
		case "/stream":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, "[1")
			http.NewResponseController(w).Flush()
			io.WriteString(w, ",2]")
		default:
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Header().Set("Content-Length", "3500")
			io.WriteString(w, big)
		}
	})))
	decode := func(enc string, b []byte) string {
		switch enc {
		case "gzip":
			r, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			out, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			return string(out)
		case "zstd":
			r, err := zstd.NewReader(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			out, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			return string(out)
		}
		return string(b)
	}
	for _, tt := range []struct {
		name, path, accept, wantEnc, wantBody string
		status                                int
	}{
		{"gzip", "/", "gzip", "gzip", big, 200},
		{"zstd preferred on a tie", "/", "gzip, deflate, br, zstd", "zstd", big, 200},
		{"q values", "/", "zstd;q=0.5, gzip;q=0.9", "gzip", big, 200},
		{"refused", "/", "gzip;q=0, zstd;q=0", "", big, 200},
		{"none accepted", "/", "", "", big, 200},
		{"too small", "/small", "gzip", "", `{"a":1}`, 200},
		{"not compressible", "/png", "gzip", "", big, 200},
		{"problem", "/problem", "zstd", "zstd", big, 422},
		{"flushed", "/stream", "gzip", "gzip", "[1,2]", 200},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, body := get(t, srv.URL+tt.path, "Accept-Encoding", tt.accept)
			enc := res.Header.Get("Content-Encoding")
			if enc != tt.wantEnc || res.StatusCode != tt.status {
				t.Fatalf("got %d encoding %q, want %d %q", res.StatusCode, enc, tt.status, tt.wantEnc)
			}
			if got := decode(enc, body); got != tt.wantBody {
				t.Errorf("got body %.40q..., want %.40q...", got, tt.wantBody)
			}
			if enc != "" && res.Header.Get("Content-Length") != "" && res.ContentLength != int64(len(body)) {
				t.Errorf("a compressed response kept the original Content-Length")
			}
			if tt.path != "/png" && tt.accept != "" && !strings.Contains(strings.Join(res.Header.Values("Vary"), ","), "Accept-Encoding") {
				t.Errorf("no Vary: Accept-Encoding")
			}
		})
	}
}

// MinSize and ContentTypes change what Compress compresses.
func TestCompressOptions(t *testing.T) {
	t.Parallel()
	body := strings.Repeat("a", 200)
	for _, tt := range []struct {
		name, contentType string
		opts              []middleware.CompressOption
		wantEnc           string
	}{
		{"under the default minimum", "application/json", nil, ""},
		{"over a lower minimum", "application/json", []middleware.CompressOption{middleware.MinSize(100)}, "gzip"},
		{"a type not listed", "application/json", []middleware.CompressOption{middleware.MinSize(100), middleware.ContentTypes("text/*")}, ""},
		{"a listed type", "text/csv", []middleware.CompressOption{middleware.MinSize(100), middleware.ContentTypes("text/*")}, "gzip"},
		{"a listed suffix", "application/vnd.roux+cbor", []middleware.CompressOption{middleware.MinSize(100), middleware.ContentTypes("+cbor")}, "gzip"},
		{"an event stream, even listed", "text/event-stream", []middleware.CompressOption{middleware.MinSize(100), middleware.ContentTypes("text/event-stream")}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := middleware.Compress(tt.opts...)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				io.WriteString(w, body)
			}))
			req := httptest.NewRequest("GET", "/", nil)
			req.Header.Set("Accept-Encoding", "gzip")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if got := rec.Header().Get("Content-Encoding"); got != tt.wantEnc {
				t.Errorf("got Content-Encoding %q, want %q", got, tt.wantEnc)
			}
		})
	}
}

func TestCORS(t *testing.T) {
	t.Parallel()
	handler := func(opts ...middleware.CORSOption) http.Handler {
		return middleware.CORS(opts...)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Total", "3")
			io.WriteString(w, "data")
		}))
	}
	srv := serve(t, handler(
		middleware.AllowedOrigins("https://app.example.com"), middleware.AllowedMethods("GET", "PUT"),
		middleware.AllowedHeaders("X-Tenant"), middleware.ExposedHeaders("X-Total"), middleware.AllowCredentials(),
		middleware.PreflightMaxAge(10*time.Minute),
		middleware.AllowOriginFunc(func(origin string) bool { return strings.HasSuffix(origin, ".app.example.com") }),
	))
	open := serve(t, handler(middleware.AllowedOrigins("*")))
	preflight := func(url, origin, method, headers string) *http.Response {
		req, _ := http.NewRequest("OPTIONS", url, nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", method)
		if headers != "" {
			req.Header.Set("Access-Control-Request-Headers", headers)
		}
		res, _ := do(t, req)
		return res
	}
	for _, tt := range []struct {
		name                      string
		res                       *http.Response
		allowOrigin, allowHeaders string
	}{
		{"allowed", preflight(srv.URL, "https://app.example.com", "PUT", "x-tenant,content-type"), "https://app.example.com", "x-tenant, content-type"},
		{"allowed by the func", preflight(srv.URL, "https://eu.app.example.com", "PUT", ""), "https://eu.app.example.com", ""},
		{"origin refused", preflight(srv.URL, "https://evil.example", "PUT", ""), "", ""},
		{"method refused", preflight(srv.URL, "https://app.example.com", "DELETE", ""), "", ""},
		{"header refused", preflight(srv.URL, "https://app.example.com", "GET", "x-secret"), "", ""},
		{"any origin", preflight(open.URL, "https://x.example", "POST", ""), "*", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.res.StatusCode != 204 {
				t.Errorf("got %d, want 204", tt.res.StatusCode)
			}
			if got := tt.res.Header.Get("Access-Control-Allow-Origin"); got != tt.allowOrigin {
				t.Errorf("Allow-Origin: got %q, want %q", got, tt.allowOrigin)
			}
			if got := tt.res.Header.Get("Access-Control-Allow-Headers"); got != tt.allowHeaders {
				t.Errorf("Allow-Headers: got %q, want %q", got, tt.allowHeaders)
			}
			if !strings.Contains(strings.Join(tt.res.Header.Values("Vary"), ","), "Origin") {
				t.Errorf("no Vary: Origin")
			}
		})
	}
	ok := preflight(srv.URL, "https://app.example.com", "GET", "")
	if ok.Header.Get("Access-Control-Max-Age") != "600" || ok.Header.Get("Access-Control-Allow-Credentials") != "true" || ok.Header.Get("Access-Control-Allow-Methods") != "GET, PUT" {
		t.Errorf("preflight headers: %v", ok.Header)
	}
	res, body := get(t, srv.URL, "Origin", "https://app.example.com")
	if string(body) != "data" || res.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" || res.Header.Get("Access-Control-Expose-Headers") != "X-Total" {
		t.Errorf("actual request: %v %s", res.Header, body)
	}
	res, _ = get(t, srv.URL, "Origin", "https://evil.example")
	if res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("a refused origin got Allow-Origin")
	}
	res, _ = get(t, srv.URL)
	if res.Header.Get("Access-Control-Allow-Origin") != "" || res.Header.Get("Vary") != "Origin" {
		t.Errorf("a same-origin request: got %v, want no CORS headers but Vary: Origin", res.Header)
	}
	defer func() {
		if recover() == nil {
			t.Errorf("CORS accepted credentials with any origin")
		}
	}()
	middleware.CORS(middleware.AllowedOrigins("*"), middleware.AllowCredentials())
}

// TestBodyLimitWithRoux checks that roux answers 413 when the middleware's
// limit, smaller than the operation's, stops a chunked body.
func TestBodyLimitWithRoux(t *testing.T) {
	t.Parallel()
	api := roux.New(roux.Config{})
	roux.Post(api, "/echo", func(ctx context.Context, in *struct{ Body string }) (*string, error) { return &in.Body, nil },
		roux.Middleware(middleware.BodyLimit(8)))
	srv := serve(t, api)
	req, _ := http.NewRequest("POST", srv.URL+"/echo", io.MultiReader(strings.NewReader(`"far too long"`)))
	req.Header.Set("Content-Type", "application/json")
	res, body := do(t, req)
	if got := problemStatus(t, res, body); got != 413 {
		t.Errorf("got %d %s, want 413", got, body)
	}
}

// Regressions found in review.

func TestCORSVaryWithoutOrigin(t *testing.T) {
	t.Parallel()
	srv := serve(t, middleware.CORS(middleware.AllowedOrigins("https://a.example"))(http.NotFoundHandler()))
	res, _ := get(t, srv.URL)
	if got := res.Header.Values("Vary"); len(got) != 1 || got[0] != "Origin" {
		t.Errorf("got Vary %v, want [Origin]", got)
	}
}

func TestCompressLeavesRangesAlone(t *testing.T) {
	t.Parallel()
	content := strings.Repeat("roux ", 1200)
	srv := serve(t, middleware.Compress()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		http.ServeContent(w, r, "", time.Time{}, strings.NewReader(content))
	})))
	res, body := get(t, srv.URL, "Accept-Encoding", "gzip", "Range", "bytes=0-1999")
	if res.StatusCode != 206 || res.Header.Get("Content-Encoding") != "" || len(body) != 2000 {
		t.Errorf("got %d, encoding %q, %d bytes; want 206 with 2000 plain bytes", res.StatusCode, res.Header.Get("Content-Encoding"), len(body))
	}
}
