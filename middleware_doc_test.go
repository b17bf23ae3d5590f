package roux_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/roux-go/roux"
	"github.com/roux-go/roux/middleware"
	"github.com/roux-go/roux/openapi"
	"github.com/roux-go/roux/schema"
)

// Documented middleware publishes what it sends, and the response check
// accepts it: a rate limit's 429 on the operations it wraps, a request
// ID header on every response of every operation.
func TestDocumentedMiddleware(t *testing.T) {
	t.Parallel()
	api := roux.New(roux.Config{CheckResponses: true, Logger: slog.New(slog.DiscardHandler)})
	hello := func(ctx context.Context, in *struct{}) (*string, error) { s := "hi"; return &s, nil }
	roux.Get(api, "/before", hello)
	requestID := roux.Describe(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Request-Id", "r-1")
			next.ServeHTTP(w, r)
		})
	}, nil, map[string]*openapi.Header{"X-Request-Id": {Description: "The request's ID.", Required: true, Schema: &schema.Schema{Type: schema.Types{"string"}}}})
	api.UseDocumented(requestID)
	limit := middleware.NewRateLimiter(1, time.Minute, middleware.PolicyName("hello"))
	roux.Get(api, "/limited", hello, roux.Wrap(limit))

	for _, path := range []string{"/before", "/limited"} {
		op := api.OpenAPI().Paths[path].Get
		for code, r := range op.Responses {
			if r.Headers["X-Request-Id"] == nil {
				t.Errorf("%s %s lacks X-Request-Id", path, code)
			}
		}
	}
	r429 := api.OpenAPI().Paths["/limited"].Get.Responses["429"]
	if r429 == nil || r429.Content["application/problem+json"] == nil || r429.Headers["Retry-After"] == nil {
		t.Fatalf("the 429 is published as %+v", r429)
	}
	if api.OpenAPI().Paths["/before"].Get.Responses["429"] != nil {
		t.Error("an operation without the limit publishes its 429")
	}

	for i, want := range []int{200, 429} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/limited", nil)
		req.RemoteAddr = "192.0.2.1:1234"
		api.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("request %d: got %d %s, want %d", i, rec.Code, rec.Body, want)
		}
	}
}

// A response that documented middleware adds after the operations are
// registered is published with nosniff, as every response is; and where
// the operation answers the same status, a header is required only where
// both answers send it.
func TestDocumentedMiddlewareMerges(t *testing.T) {
	t.Parallel()
	api := roux.New(roux.Config{Logger: slog.New(slog.DiscardHandler)})
	hello := func(ctx context.Context, in *struct{}) (*string, error) { s := "hi"; return &s, nil }
	str := &schema.Schema{Type: schema.Types{"string"}}
	answers503 := func(headers ...string) roux.DocumentedMiddleware {
		hs := map[string]*openapi.Header{}
		for _, h := range headers {
			hs[h] = &openapi.Header{Required: true, Schema: str}
		}
		return roux.Describe(func(h http.Handler) http.Handler { return h }, map[string]*openapi.Response{"503": {Description: "Refused", Headers: hs}}, nil)
	}
	roux.Get(api, "/plain", hello)
	roux.Get(api, "/busy", hello, roux.Wrap(answers503("X-Busy", "Retry-After")))
	api.UseDocumented(answers503("Retry-After", "X-Refused"))
	required := func(path string) map[string]bool {
		got := map[string]bool{}
		for name, h := range api.OpenAPI().Paths[path].Get.Responses["503"].Headers {
			got[name] = h.Required
		}
		return got
	}
	for _, tt := range []struct {
		path string
		want map[string]bool
	}{
		{"/plain", map[string]bool{"Retry-After": true, "X-Refused": true, "X-Content-Type-Options": true}},
		{"/busy", map[string]bool{"Retry-After": true, "X-Refused": false, "X-Busy": false, "X-Content-Type-Options": true}},
	} {
		if diff := cmp.Diff(tt.want, required(tt.path)); diff != "" {
			t.Errorf("%s: the 503's headers, by whether required (-want +got):\n%s", tt.path, diff)
		}
	}
}

