package roux_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/rouxtest"
)

// TestUnsupportedMediaAccept checks that a 415 for a body's media type
// names the types the operation reads in Accept (RFC 9110 §15.5.16), in
// Accept-Patch too on PATCH (RFC 5789 §2.2), and that a 415 for a
// content coding sends Accept-Encoding and no Accept. The client checks
// each answer against the document, so the headers are published.
func TestUnsupportedMediaAccept(t *testing.T) {
	t.Parallel()
	type patch struct {
		Name *string `json:"name,omitempty"`
	}
	api := quietAPI()
	roux.Post(api, "/json", func(ctx context.Context, in *struct{ Body int }) (*int, error) { return &in.Body, nil })
	roux.Patch(api, "/merge", func(ctx context.Context, in *struct{ Body patch }) (*patch, error) { return &in.Body, nil }, roux.MergePatch())
	roux.Patch(api, "/plain-patch", func(ctx context.Context, in *struct{ Body patch }) (*patch, error) { return &in.Body, nil })
	roux.Post(api, "/form", func(ctx context.Context, in *struct {
		Form struct {
			Name string `form:"name"`
		}
	}) (*struct{}, error) {
		return &struct{}{}, nil
	})
	roux.Post(api, "/upload", func(ctx context.Context, in *struct {
		Form struct {
			File *roux.FormFile `form:"file"`
		}
	}) (*struct{}, error) {
		return &struct{}{}, nil
	})
	c := rouxtest.New(t, api)
	doc := api.OpenAPI()
	for _, tt := range []struct {
		method, target, ct, coding string
		accept, acceptPatch        string
		acceptEncoding             string
	}{
		{method: "POST", target: "/json", ct: "text/plain", accept: "application/json"},
		{method: "PATCH", target: "/merge", ct: "application/json-patch+json", accept: "application/json, application/merge-patch+json", acceptPatch: "application/json, application/merge-patch+json"},
		{method: "PATCH", target: "/plain-patch", ct: "application/merge-patch+json", accept: "application/json", acceptPatch: "application/json"},
		{method: "POST", target: "/form", ct: "application/json", accept: "application/x-www-form-urlencoded, multipart/form-data"},
		{method: "POST", target: "/upload", ct: "application/x-www-form-urlencoded", accept: "multipart/form-data"},
		{method: "POST", target: "/json", ct: "application/json", coding: "gzip", acceptEncoding: "identity"},
	} {
		t.Run(tt.method+tt.target+" "+tt.ct+" "+tt.coding, func(t *testing.T) {
			headers := []string{"Content-Type: " + tt.ct}
			if tt.coding != "" {
				headers = append(headers, "Content-Encoding: "+tt.coding)
			}
			r := c.Request(tt.method, tt.target, "1", headers...)
			if r.Status != http.StatusUnsupportedMediaType {
				t.Fatalf("got %s, want 415", r)
			}
			got := []string{r.Header.Get("Accept"), r.Header.Get("Accept-Patch"), r.Header.Get("Accept-Encoding")}
			want := []string{tt.accept, tt.acceptPatch, tt.acceptEncoding}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Accept, Accept-Patch, Accept-Encoding (-want +got):\n%s", diff)
			}
			op := doc.Paths[tt.target].Post
			if tt.method == http.MethodPatch {
				op = doc.Paths[tt.target].Patch
			}
			published := op.Responses["415"].Headers
			for _, name := range []string{"Accept", "Accept-Patch", "Accept-Encoding"} {
				if _, ok := published[name]; r.Header.Get(name) != "" && !ok {
					t.Errorf("the 415 sends %s, which the document does not list for it", name)
				}
			}
		})
	}
}
