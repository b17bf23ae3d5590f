package roux_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/roux-go/roux"
)

func TestCheckResponses(t *testing.T) {
	t.Parallel()
	type named struct {
		Name string   `json:"name" minLength:"1"`
		Tags []string `json:"tags" maxItems:"1"`
	}
	type withHeader struct {
		Status int
		ETag   string `header:"ETag"`
	}
	key := roux.APIKeyAuth("key", roux.InHeader, "X-Key", func(ctx context.Context, k string) (struct{}, error) {
		return struct{}{}, nil
	})
	var logs syncBuf
	api := roux.New(roux.Config{CheckResponses: true, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	roux.Get(api, "/named/{v}", func(ctx context.Context, in *struct {
		V string `path:"v"`
	}) (*named, error) {
		switch in.V {
		case "teapot":
			return nil, roux.NewError(http.StatusTeapot, "undeclared")
		case "gone":
			return nil, roux.NewError(http.StatusGone, "declared")
		case "empty":
			return &named{Tags: []string{"a", "b"}}, nil
		}
		return &named{Name: in.V}, nil
	}, roux.Response(http.StatusGone, "Gone", nil))
	roux.Get(api, "/secured", func(ctx context.Context, in *struct{}) (*struct{}, error) {
		return nil, roux.NewError(http.StatusUnauthorized, "a 401 without its challenge")
	}, roux.Secure(key))
	roux.Get(api, "/etag", func(ctx context.Context, in *struct{}) (*withHeader, error) {
		return &withHeader{Status: http.StatusNotModified, ETag: `"1"`}, nil
	}, roux.Response(http.StatusNotModified, "", nil))
	roux.Get(api, "/mw", func(ctx context.Context, in *struct{}) (*struct{}, error) {
		return &struct{}{}, nil
	}, roux.Middleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusPaymentRequired) })
	}))

	for _, tt := range []struct {
		target, header string
		status         int
		detail         string // of the violation, when one is expected
		pointers       []string
	}{
		{"/named/ann", "", 200, "", nil},
		{"/named/gone", "", 410, "", nil},
		{"/named/teapot", "", 500, "operation get-named-v answered 418, which its description does not list", nil},
		{"/named/empty", "", 500, "operation get-named-v answered 200 with a body its schema does not allow", []string{"/name", "/tags"}},
		{"/secured", "key", 500, "operation get-secured answered 401 without the header Www-Authenticate, which its description requires", nil},
		{"/etag", "", 304, "", nil},
		{"/mw", "", 500, "operation get-mw answered 402, which its description does not list", nil},
	} {
		t.Run(tt.target, func(t *testing.T) {
			req := httptest.NewRequest("GET", tt.target, nil)
			if tt.header != "" {
				req.Header.Set("X-Key", tt.header)
			}
			rec := httptest.NewRecorder()
			api.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("got %d %s, want %d", rec.Code, rec.Body, tt.status)
			}
			if tt.detail == "" {
				return
			}
			var p struct {
				Type, Detail, Operation string
				Errors                  []struct{ Pointer string }
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
				t.Fatal(err)
			}
			if p.Type != roux.ResponseViolationType || !strings.EqualFold(p.Detail, tt.detail) || p.Operation == "" {
				t.Errorf("got %s, want a violation saying %q", rec.Body, tt.detail)
			}
			var ptrs []string
			for _, e := range p.Errors {
				ptrs = append(ptrs, e.Pointer)
			}
			if strings.Join(ptrs, ",") != strings.Join(tt.pointers, ",") {
				t.Errorf("pointers %v, want %v", ptrs, tt.pointers)
			}
		})
	}
	if !strings.Contains(logs.String(), "response violates the API description") {
		t.Errorf("violations were not logged:\n%s", logs.String())
	}
}

// With the check off (the default), a response that breaks the
// description goes out as the handler wrote it.
func TestCheckResponsesOff(t *testing.T) {
	t.Setenv("ROUX_CHECK_RESPONSES", "")
	api := roux.New(roux.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	roux.Get(api, "/", func(ctx context.Context, in *struct{}) (*struct{}, error) {
		return nil, roux.NewError(http.StatusTeapot, "undeclared")
	})
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != http.StatusTeapot {
		t.Errorf("got %d, want 418", rec.Code)
	}
}