// The middleware roux ships publish the headers they add, and a response
// carrying them passes the check.
func TestShippedMiddlewareDocumented(t *testing.T) {
	t.Parallel()
	api := roux.New(roux.Config{CheckResponses: true, Logger: slog.New(slog.DiscardHandler)})
	api.UseDocumented(middleware.RequestID(), middleware.SecureHeaders(),
		middleware.CORS(middleware.AllowedOrigins("https://app.example")))
	roux.Get(api, "/x", func(ctx context.Context, in *struct{}) (*string, error) { s := "x"; return &s, nil })
	ok := api.OpenAPI().Paths["/x"].Get.Responses["200"]
	for _, h := range []string{"X-Request-ID", "X-Content-Type-Options", "X-Frame-Options", "Access-Control-Allow-Origin"} {
		if ok.Headers[h] == nil {
			t.Errorf("the 200 does not publish %s", h)
		}
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/x", nil)
	req.Header.Set("Origin", "https://app.example")
	api.ServeHTTP(rec, req)
	if rec.Code != 200 || rec.Header().Get("X-Request-ID") == "" || rec.Header().Get("Access-Control-Allow-Origin") != "https://app.example" {
		t.Errorf("got %d %v", rec.Code, rec.Header())
	}
	// They remain plain net/http middleware too.
	var _ func(http.Handler) http.Handler = middleware.RequestID()
}

// A documented middleware's headers are published on the responses of
// what it wraps, not on those of middleware outside it: a refusing
// middleware added in front of a header-adding one is published (and
// checked) refusing without the header, one added behind it with the
// header required. Adding the middleware after the operation publishes
// the same. The response check (CheckResponses) holds every answer to the
// document, so a wrong rule fails the requests as well as the comparison.
func TestDocumentedMiddlewareOrder(t *testing.T) {
	t.Parallel()
	header := roux.Describe(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Tag", "t")
			next.ServeHTTP(w, r)
		})
	}, nil, map[string]*openapi.Header{"X-Tag": {Description: "A tag.", Required: true, Schema: &schema.Schema{Type: schema.Types{"string"}}}})
	refuse := roux.Describe(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("refuse") != "" {
				w.Header().Set("Content-Type", "application/problem+json")
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusServiceUnavailable)
				w.Write([]byte(`{"title":"Service Unavailable","status":503}`)) //nolint:errcheck // the test reads the answer
				return
			}
			next.ServeHTTP(w, r)
		})
	}, map[string]*openapi.Response{"503": {Description: "Refused", Headers: map[string]*openapi.Header{
		"Retry-After": {Description: "Seconds", Required: true, Schema: &schema.Schema{Type: schema.Types{"string"}}}}}}, nil)
	hello := func(ctx context.Context, in *struct{}) (*string, error) { s := "hi"; return &s, nil }
	for _, tt := range []struct {
		name           string
		order          []roux.DocumentedMiddleware
		registerBefore bool // register the operation before UseDocumented
		tagOn503       bool // the refusal carries (and publishes as required) X-Tag
	}{
		{name: "refusal in front", order: []roux.DocumentedMiddleware{refuse, header}},
		{name: "refusal in front, operation first", order: []roux.DocumentedMiddleware{refuse, header}, registerBefore: true},
		{name: "refusal behind", order: []roux.DocumentedMiddleware{header, refuse}, tagOn503: true},
		{name: "refusal behind, operation first", order: []roux.DocumentedMiddleware{header, refuse}, registerBefore: true, tagOn503: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			api := roux.New(roux.Config{CheckResponses: true, Logger: slog.New(slog.DiscardHandler)})
			if tt.registerBefore {
				roux.Get(api, "/hello", hello)
			}
			for _, m := range tt.order {
				api.UseDocumented(m)
			}
			if !tt.registerBefore {
				roux.Get(api, "/hello", hello)
			}
			op := api.OpenAPI().Paths["/hello"].Get
			if h := op.Responses["200"].Headers["X-Tag"]; h == nil || !h.Required {
				t.Errorf("200 publishes X-Tag as %+v, want it required", h)
			}
			h := op.Responses["503"].Headers["X-Tag"]
			if published := h != nil && h.Required; published != tt.tagOn503 {
				t.Errorf("503 publishes X-Tag as %+v, want required %v", h, tt.tagOn503)
			}
			if !tt.tagOn503 && h != nil {
				t.Errorf("503 publishes X-Tag (%+v), which the refusal never sends", h)
			}
			srv := httptest.NewServer(api)
			defer srv.Close()
			for _, q := range []string{"", "?refuse=1"} {
				res, err := http.Get(srv.URL + "/hello" + q)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				want := map[string]int{"": 200, "?refuse=1": 503}[q]
				if res.StatusCode != want {
					t.Errorf("GET /hello%s: got %d, want %d", q, res.StatusCode, want)
				}
			}
		})
	}
}

