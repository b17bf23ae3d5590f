package conformance

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// goldenDocuments lists every OpenAPI document written by the test
// suites of the repository's modules.
func goldenDocuments(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{"../testdata/openapi/*.json", "../examples/*/testdata/openapi*.json"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	// Documents written by rouxtest into ROUX_OPENAPI_DIR, named here by
	// a variable of their own so that the run that writes them (which
	// includes this package) does not read a half-written set (.ci/run).
	if dir := os.Getenv("ROUX_OPENAPI_CHECK_DIR"); dir != "" {
		m, err := filepath.Glob(filepath.Join(dir, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		if len(m) == 0 {
			t.Fatalf("ROUX_OPENAPI_CHECK_DIR=%s holds no document", dir)
		}
		files = append(files, m...)
	}
	if len(files) < 3 {
		t.Fatalf("found only %d golden documents (%v); the suites that write them have moved?", len(files), files)
	}
	return files
}

func TestGoldenDocumentsValidate(t *testing.T) {
	t.Parallel()
	for _, file := range goldenDocuments(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			loader := openapi3.NewLoader()
			doc, err := loader.LoadFromData(data)
			if err != nil {
				t.Fatalf("kin-openapi cannot load %s: %v", file, err)
			}
			if !doc.IsOpenAPI31OrLater() {
				t.Fatalf("got openapi %q, want 3.1.x", doc.OpenAPI)
			}
			if err := doc.Validate(context.Background()); err != nil {
				t.Fatalf("kin-openapi rejects %s: %v", file, err)
			}
		})
	}
}

func TestGoldenYAMLMatchesJSON(t *testing.T) {
	t.Parallel()
	n := 0
	for _, file := range goldenDocuments(t) {
		yfile := strings.TrimSuffix(file, ".json") + ".yaml"
		ydata, err := os.ReadFile(yfile)
		if os.IsNotExist(err) {
			continue
		}
		n++
		t.Run(filepath.Base(yfile), func(t *testing.T) {
			t.Parallel()
			if err != nil {
				t.Fatal(err)
			}
			jdata, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var fromJSON, fromYAML any
			if err := json.Unmarshal(jdata, &fromJSON); err != nil {
				t.Fatal(err)
			}
			if err := yaml.Unmarshal(ydata, &fromYAML); err != nil {
				t.Fatalf("yaml cannot parse %s: %v", yfile, err)
			}
			// Round-trip the YAML value through JSON so numbers compare alike.
			b, err := json.Marshal(fromYAML)
			if err != nil {
				t.Fatal(err)
			}
			var normalised any
			if err := json.Unmarshal(b, &normalised); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(fromJSON, normalised); diff != "" {
				t.Errorf("YAML differs from JSON (-json +yaml):\n%s", diff)
			}
		})
	}
	if n == 0 {
		t.Fatal("no YAML golden document found")
	}
}
