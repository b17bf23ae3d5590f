package roux_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/rouxtest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from the golden file (-want +got); rerun with -update if the change is intended:\n%s", path, diff)
	}
}

// TestOpenAPIGolden serves every test API's document and compares the
// JSON and YAML forms with golden files. The conformance module validates
// these files with an independent OpenAPI validator.
func TestOpenAPIGolden(t *testing.T) {
	for _, tt := range []struct {
		name string
		api  *roux.API
	}{
		{"kitchen", kitchenAPI()},
		{"empty", roux.New(roux.Config{})},
		{"groups", groupsAPI(nil)},
		{"forms", formAPI()},
		{"security", securedAPI()},
		{"dependencies", depsGoldenAPI()},
		{"uploads", uploadAPI(t, roux.Config{}, "", nil)},
		{"webhooks", webhooksAPI()},
		{"features", newFeaturesAPI().api},
		{"metadata", metadataAPI()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := rouxtest.New(t, tt.api)
			js := c.Get("/openapi.json")
			if js.Status != http.StatusOK {
				t.Fatalf("got %s", js)
			}
			if !json.Valid(js.Body) {
				t.Fatalf("document is not JSON: %s", js.Body)
			}
			golden(t, "openapi/"+tt.name+".json", js.Body)
			ym := c.Get("/openapi.yaml")
			if ym.Status != http.StatusOK || ym.Header.Get("Content-Type") != "application/yaml" {
				t.Fatalf("got %s", ym)
			}
			golden(t, "openapi/"+tt.name+".yaml", ym.Body)
			if js.Header.Get("ETag") == "" || js.Header.Get("ETag") != ym.Header.Get("ETag") {
				t.Errorf("got ETags %q and %q, want one non-empty ETag for both forms", js.Header.Get("ETag"), ym.Header.Get("ETag"))
			}
		})
	}
}

func TestOpenAPIETag(t *testing.T) {
	t.Parallel()
	c := rouxtest.New(t, kitchenAPI())
	first := c.Get("/openapi.json")
	etag := first.Header.Get("ETag")
	again := c.Get("/openapi.json", "If-None-Match: "+etag)
	if again.Status != http.StatusNotModified || len(again.Body) != 0 {
		t.Errorf("got %s, want 304 without a body", again)
	}
	other := c.Get("/openapi.json", `If-None-Match: "other"`)
	if other.Status != http.StatusOK || !bytes.Equal(other.Body, first.Body) {
		t.Errorf("got %d, want 200 and the same document", other.Status)
	}
}

func TestOpenAPIPathOff(t *testing.T) {
	t.Parallel()
	api := roux.New(roux.Config{OpenAPIPath: "-"})
	if got := rouxtest.New(t, api).Get("/openapi.json").Status; got != http.StatusNotFound {
		t.Errorf("got %d, want 404", got)
	}
	if api.OpenAPI().OpenAPI != "3.1.0" {
		t.Errorf("API.OpenAPI still returns the document")
	}
}

func depsGoldenAPI() *roux.API {
	var events []string
	var mu sync.Mutex
	api, _, _ := depsAPI(&events, &mu)
	api.Health("", "")
	return api
}