// DocumentFront publishes a response sent in front of the API without
// the API's middleware headers, merges it with an operation's own answer
// of that status, and publishes the same when called twice.
func TestDocumentFront(t *testing.T) {
	t.Parallel()
	api := roux.New(roux.Config{Logger: slog.New(slog.DiscardHandler)})
	api.UseDocumented(roux.Describe(func(next http.Handler) http.Handler { return next }, nil,
		map[string]*openapi.Header{"X-Tag": {Description: "A tag.", Required: true, Schema: &schema.Schema{Type: schema.Types{"string"}}}}))
	hello := func(ctx context.Context, in *struct{}) (*string, error) { s := "hi"; return &s, nil }
	roux.Get(api, "/busy", hello, roux.Response(http.StatusServiceUnavailable, "Busy", nil))
	front := map[string]*openapi.Response{
		"503": {Description: "Too many connections", Headers: map[string]*openapi.Header{
			"Retry-After": {Description: "Seconds", Required: true, Schema: &schema.Schema{Type: schema.Types{"string"}}}}},
	}
	api.DocumentFront(front)
	roux.Get(api, "/hello", hello)
	first := api.OpenAPI()
	// Calls giving the same responses again only read: under -race, they
	// may run concurrently with each other and with serving the document.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			api.DocumentFront(front)
			rec := httptest.NewRecorder()
			api.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/openapi.json", nil))
			if rec.Code != http.StatusOK {
				t.Errorf("GET /openapi.json: status %d", rec.Code)
			}
		})
	}
	wg.Wait()
	if diff := cmp.Diff(first, api.OpenAPI()); diff != "" {
		t.Errorf("a second DocumentFront changed the document (-first +second):\n%s", diff)
	}
	for _, tt := range []struct {
		path               string
		tag, retryRequired bool // X-Tag published (optional), Retry-After required
	}{
		{path: "/hello", retryRequired: true},
		{path: "/busy", tag: true}, // merged with the operation's own 503, which sends X-Tag but no Retry-After
	} {
		r := first.Paths[tt.path].Get.Responses["503"]
		if r == nil {
			t.Fatalf("%s publishes no 503", tt.path)
		}
		if h := r.Headers["X-Tag"]; (h != nil) != tt.tag || h != nil && h.Required {
			t.Errorf("%s 503: X-Tag published as %+v, want published %v and optional", tt.path, h, tt.tag)
		}
		if h := r.Headers["Retry-After"]; h == nil || h.Required != tt.retryRequired {
			t.Errorf("%s 503: Retry-After published as %+v, want required %v", tt.path, h, tt.retryRequired)
		}
		if h := r.Headers["X-Content-Type-Options"]; h == nil || !h.Required {
			t.Errorf("%s 503: nosniff published as %+v, want required", tt.path, h)
		}
	}
}
