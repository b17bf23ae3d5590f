package openapi

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux/schema"
)

// compact returns the compact form of a JSON text, keeping member order.
func compact(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		t.Fatalf("invalid JSON %s: %v", s, err)
	}
	return b.String()
}

func TestDowngradeSchema(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		in, want string
	}{
		{"nullable type", `{"type":["string","null"],"maxLength":3}`, `{"type":"string","nullable":true,"maxLength":3}`},
		{"single type array", `{"type":["integer"]}`, `{"type":"integer"}`},
		{"several types", `{"type":["string","integer","null"]}`, `{"anyOf":[{"type":"string"},{"type":"integer"}],"nullable":true}`},
		{"several types beside anyOf", `{"type":["string","integer"],"anyOf":[{"minLength":1},{"minimum":1}]}`,
			`{"anyOf":[{"minLength":1},{"minimum":1}],"allOf":[{"anyOf":[{"type":"string"},{"type":"integer"}]}]}`},
		{"null alone", `{"type":"null"}`, `{"enum":[null],"nullable":true}`},
		{"exclusiveMinimum", `{"type":"number","exclusiveMinimum":0}`, `{"type":"number","minimum":0,"exclusiveMinimum":true}`},
		{"exclusiveMaximum", `{"type":"number","exclusiveMaximum":1.5}`, `{"type":"number","maximum":1.5,"exclusiveMaximum":true}`},
		{"exclusive stricter than inclusive", `{"minimum":1,"exclusiveMinimum":2}`, `{"minimum":2,"exclusiveMinimum":true}`},
		{"inclusive stricter than exclusive", `{"minimum":3,"exclusiveMinimum":2,"maximum":5,"exclusiveMaximum":9}`, `{"minimum":3,"maximum":5}`},
		{"exclusive equal to inclusive", `{"maximum":5,"exclusiveMaximum":5}`, `{"maximum":5,"exclusiveMaximum":true}`},
		{"boolean exclusive kept", `{"minimum":0,"exclusiveMinimum":true}`, `{"minimum":0,"exclusiveMinimum":true}`},
		{"examples", `{"type":"string","examples":["a","b"]}`, `{"type":"string","example":"a"}`},
		{"empty examples", `{"examples":[]}`, `{}`},
		{"example wins over examples", `{"example":"x","examples":["a"]}`, `{"example":"x"}`},
		{"const", `{"const":"on"}`, `{"enum":["on"]}`},
		{"base64", `{"type":"string","contentEncoding":"base64"}`, `{"type":"string","format":"byte"}`},
		{"other encoding", `{"type":"string","contentEncoding":"base32","contentMediaType":"image/png"}`, `{"type":"string"}`},
		{"nullable ref", `{"anyOf":[{"$ref":"#/components/schemas/A"},{"type":"null"}]}`,
			`{"allOf":[{"$ref":"#/components/schemas/A"}],"nullable":true}`},
		{"nullable ref in oneOf", `{"oneOf":[{"type":"null"},{"$ref":"#/components/schemas/A"}],"description":"d"}`,
			`{"description":"d","allOf":[{"$ref":"#/components/schemas/A"}],"nullable":true}`},
		{"nullable inline", `{"anyOf":[{"type":"string","minLength":1},{"type":"null"}]}`, `{"type":"string","minLength":1,"nullable":true}`},
		{"nullable inline overlapping", `{"type":"string","anyOf":[{"type":"string","minLength":1},{"type":"null"}]}`,
			`{"type":"string","allOf":[{"type":"string","minLength":1}],"nullable":true}`},
		{"null among several", `{"anyOf":[{"type":"string"},{"type":"integer"},{"type":"null"}]}`,
			`{"anyOf":[{"type":"string"},{"type":"integer"}],"nullable":true}`},
		{"ref siblings", `{"$ref":"#/components/schemas/A","description":"d"}`, `{"allOf":[{"$ref":"#/components/schemas/A"}],"description":"d"}`},
		{"ref siblings with allOf", `{"$ref":"#/components/schemas/A","allOf":[{"minProperties":1}]}`,
			`{"allOf":[{"$ref":"#/components/schemas/A"},{"minProperties":1}]}`},
		{"bare ref", `{"$ref":"#/components/schemas/A"}`, `{"$ref":"#/components/schemas/A"}`},
		{"additionalProperties false kept", `{"type":"object","additionalProperties":false}`, `{"type":"object","additionalProperties":false}`},
		{"additionalProperties schema", `{"type":"object","additionalProperties":{"type":["integer","null"]}}`,
			`{"type":"object","additionalProperties":{"type":"integer","nullable":true}}`},
		{"boolean subschemas", `{"properties":{"a":true,"b":false},"not":false}`, `{"properties":{"a":{},"b":{"not":{}}},"not":{"not":{}}}`},
		{"nested", `{"type":"object","properties":{"z":{"type":["array","null"],"items":{"const":1}},"a":{"exclusiveMinimum":0}}}`,
			`{"type":"object","properties":{"z":{"type":"array","nullable":true,"items":{"enum":[1]}},"a":{"minimum":0,"exclusiveMinimum":true}}}`},
		{"allOf members", `{"allOf":[{"examples":[1]},{"type":["boolean","null"]}]}`, `{"allOf":[{"example":1},{"type":"boolean","nullable":true}]}`},
		{"array without items", `{"type":"array"}`, `{"type":"array","items":{}}`},
		{"unknown keywords dropped", `{"$schema":"x","$id":"y","$defs":{},"prefixItems":[],"patternProperties":{},"if":{},"then":{},"else":{},"unevaluatedProperties":false,"dependentRequired":{},"$comment":"c","x-go":"T","title":"t"}`,
			`{"x-go":"T","title":"t"}`},
		{"enum with null", `{"type":["string","null"],"enum":["a",null]}`, `{"type":"string","nullable":true,"enum":["a",null]}`},
		{"large integers kept", `{"maximum":9007199254740993}`, `{"maximum":9007199254740993}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := `{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{},"components":{"schemas":{"S":` + tt.in + `}}}`
			out, err := DowngradeJSON([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			var got struct {
				Components struct {
					Schemas map[string]json.RawMessage
				}
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(compact(t, tt.want), compact(t, string(got.Components.Schemas["S"]))); diff != "" {
				t.Errorf("schema %s (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// TestDowngradeDocument checks the places schemas are found and the
// document-level rules.
func TestDowngradeDocument(t *testing.T) {
	t.Parallel()
	in := `{
	  "openapi": "3.1.0",
	  "info": {"title": "t", "summary": "s", "version": "1", "license": {"name": "MIT", "identifier": "MIT"}},
	  "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
	  "paths": {
	    "/a/{id}": {
	      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "exclusiveMinimum": 0}}],
	      "get": {
	        "parameters": [
	          {"name": "q", "in": "query", "schema": {"type": ["string", "null"], "examples": ["x"]}, "example": "x"},
	          {"name": "c", "in": "query", "content": {"application/json": {"schema": {"const": 1}}}},
	          {"$ref": "#/components/parameters/P", "description": "dropped"}
	        ],
	        "requestBody": {"content": {"application/json": {"schema": {"type": ["object", "null"]}}}},
	        "responses": {
	          "200": {
	            "description": "ok",
	            "headers": {"X-N": {"schema": {"type": "integer", "exclusiveMaximum": 10}}},
	            "content": {"application/json": {"schema": {"contentEncoding": "base64", "type": "string"}}}
	          }
	        },
	        "callbacks": {"cb": {"{$request.body#/u}": {"post": {"responses": {"200": {"description": "ok", "content": {"text/plain": {"schema": {"const": "ok"}}}}}}}}}
	      }
	    }
	  },
	  "webhooks": {},
	  "components": {
	    "schemas": {"A": {"type": ["string", "null"]}},
	    "parameters": {"P": {"name": "p", "in": "header", "schema": {"const": "v"}}},
	    "responses": {"R": {"description": "r", "content": {"application/json": {"schema": {"examples": [1]}}}}},
	    "requestBodies": {"B": {"content": {"application/json": {"schema": {"type": ["integer", "null"]}}}}},
	    "headers": {"H": {"schema": {"type": ["boolean", "null"]}}},
	    "pathItems": {}
	  }
	}`
	want := `{
	  "openapi": "3.0.3",
	  "info": {"title": "t", "version": "1", "license": {"name": "MIT", "url": "https://spdx.org/licenses/MIT.html"}},
	  "paths": {
	    "/a/{id}": {
	      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 0, "exclusiveMinimum": true}}],
	      "get": {
	        "parameters": [
	          {"name": "q", "in": "query", "schema": {"type": "string", "nullable": true, "example": "x"}, "example": "x"},
	          {"name": "c", "in": "query", "content": {"application/json": {"schema": {"enum": [1]}}}},
	          {"$ref": "#/components/parameters/P"}
	        ],
	        "requestBody": {"content": {"application/json": {"schema": {"type": "object", "nullable": true}}}},
	        "responses": {
	          "200": {
	            "description": "ok",
	            "headers": {"X-N": {"schema": {"type": "integer", "maximum": 10, "exclusiveMaximum": true}}},
	            "content": {"application/json": {"schema": {"type": "string", "format": "byte"}}}
	          }
	        },
	        "callbacks": {"cb": {"{$request.body#/u}": {"post": {"responses": {"200": {"description": "ok", "content": {"text/plain": {"schema": {"enum": ["ok"]}}}}}}}}}
	      }
	    }
	  },
	  "components": {
	    "schemas": {"A": {"type": "string", "nullable": true}},
	    "parameters": {"P": {"name": "p", "in": "header", "schema": {"enum": ["v"]}}},
	    "responses": {"R": {"description": "r", "content": {"application/json": {"schema": {"example": 1}}}}},
	    "requestBodies": {"B": {"content": {"application/json": {"schema": {"type": "integer", "nullable": true}}}}},
	    "headers": {"H": {"schema": {"type": "boolean", "nullable": true}}}
	  }
	}`
	got, err := DowngradeJSON([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(compact(t, want), compact(t, string(got))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestDowngradeMetadata checks the document's metadata: a licence's
// SPDX identifier becomes a URL, and what 3.0 has as well (servers,
// contact, terms of service, external docs, tags, named examples,
// "security": [] on the document and on operations) passes unchanged.
func TestDowngradeMetadata(t *testing.T) {
	t.Parallel()
	same := `"servers":[{"url":"/","description":"here"}],` +
		`"paths":{"/a":{"get":{"externalDocs":{"url":"https://docs.test/a"},"parameters":[` +
		`{"name":"q","in":"query","schema":{"type":"integer"},"examples":{"one":{"summary":"One","value":1}}}],` +
		`"requestBody":{"content":{"application/json":{"schema":{"type":"object"},"examples":{"e":{"summary":"E","value":{"a":[1]}}}}}},` +
		`"responses":{"200":{"description":"ok"}},"security":[]}}},` +
		`"security":[],"tags":[{"name":"a","description":"A","externalDocs":{"url":"https://docs.test/tags/a"}}],` +
		`"externalDocs":{"description":"Guide","url":"https://docs.test"}}`
	info := `"info":{"title":"t","termsOfService":"https://docs.test/terms","contact":{"name":"c","email":"c@docs.test"},`
	for _, tt := range []struct {
		name, license, want string
	}{
		{"identifier", `{"name":"MIT","identifier":"MIT"}`, `{"name":"MIT","url":"https://spdx.org/licenses/MIT.html"}`},
		{"identifier beside a url", `{"name":"MIT","identifier":"MIT","url":"https://docs.test/license"}`,
			`{"name":"MIT","url":"https://docs.test/license"}`},
		{"url", `{"name":"Apache 2.0","url":"https://www.apache.org/licenses/LICENSE-2.0"}`,
			`{"name":"Apache 2.0","url":"https://www.apache.org/licenses/LICENSE-2.0"}`},
		{"empty identifier", `{"name":"Mine","identifier":""}`, `{"name":"Mine"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := `{"openapi":"3.1.0",` + info + `"license":` + tt.license + `,"version":"1"},` + same
			want := `{"openapi":"3.0.3",` + info + `"license":` + tt.want + `,"version":"1"},` + same
			got, err := DowngradeJSON([]byte(in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(compact(t, want), compact(t, string(got))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestDowngradeErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, in, want string
	}{
		{"not JSON", `{"openapi":`, "openapi: downgrade:"},
		{"trailing data", `{"openapi":"3.1.0"} {}`, "after the document"},
		{"not an object", `[1]`, "not a JSON object"},
		{"3.0 already", `{"openapi":"3.0.3","paths":{}}`, `got openapi 3.0.3, want 3.1.x`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := DowngradeJSON([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestDowngradeModel downgrades a document built from the model and
// checks that the model is left as it was.
func TestDowngradeModel(t *testing.T) {
	t.Parallel()
	item := &schema.Schema{Type: schema.Types{"object"}, Properties: map[string]*schema.Schema{
		"b": {Type: schema.Types{"integer", "null"}},
		"a": {Type: schema.Types{"number"}, ExclusiveMinimum: new(0.0)},
	}, PropertyOrder: []string{"b", "a"}, AdditionalProperties: schema.False}
	doc := &Document{
		OpenAPI: Version, JSONSchemaDialect: "https://spec.openapis.org/oas/3.1/dialect/base",
		Info:       Info{Title: "t", Version: "1"},
		Paths:      map[string]*PathItem{},
		Components: &Components{Schemas: map[string]*schema.Schema{"Item": item}},
	}
	before, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Downgrade(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{},"components":{"schemas":{"Item":` +
		`{"type":"object","additionalProperties":false,"properties":{"b":{"type":"integer","nullable":true},"a":{"type":"number","minimum":0,"exclusiveMinimum":true}}}}}}`
	if diff := cmp.Diff(want, compact(t, string(got))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !bytes.Contains(got, []byte("\n  \"info\": {")) {
		t.Errorf("got %s, want a document indented by two spaces", got)
	}
	after, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Errorf("Downgrade changed the document:\n%s\n%s", before, after)
	}
}

// TestDowngradeSecurityScopes checks that requirements of schemes other
// than oauth2 and openIdConnect list no scopes in 3.0, where the
// specification requires their arrays to be empty, and that an
// operation keeps the roles it listed in x-roux-scopes.
func TestDowngradeSecurityScopes(t *testing.T) {
	t.Parallel()
	in := `{
	  "openapi": "3.1.0",
	  "info": {"title": "t", "version": "1"},
	  "security": [{"jwt": ["read"]}],
	  "paths": {
	    "/a": {
	      "get": {
	        "security": [{"jwt": ["read", "write"], "key": []}, {"oauth": ["read"]}, {"jwt": ["admin", "read"]}],
	        "responses": {"200": {"description": "ok"}},
	        "callbacks": {"cb": {"{$request.body#/u}": {"post": {
	          "security": [{"key": ["x"]}, {"odd": ["y"]}],
	          "responses": {"200": {"description": "ok"}}}}}}
	      },
	      "put": {"security": [], "responses": {"200": {"description": "ok"}}}
	    }
	  },
	  "components": {
	    "securitySchemes": {
	      "jwt": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
	      "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
	      "oauth": {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "https://t.example/token", "scopes": {"read": "r"}}}},
	      "odd": {"type": 7}
	    }
	  }
	}`
	want := `{
	  "openapi": "3.0.3",
	  "info": {"title": "t", "version": "1"},
	  "security": [{"jwt": []}],
	  "paths": {
	    "/a": {
	      "get": {
	        "security": [{"jwt": [], "key": []}, {"oauth": ["read"]}, {"jwt": []}],
	        "responses": {"200": {"description": "ok"}},
	        "callbacks": {"cb": {"{$request.body#/u}": {"post": {
	          "security": [{"key": []}, {"odd": ["y"]}],
	          "responses": {"200": {"description": "ok"}},
	          "x-roux-scopes": {"key": ["x"]}}}}},
	        "x-roux-scopes": {"jwt": ["read", "write", "admin"]}
	      },
	      "put": {"security": [], "responses": {"200": {"description": "ok"}}}
	    }
	  },
	  "components": {
	    "securitySchemes": {
	      "jwt": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
	      "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
	      "oauth": {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "https://t.example/token", "scopes": {"read": "r"}}}},
	      "odd": {"type": 7}
	    }
	  }
	}`
	got, err := DowngradeJSON([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(compact(t, want), compact(t, string(got))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
