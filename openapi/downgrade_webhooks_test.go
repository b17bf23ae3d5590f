package openapi

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDowngradeDropsWebhookSchemas(t *testing.T) {
	t.Parallel()
	ref := func(name string) string { return `{"$ref":"#/components/schemas/` + name + `"}` }
	body := func(schema string) string {
		return `{"requestBody":{"content":{"application/json":{"schema":` + schema + `}}},"responses":{"204":{"description":"ok"}}}`
	}
	for _, tt := range []struct {
		name string
		doc  string
		want []string // the component schemas left
	}{
		{"only the webhooks' schemas go", `{"openapi":"3.1.0","info":{"title":"t","version":"1"},
			"paths":{"/a":{"post":` + body(ref("C")) + `}},
			"webhooks":{"w":{"post":` + body(ref("A")) + `}},
			"components":{"schemas":{
				"A":{"type":"object","properties":{"b":` + ref("B") + `,"e":` + ref("E") + `}},
				"B":{"type":"string"},
				"C":{"type":"object","properties":{"b":` + ref("B") + `}},
				"D":{"type":"integer"},
				"E":{"type":"array","items":` + ref("E~1x") + `},
				"E/x":{"type":"number"}}}}`,
			[]string{"B", "C", "D"}},
		{"a schema a response uses stays", `{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{},
			"webhooks":{"w":{"post":` + body(ref("A")) + `}},
			"components":{"responses":{"R":{"description":"r","content":{"application/json":{"schema":` + ref("A") + `}}}},
				"schemas":{"A":{"type":"string"}}}}`,
			[]string{"A"}},
		{"no components", `{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{},"webhooks":{"w":{"post":` + body(`{"type":"string"}`) + `}}}`,
			nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := DowngradeJSON([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Webhooks   any `json:"webhooks"`
				Components struct {
					Schemas map[string]any `json:"schemas"`
				} `json:"components"`
			}
			if err := json.Unmarshal(out, &doc); err != nil {
				t.Fatal(err)
			}
			var got []string
			for k := range doc.Components.Schemas {
				got = append(got, k)
			}
			slices.Sort(got)
			if doc.Webhooks != nil {
				t.Error("webhooks kept")
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("schemas (-want +got):\n%s", diff)
			}
		})
	}
}
