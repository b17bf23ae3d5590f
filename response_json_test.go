package roux_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux"
)

type flatMessage struct {
	Message string `json:"message"`
	Count   int    `json:"count,omitempty"`
	Escaped string `json:"escaped"`
}

type flatEnvelope struct {
	Server string `header:"Server"`
	Body   flatMessage
}

func newFlatAPI() *roux.API {
	api := roux.New(roux.Config{})
	roux.Get(api, "/json", func(ctx context.Context, _ *struct{}) (*flatEnvelope, error) {
		return &flatEnvelope{Server: "roux", Body: flatMessage{Message: "Hello, World!", Escaped: "<a href=\"x\">\n"}}, nil
	})
	roux.Get(api, "/items/{id}", func(ctx context.Context, in *benchGetIn) (*benchItem, error) {
		return &benchItem{ID: in.ID, Q: in.Q, Limit: in.Limit, Tenant: in.Tenant}, nil
	})
	return api
}

// TestFlatResponse checks a response whose body roux encodes without
// json.MarshalWrite, whole: status, headers and bytes.
func TestFlatResponse(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	newFlatAPI().ServeHTTP(rec, httptest.NewRequest("GET", "/json", nil))
	want := `{"message":"Hello, World!","escaped":"<a href=\"x\">\n"}`
	if diff := cmp.Diff(want, rec.Body.String()); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	if rec.Code != http.StatusOK {
		t.Errorf("got status %d, want 200", rec.Code)
	}
	wantHeaders := http.Header{"Content-Type": {"application/json"}, "Content-Length": {"56"}, "Server": {"roux"}, "X-Content-Type-Options": {"nosniff"}}
	if diff := cmp.Diff(wantHeaders, rec.Header()); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}
}

// TestServeAllocs pins the allocations of a request to what the
// handler's types need: its input and output, and the value of a
// response header field. Routing, binding, the pooled state, encoding,
// Content-Type, Content-Length and nosniff allocate nothing. This is the
// path with response checks off (Config.CheckResponses).
func TestServeAllocs(t *testing.T) {
	// Not parallel: AllocsPerRun counts the allocations of the process.
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	t.Setenv("ROUX_CHECK_RESPONSES", "") // the path with response checks off
	api := newFlatAPI()
	for _, tt := range []struct {
		target string
		header string
		want   float64
	}{
		{"/json", "", 2}, // the output, the Server value
		{"/items/42?q=tomato&limit=25", "acme", 2}, // the input, the output
	} {
		t.Run(tt.target, func(t *testing.T) {
			req := httptest.NewRequest("GET", tt.target, nil)
			req.Header.Set("X-Tenant", tt.header)
			w := &discardWriter{h: http.Header{}}
			got := testing.AllocsPerRun(200, func() {
				w.reset()
				api.ServeHTTP(w, req)
			})
			if w.status != http.StatusOK {
				t.Fatalf("got status %d, want 200", w.status)
			}
			if got > tt.want {
				t.Errorf("got %v allocations per request, want at most %v", got, tt.want)
			}
		})
	}
}
