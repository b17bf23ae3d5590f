package schema_test

import (
	"encoding/json"
	"reflect"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux/schema"
)

type DishPatch struct {
	Name        schema.Optional[string]    `json:"name,omitzero" minLength:"1"`
	Description schema.Optional[*string]   `json:"description,omitzero" maxLength:"200" doc:"null clears it"`
	Station     schema.Optional[Station]   `json:"station,omitzero"`
	Parent      schema.Optional[*Node]     `json:"parent,omitzero"`
	Tags        schema.Optional[[]string]  `json:"tags,omitzero" maxItems:"3" pattern:"^[a-z]+$"`
	Must        schema.Optional[int]       `json:"must,omitzero" required:"true"`
	Nested      schema.Optional[Embedded]  `json:"nested,omitzero"`
	Ratios      []schema.Optional[float64] `json:"ratios,omitempty"`
}

func TestOptionalSchema(t *testing.T) {
	t.Parallel()
	reg := schema.NewRegistry()
	if _, err := reg.Schema(reflect.TypeFor[DishPatch]()); err != nil {
		t.Fatal(err)
	}
	got := js(t, reg.Components()["DishPatch"])
	want := `{"type":"object","required":["must"],"additionalProperties":false,"properties":{` +
		`"name":{"type":"string","minLength":1},` +
		`"description":{"type":["string","null"],"description":"null clears it","maxLength":200},` +
		`"station":{"type":"string","enum":["grill","fry","cold"]},` +
		`"parent":{"anyOf":[{"$ref":"#/components/schemas/Node"},{"type":"null"}]},` +
		`"tags":{"type":"array","items":{"type":"string","pattern":"^[a-z]+$"},"maxItems":3},` +
		`"must":{"type":"integer","format":"int64"},` +
		`"nested":{"$ref":"#/components/schemas/Embedded"},` +
		`"ratios":{"type":"array","items":{"type":"number","format":"double"}}}}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestOptionalAccessors(t *testing.T) {
	t.Parallel()
	var absent schema.Optional[int]
	if v, ok := absent.Get(); ok || v != 0 || absent.IsSet() || !absent.IsZero() || absent.Or(7) != 7 {
		t.Errorf("absent: got Get %v,%v IsSet %v IsZero %v Or %v", v, ok, absent.IsSet(), absent.IsZero(), absent.Or(7))
	}
	zero := schema.Some(0)
	if v, ok := zero.Get(); !ok || v != 0 || !zero.IsSet() || zero.IsZero() || zero.Or(7) != 0 {
		t.Errorf("Some(0): got Get %v,%v IsSet %v IsZero %v Or %v", v, ok, zero.IsSet(), zero.IsZero(), zero.Or(7))
	}
	null := schema.Some[*string](nil)
	if v, ok := null.Get(); !ok || v != nil {
		t.Errorf("null: got %v, %v; want nil, true", v, ok)
	}
}

// TestOptionalJSON checks the JSON methods with encoding/json and with
// github.com/go-json-experiment/json, which roux encodes responses with
// and the typed client encodes bodies with.
func TestOptionalJSON(t *testing.T) {
	t.Parallel()
	type patch struct {
		Name schema.Optional[string]  `json:"name,omitzero"`
		Note schema.Optional[*string] `json:"note,omitzero"`
	}
	note := "hot"
	for _, tt := range []struct {
		name string
		v    patch
		json string
	}{
		{"absent", patch{}, `{}`},
		{"null", patch{Note: schema.Some[*string](nil)}, `{"note":null}`},
		{"values", patch{Name: schema.Some(""), Note: schema.Some(&note)}, `{"name":"","note":"hot"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opt := cmp.AllowUnexported(schema.Optional[string]{}, schema.Optional[*string]{})
			for _, codec := range []struct {
				name      string
				marshal   func(any) ([]byte, error)
				unmarshal func([]byte, any) error
			}{
				{"encoding/json", json.Marshal, json.Unmarshal},
				{"json v2", func(v any) ([]byte, error) { return jsonv2.Marshal(v) }, func(b []byte, v any) error { return jsonv2.Unmarshal(b, v) }},
			} {
				b, err := codec.marshal(tt.v)
				if err != nil || string(b) != tt.json {
					t.Errorf("%s: got %s, %v; want %s", codec.name, b, err, tt.json)
				}
				var back patch
				if err := codec.unmarshal([]byte(tt.json), &back); err != nil {
					t.Fatalf("%s: %v", codec.name, err)
				}
				if diff := cmp.Diff(tt.v, back, opt); diff != "" {
					t.Errorf("%s: decoded (-want +got):\n%s", codec.name, diff)
				}
			}
		})
	}
}

func TestOptionalElem(t *testing.T) {
	t.Parallel()
	type local struct{ schema.Optional[int] } // embedding does not make an Optional
	for _, tt := range []struct {
		t    reflect.Type
		elem reflect.Type
	}{
		{reflect.TypeFor[schema.Optional[int]](), reflect.TypeFor[int]()},
		{reflect.TypeFor[schema.Optional[*Node]](), reflect.TypeFor[*Node]()},
		{reflect.TypeFor[local](), nil},
		{reflect.TypeFor[*schema.Optional[int]](), nil},
		{reflect.TypeFor[schema.Registry](), nil},
	} {
		elem, ok := schema.OptionalElem(tt.t)
		if elem != tt.elem || ok != (tt.elem != nil) {
			t.Errorf("OptionalElem(%v) = %v, %v; want %v", tt.t, elem, ok, tt.elem)
		}
	}
}
