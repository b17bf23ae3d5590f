package conformance

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// TestDowngradedDocumentsValidate loads every OpenAPI 3.0.3 golden
// document (roux's /openapi-3.0.json, written by the root package's
// TestOpenAPI30Golden) with kin-openapi as a 3.0 document, validates it,
// checks that no JSON Schema 2020-12 form survived the downgrade, that
// it has the operations of its 3.1 original, and that its YAML form says
// the same.
func TestDowngradedDocumentsValidate(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../testdata/openapi30/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("found %d 3.0 golden documents, want at least 3 (go test -run TestOpenAPI30Golden -update . in the root module)", len(files))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := openapi3.NewLoader().LoadFromData(data)
			if err != nil {
				t.Fatalf("kin-openapi cannot load %s: %v", file, err)
			}
			if doc.OpenAPI != "3.0.3" || doc.IsOpenAPI31OrLater() {
				t.Fatalf("got openapi %q, want 3.0.3", doc.OpenAPI)
			}
			if err := doc.Validate(context.Background()); err != nil {
				t.Fatalf("kin-openapi rejects %s: %v", file, err)
			}

			var tree any
			if err := json.Unmarshal(data, &tree); err != nil {
				t.Fatal(err)
			}
			walk(tree, "", func(ptr, key string, v any) {
				switch key {
				case "type":
					if _, ok := v.(string); !ok && !strings.Contains(ptr, "/properties/type") {
						t.Errorf("%s: type %v is not a single name", ptr, v)
					}
				case "exclusiveMinimum", "exclusiveMaximum":
					if _, ok := v.(bool); !ok && !strings.Contains(ptr, "/properties/"+key) {
						t.Errorf("%s: %s %v is not a boolean", ptr, key, v)
					}
				case "examples", "const", "contentEncoding", "jsonSchemaDialect", "$schema", "$defs", "prefixItems":
					if !strings.Contains(ptr, "/properties/"+key) && !strings.HasPrefix(ptr, "/components/examples") &&
						!(key == "examples" && !strings.Contains(ptr, "/schema")) {
						t.Errorf("%s: %s is not OpenAPI 3.0", ptr, key)
					}
				}
			})

			orig, err := os.ReadFile(filepath.Join("../testdata/openapi", filepath.Base(file)))
			if err != nil {
				t.Fatal(err)
			}
			doc31, err := openapi3.NewLoader().LoadFromData(orig)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(operationIDs(doc31), operationIDs(doc)); diff != "" {
				t.Errorf("the 3.0 form has other operations than the 3.1 one (-3.1 +3.0):\n%s", diff)
			}
			if diff := cmp.Diff(componentNames(doc31), componentNames(doc)); diff != "" {
				t.Errorf("the 3.0 form has other component schemas (-3.1 +3.0):\n%s", diff)
			}

			ydata, err := os.ReadFile(strings.TrimSuffix(file, ".json") + ".yaml")
			if err != nil {
				t.Fatal(err)
			}
			var fromYAML any
			if err := yaml.Unmarshal(ydata, &fromYAML); err != nil {
				t.Fatal(err)
			}
			b, err := json.Marshal(fromYAML)
			if err != nil {
				t.Fatal(err)
			}
			var normalised any
			if err := json.Unmarshal(b, &normalised); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tree, normalised); diff != "" {
				t.Errorf("YAML differs from JSON (-json +yaml):\n%s", diff)
			}
		})
	}
}

// walk calls f for every object member in v, with its JSON pointer.
func walk(v any, ptr string, f func(ptr, key string, v any)) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			p := ptr + "/" + strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
			f(p, k, e)
			walk(e, p, f)
		}
	case []any:
		for i, e := range v {
			walk(e, ptr+"/"+strconv.Itoa(i), f)
		}
	}
}

// operationIDs lists "METHOD path operationId" for every operation.
func operationIDs(doc *openapi3.T) []string {
	var ids []string
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ids = append(ids, method+" "+path+" "+op.OperationID)
		}
	}
	slices.Sort(ids)
	return ids
}

func componentNames(doc *openapi3.T) []string {
	var names []string
	for name := range doc.Components.Schemas {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
