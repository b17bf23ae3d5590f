package roux_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/middleware"
)

type sharedIn struct {
	ID int64 `path:"id" minimum:"1" doc:"Item identifier"`
}

type sharedA struct {
	A string `json:"a"`
}

type sharedB struct {
	B int `json:"b"`
}

// Operations that describe equal responses and parameters share one
// copy of each in the API's descriptions; what an operation changes
// afterwards — documented middleware added later, its own options —
// stays its own.
func TestSharedDescriptions(t *testing.T) {
	t.Parallel()
	api := roux.New(roux.Config{Logger: slog.New(slog.DiscardHandler)})
	roux.Get(api, "/a/{id}", func(ctx context.Context, in *sharedIn) (*sharedA, error) { return &sharedA{}, nil })
	roux.Get(api, "/b/{id}", func(ctx context.Context, in *sharedIn) (*sharedB, error) { return &sharedB{}, nil })
	roux.Get(api, "/c/{id}", func(ctx context.Context, in *sharedIn) (*sharedB, error) { return &sharedB{}, nil },
		roux.Response(400, "The identifier is malformed", nil))
	api.UseDocumented(middleware.RequestID())
	limit := middleware.NewRateLimiter(1, time.Minute, middleware.PolicyName("shared"))
	roux.Get(api, "/d/{id}", func(ctx context.Context, in *sharedIn) (*sharedA, error) { return &sharedA{}, nil }, roux.Wrap(limit))
	roux.Get(api, "/e/{id}", func(ctx context.Context, in *sharedIn) (*sharedA, error) { return &sharedA{}, nil })

	doc := api.OpenAPI()
	op := func(path string) string { return "/" + path + "/{id}" }
	for _, c := range []struct {
		a, b, code            string
		shared, sharedHeaders bool
	}{
		{"a", "b", "400", true, true},
		{"a", "b", "422", true, true},
		{"a", "b", "500", true, true},
		{"a", "e", "500", true, true},   // e described after UseDocumented
		{"a", "e", "200", true, true},   // the same output
		{"a", "d", "500", false, false}, // d's rate limit adds its headers
		{"a", "b", "200", false, true},  // different bodies, the same headers
		{"a", "c", "400", false, true},  // c describes its 400 itself
	} {
		ra, rb := doc.Paths[op(c.a)].Get.Responses[c.code], doc.Paths[op(c.b)].Get.Responses[c.code]
		if ra == nil || rb == nil {
			t.Fatalf("%s: /%s has %v, /%s has %v", c.code, c.a, ra, c.b, rb)
		}
		if (ra == rb) != c.shared {
			t.Errorf("%s of /%s and /%s: shared %v, want %v", c.code, c.a, c.b, ra == rb, c.shared)
		}
		if same := reflect.ValueOf(ra.Headers).UnsafePointer() == reflect.ValueOf(rb.Headers).UnsafePointer(); same != c.sharedHeaders {
			t.Errorf("%s of /%s and /%s: headers shared %v, want %v", c.code, c.a, c.b, same, c.sharedHeaders)
		}
		if ra.Headers["X-Request-ID"] == nil || rb.Headers["X-Request-ID"] == nil {
			t.Errorf("%s of /%s or /%s lacks the X-Request-ID header added after registration", c.code, c.a, c.b)
		}
	}
	if got := doc.Paths[op("c")].Get.Responses["400"].Description; got != "The identifier is malformed" {
		t.Errorf("the 400 of /c is described as %q", got)
	}
	if got := doc.Paths[op("a")].Get.Responses["400"].Description; got != "The request is malformed" {
		t.Errorf("the 400 of /a is described as %q: /c's option changed it", got)
	}
	for _, path := range []string{"a", "b", "c"} {
		if doc.Paths[op(path)].Get.Responses["429"] != nil {
			t.Errorf("/%s publishes the rate limit's 429 of /d", path)
		}
	}
	if doc.Paths[op("d")].Get.Responses["429"] == nil {
		t.Error("/d does not publish its rate limit's 429")
	}
	pa, pb := doc.Paths[op("a")].Get.Parameters, doc.Paths[op("b")].Get.Parameters
	if len(pa) != 1 || len(pb) != 1 || pa[0] != pb[0] {
		t.Errorf("the id parameters of /a and /b are not shared: %v, %v", pa, pb)
	}
}

type sharedMax struct {
	ID int64 `path:"id" maximum:"5" doc:"Item identifier"`
}

// Parameters of equal type and schema share their validator; a parameter
// of the same name and type with another schema keeps its own.
func TestSharedParamValidators(t *testing.T) {
	t.Parallel()
	api := roux.New(roux.Config{Logger: slog.New(slog.DiscardHandler)})
	roux.Get(api, "/a/{id}", func(ctx context.Context, in *sharedIn) (*sharedA, error) { return &sharedA{}, nil })
	roux.Get(api, "/b/{id}", func(ctx context.Context, in *sharedIn) (*sharedB, error) { return &sharedB{}, nil })
	roux.Get(api, "/m/{id}", func(ctx context.Context, in *sharedMax) (*sharedB, error) { return &sharedB{}, nil })
	for _, c := range []struct {
		path string
		want int
	}{
		{"/a/0", 422}, {"/a/9", 200},
		{"/b/0", 422}, {"/b/9", 200},
		{"/m/0", 200}, {"/m/9", 422},
	} {
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, httptest.NewRequest("GET", c.path, nil))
		if rec.Code != c.want {
			t.Errorf("GET %s: %d %s, want %d", c.path, rec.Code, rec.Body, c.want)
		}
	}
	doc := api.OpenAPI()
	a, m := doc.Paths["/a/{id}"].Get.Parameters[0].Schema, doc.Paths["/m/{id}"].Get.Parameters[0].Schema
	if a.Minimum == nil || a.Maximum != nil || m.Maximum == nil || m.Minimum != nil {
		t.Errorf("the published id schemas: /a minimum %v maximum %v, /m minimum %v maximum %v", a.Minimum, a.Maximum, m.Minimum, m.Maximum)
	}
}
