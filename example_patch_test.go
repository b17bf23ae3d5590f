package roux_test

import (
	"context"
	"fmt"
	"maps"
	"net/http/httptest"
	"slices"
	"strings"

	"github.com/roux-go/roux"
)

// Recipe is how recipes are stored.
type Recipe struct {
	Name   string  `json:"name" minLength:"1"`
	Notes  *string `json:"notes,omitempty"`
	Serves int     `json:"serves" minimum:"1"`
}

// RecipePatch is a JSON Merge Patch of a Recipe: each member may be
// absent (leave it alone) or a value; notes may also be null (clear it).
// Name and serves cannot be null: the decoder answers 422.
type RecipePatch struct {
	Name   roux.Optional[string]  `json:"name,omitzero" minLength:"1"`
	Notes  roux.Optional[*string] `json:"notes,omitzero" maxLength:"200"`
	Serves roux.Optional[int]     `json:"serves,omitzero" minimum:"1"`
}

// A PATCH body of Optional members tells absent from null from a value;
// ApplyMergePatch applies it to the stored value as RFC 7396 says, and
// MergePatch publishes the body as application/merge-patch+json.
func ExampleApplyMergePatch() {
	notes := "Rest the dough"
	stored := Recipe{Name: "Bread", Notes: &notes, Serves: 4}

	api := roux.New(roux.Config{})
	roux.Patch(api, "/recipe", func(ctx context.Context, in *struct{ Body RecipePatch }) (*Recipe, error) {
		if err := roux.ApplyMergePatch(&stored, &in.Body); err != nil {
			return nil, err
		}
		return &stored, nil
	}, roux.MergePatch())

	for _, patch := range []string{`{"serves":6}`, `{"notes":null}`, `{"name":null}`} {
		req := httptest.NewRequest("PATCH", "/recipe", strings.NewReader(patch))
		req.Header.Set("Content-Type", roux.MergePatchType)
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		fmt.Println(rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	fmt.Println(slices.Sorted(maps.Keys(api.OpenAPI().Paths["/recipe"].Patch.RequestBody.Content)))
	// Output:
	// 200 {"name":"Bread","notes":"Rest the dough","serves":6}
	// 200 {"name":"Bread","serves":6}
	// 422 {"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"body member /name: must not be null","errors":[{"detail":"must not be null","pointer":"/name","code":"type"}]}
	// [application/json application/merge-patch+json]
}
