package roux_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
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
