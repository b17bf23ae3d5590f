package openapi_test

import (
	"encoding/json"
	"testing"

	"github.com/roux-go/roux/openapi"
	"github.com/roux-go/roux/schema"
)

func TestMediaTypeExtensions(t *testing.T) {
	t.Parallel()
	str := &schema.Schema{Type: schema.Types{"string"}}
	for _, tt := range []struct {
		name string
		in   *openapi.MediaType
		want string
	}{
		{"none", &openapi.MediaType{Schema: str}, `{"schema":{"type":"string"}}`},
		{"empty", &openapi.MediaType{}, `{}`},
		{"only extensions", &openapi.MediaType{Extensions: map[string]any{"x-b": 1, "x-a": true}}, `{"x-a":true,"x-b":1}`},
		{"inline, in key order", &openapi.MediaType{Schema: str, Extensions: map[string]any{"x-ogen-raw-response": true, "x-a": "y"}},
			`{"schema":{"type":"string"},"x-a":"y","x-ogen-raw-response":true}`},
		{"nested in a response", nil, `{"description":"d","content":{"text/plain":{"x-a":1}}}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var v any = tt.in
			if tt.in == nil {
				v = &openapi.Response{Description: "d", Content: map[string]*openapi.MediaType{"text/plain": {Extensions: map[string]any{"x-a": 1}}}}
			}
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != tt.want {
				t.Errorf("got %s, want %s", b, tt.want)
			}
		})
	}
}

// TestSecurityMarshal checks the three states of a security requirement:
// none stated (nil), public (empty) and required.
func TestSecurityMarshal(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		security []map[string][]string
		want     string
	}{
		{"nil: not stated", nil, `{"responses":null}`},
		{"empty: public", []map[string][]string{}, `{"responses":null,"security":[]}`},
		{"one scheme", []map[string][]string{{"key": {}}}, `{"responses":null,"security":[{"key":[]}]}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			op, err := json.Marshal(&openapi.Operation{Security: tt.security})
			if err != nil {
				t.Fatal(err)
			}
			if string(op) != tt.want {
				t.Errorf("operation: got %s, want %s", op, tt.want)
			}
			doc, err := json.Marshal(&openapi.Document{Security: tt.security})
			if err != nil {
				t.Fatal(err)
			}
			wantDoc := `{"openapi":"","info":{"title":"","version":""},"paths":null` + tt.want[len(`{"responses":null`):]
			if string(doc) != wantDoc {
				t.Errorf("document: got %s, want %s", doc, wantDoc)
			}
		})
	}
}
