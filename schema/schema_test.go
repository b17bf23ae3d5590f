package schema_test

import (
	"encoding/json"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux/internal/testtypes/legacy"
	"github.com/roux-go/roux/internal/testtypes/menu"
	"github.com/roux-go/roux/schema"
)

// js marshals v compactly for comparisons.
func js(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type Level string

type Embedded struct {
	Shared string `json:"shared"`
}

type Node struct {
	Name     string  `json:"name"`
	Children []*Node `json:"children,omitempty"`
}

type Page[T any] struct {
	Items []T `json:"items"`
}

type custom struct{}

func (custom) JSONSchema(*schema.Registry) *schema.Schema {
	return &schema.Schema{Type: schema.Types{"string"}, Format: "uri"}
}

func TestTypes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		t    reflect.Type
		want string
	}{
		{"bool", reflect.TypeFor[bool](), `{"type":"boolean"}`},
		{"string", reflect.TypeFor[string](), `{"type":"string"}`},
		{"named string", reflect.TypeFor[Level](), `{"type":"string"}`},
		{"int", reflect.TypeFor[int](), `{"type":"integer","format":"int64"}`},
		{"int32", reflect.TypeFor[int32](), `{"type":"integer","format":"int32"}`},
		{"int8", reflect.TypeFor[int8](), `{"type":"integer","minimum":-128,"maximum":127}`},
		{"uint16", reflect.TypeFor[uint16](), `{"type":"integer","minimum":0,"maximum":65535}`},
		{"uint64", reflect.TypeFor[uint64](), `{"type":"integer","minimum":0}`},
		{"float32", reflect.TypeFor[float32](), `{"type":"number","format":"float"}`},
		{"float64", reflect.TypeFor[float64](), `{"type":"number","format":"double"}`},
		{"time", reflect.TypeFor[time.Time](), `{"type":"string","format":"date-time"}`},
		{"text unmarshaler", reflect.TypeFor[netip.Addr](), `{"type":"string"}`},
		{"bytes", reflect.TypeFor[[]byte](), `{"type":"string","contentEncoding":"base64"}`},
		{"raw message", reflect.TypeFor[json.RawMessage](), `{}`},
		{"slice", reflect.TypeFor[[]int16](), `{"type":"array","items":{"type":"integer","minimum":-32768,"maximum":32767}}`},
		{"array", reflect.TypeFor[[2]bool](), `{"type":"array","items":{"type":"boolean"},"minItems":2,"maxItems":2}`},
		{"map", reflect.TypeFor[map[string]float64](), `{"type":"object","additionalProperties":{"type":"number","format":"double"}}`},
		{"pointer", reflect.TypeFor[*string](), `{"type":["string","null"]}`},
		{"pointer to struct", reflect.TypeFor[*Node](), `{"anyOf":[{"$ref":"#/components/schemas/Node"},{"type":"null"}]}`},
		{"any", reflect.TypeFor[any](), `{}`},
		{"provider", reflect.TypeFor[custom](), `{"type":"string","format":"uri"}`},
		{"anonymous struct", reflect.TypeFor[struct {
			A int `json:"a,omitempty"`
			Embedded
		}](), `{"type":"object","required":["shared"],"additionalProperties":false,"properties":{"a":{"type":"integer","format":"int64"},"shared":{"type":"string"}}}`},
		// Enum methods (enum_test.go)
		{"string", reflect.TypeFor[Station](), `{"type":"string","enum":["grill","fry","cold"]}`},
		{"int8, pointer receiver", reflect.TypeFor[Spice](), `{"type":"integer","enum":[0,1,3],"minimum":-128,"maximum":127}`},
		{"text", reflect.TypeFor[Size](), `{"type":"string","enum":["small","large"]}`},
		{"float32", reflect.TypeFor[Ratio](), `{"type":"number","format":"float","enum":[0.5,1.5]}`},
		{"bool", reflect.TypeFor[Flag](), `{"type":"boolean","enum":[true]}`},
		{"pointer", reflect.TypeFor[*Station](), `{"type":["string","null"],"enum":["grill","fry","cold",null]}`},
		{"slice", reflect.TypeFor[[]Station](), `{"type":"array","items":{"type":"string","enum":["grill","fry","cold"]}}`},
		{"map", reflect.TypeFor[map[string]Size](), `{"type":"object","additionalProperties":{"type":"string","enum":["small","large"]}}`},
		{"protobuf style is not an enum", reflect.TypeFor[Proto](), `{"type":"integer","format":"int32"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := schema.NewRegistry().Schema(tt.t)
			if err != nil {
				t.Fatal(err)
			}
			if got := js(t, s); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestRequiredRule(t *testing.T) {
	t.Parallel()
	type T struct {
		Plain     string  `json:"plain"`
		OmitEmpty string  `json:"omitEmpty,omitempty"`
		OmitZero  int     `json:"omitZero,omitzero"`
		Pointer   *int    `json:"pointer"`
		Forced    *int    `json:"forced" required:"true"`
		Relaxed   string  `json:"relaxed" required:"false"`
		Skipped   string  `json:"-"`
		unexp     string  //nolint:unused
		NoTag     float64 // named by the Go field name
	}
	reg := schema.NewRegistry()
	if _, err := reg.Schema(reflect.TypeFor[T]()); err != nil {
		t.Fatal(err)
	}
	got := reg.Components()["T"]
	if diff := cmp.Diff([]string{"plain", "forced", "NoTag"}, got.Required); diff != "" {
		t.Errorf("required (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"plain", "omitEmpty", "omitZero", "pointer", "forced", "relaxed", "NoTag"}, got.PropertyOrder); diff != "" {
		t.Errorf("properties (-want +got):\n%s", diff)
	}
}

func TestTags(t *testing.T) {
	t.Parallel()
	type T struct {
		Name    string            `json:"name" minLength:"1" maxLength:"80" pattern:"^[A-Z]" doc:"The name" title:"Name" example:"Soup"`
		Price   float64           `json:"price" exclusiveMinimum:"0" exclusiveMaximum:"100" multipleOf:"0.5" default:"1.5"`
		Count   int               `json:"count" minimum:"1" maximum:"10" deprecated:"true"`
		Level   *Level            `json:"level" enum:"easy,hard"`
		Tags    []string          `json:"tags" minItems:"1" maxItems:"3" uniqueItems:"true" enum:"a,b" maxLength:"5"`
		Sizes   []int             `json:"sizes" default:"1,2" minimum:"0"`
		Labels  map[string]string `json:"labels" minProperties:"1" maxProperties:"4" format:"email"`
		When    time.Time         `json:"when" format:"date-time"`
		Secret  string            `json:"secret" format:"password" writeOnly:"true"`
		ID      int64             `json:"id" readOnly:"true"`
		Numbers []int             `json:"numbers" default:"[3,4]"`
	}
	reg := schema.NewRegistry()
	if _, err := reg.Schema(reflect.TypeFor[T]()); err != nil {
		t.Fatal(err)
	}
	props := reg.Components()["T"].Properties
	for _, tt := range []struct{ prop, want string }{
		{"name", `{"type":"string","title":"Name","description":"The name","examples":["Soup"],"minLength":1,"maxLength":80,"pattern":"^[A-Z]"}`},
		{"price", `{"type":"number","format":"double","default":1.5,"exclusiveMinimum":0,"exclusiveMaximum":100,"multipleOf":0.5}`},
		{"count", `{"type":"integer","format":"int64","deprecated":true,"minimum":1,"maximum":10}`},
		{"level", `{"type":["string","null"],"enum":["easy","hard",null]}`},
		{"tags", `{"type":"array","items":{"type":"string","enum":["a","b"],"maxLength":5},"minItems":1,"maxItems":3,"uniqueItems":true}`},
		{"sizes", `{"type":"array","default":[1,2],"items":{"type":"integer","format":"int64","minimum":0}}`},
		{"labels", `{"type":"object","additionalProperties":{"type":"string","format":"email"},"minProperties":1,"maxProperties":4}`},
		{"when", `{"type":"string","format":"date-time"}`},
		{"secret", `{"type":"string","format":"password","writeOnly":true}`},
		{"id", `{"type":"integer","format":"int64","readOnly":true}`},
		{"numbers", `{"type":"array","default":[3,4],"items":{"type":"integer","format":"int64"}}`},
	} {
		if got := js(t, props[tt.prop]); got != tt.want {
			t.Errorf("%s:\ngot  %s\nwant %s", tt.prop, got, tt.want)
		}
	}
}

func TestTagErrors(t *testing.T) {
	t.Parallel()
	type narrowsWrong struct {
		S Station `json:"s" enum:"grill,oven"`
	}
	for _, tt := range []struct {
		name string
		t    reflect.Type
		want string
	}{
		{"minLength on int", reflect.TypeFor[struct {
			N int `minLength:"1"`
		}](), "minLength applies to strings, not integer"},
		{"minimum not a number", reflect.TypeFor[struct {
			N int `minimum:"one"`
		}](), `tag minimum:"one": not a number`},
		{"bad pattern", reflect.TypeFor[struct {
			S string `pattern:"(["`
		}](), "invalid regular expression"},
		{"unknown format", reflect.TypeFor[struct {
			S string `format:"emial"`
		}](), "unknown format"},
		{"format on int", reflect.TypeFor[struct {
			N int `format:"email"`
		}](), "format email applies to strings"},
		{"date on time.Time", reflect.TypeFor[struct {
			T time.Time `format:"date"`
		}](), "use a string field"},
		{"enum value of wrong type", reflect.TypeFor[struct {
			N int `enum:"1,two"`
		}](), `"two" is not a valid integer`},
		{"default out of range", reflect.TypeFor[struct {
			N int8 `default:"300"`
		}](), "does not fit int8"},
		{"negative count", reflect.TypeFor[struct {
			S string `maxLength:"-1"`
		}](), "non-negative integer"},
		{"minItems on string", reflect.TypeFor[struct {
			S string `minItems:"1"`
		}](), "minItems applies to slices"},
		{"multipleOf zero", reflect.TypeFor[struct {
			F float64 `multipleOf:"0"`
		}](), "greater than 0"},
		{"bad required", reflect.TypeFor[struct {
			S string `required:"yes"`
		}](), `want "true" or "false"`},
		{"bad bool", reflect.TypeFor[struct {
			S string `deprecated:"maybe"`
		}](), "want true or false"},
		{"string option", reflect.TypeFor[struct {
			N int `json:"n,string"`
		}](), `",string" is not supported`},
		{"chan", reflect.TypeFor[struct{ C chan int }](), "cannot be described in JSON"},
		{"int map key", reflect.TypeFor[struct{ M map[int]string }](), "map key type int"},
		{"same name twice", reflect.StructOf([]reflect.StructField{ // built at run time: vet rejects the literal
			{Name: "A", Type: reflect.TypeFor[string](), Tag: `json:"x"`},
			{Name: "B", Type: reflect.TypeFor[string](), Tag: `json:"x"`},
		}), `two fields named "x"`},
		{"embedded pointer", reflect.TypeFor[struct{ *Embedded }](), "embeds *schema_test.Embedded"},
		// Enum methods (enum_test.go)
		{"other element type", reflect.TypeFor[wrongEnum](), "Enum returns []string; an enum method returns the type's own values: func (wrongEnum) Enum() []wrongEnum"},
		{"empty", reflect.TypeFor[emptyEnum](), "Enum returned no values"},
		{"duplicate", reflect.TypeFor[twiceEnum](), `Enum lists "a" twice`},
		{"unencodable", reflect.TypeFor[nanEnum](), "cannot be encoded"},
		{"panic", reflect.TypeFor[panicEnum](), "Enum panicked: boom"},
		{"struct", reflect.TypeFor[structEnum](), "enums apply to strings, numbers and booleans, not a struct (StructEnum)"},
		{"provider too", reflect.TypeFor[providerEnum](), "has both a JSONSchema and an Enum method"},
		{"does not decode back", reflect.TypeFor[lossy](), `Enum value "x" does not decode back`},
		{"tag outside the type's enum", reflect.TypeFor[narrowsWrong](), "oven is not one of the values schema_test.Station.Enum lists"},
		// Optional (optional_test.go)
		{"no omitzero", reflect.TypeFor[struct {
			A schema.Optional[int] `json:"a"`
		}](), "is an Optional: tag it omitzero (`json:\"a,omitzero\"`)"},
		{"omitempty is not enough", reflect.TypeFor[struct {
			A schema.Optional[int] `json:"a,omitempty"`
		}](), "tag it omitzero"},
		{"default", reflect.TypeFor[struct {
			A schema.Optional[int] `json:"a,omitzero" default:"1"`
		}](), "an absent Optional means \"leave it as it is\""},
		{"nested", reflect.TypeFor[struct {
			A schema.Optional[schema.Optional[int]] `json:"a,omitzero"`
		}](), "an Optional of an Optional says nothing more"},
		{"keyword that does not fit the value", reflect.TypeFor[struct {
			A schema.Optional[int] `json:"a,omitzero" minLength:"1"`
		}](), "minLength applies to strings, not integer"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := schema.NewRegistry().Schema(tt.t)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want one containing %q", err, tt.want)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "schema: ") {
				t.Errorf("got %q, want the prefix \"schema: \"", err)
			}
		})
	}
}

func TestComponentNames(t *testing.T) {
	t.Parallel()
	reg := schema.NewRegistry()
	for _, typ := range []reflect.Type{
		reflect.TypeFor[menu.Dish](), reflect.TypeFor[legacy.Dish](), reflect.TypeFor[Page[menu.Dish]](),
		reflect.TypeFor[Node](), reflect.TypeFor[menu.Dish](),
	} {
		if _, err := reg.Schema(typ); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff([]string{"Dish", "LegacyDish", "PageDish", "Node"}, reg.Names()); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	node := js(t, reg.Components()["Node"])
	want := `{"type":"object","required":["name"],"additionalProperties":false,"properties":{"name":{"type":"string"},"children":{"type":"array","items":{"anyOf":[{"$ref":"#/components/schemas/Node"},{"type":"null"}]}}}}`
	if node != want {
		t.Errorf("recursive type:\ngot  %s\nwant %s", node, want)
	}
	if got := reg.Resolve(&schema.Schema{Ref: schema.RefPrefix + "LegacyDish"}); got == nil || got.Properties["code"] == nil {
		t.Errorf("Resolve(LegacyDish) = %v", got)
	}
	if _, err := reg.Define("Node", &schema.Schema{}); err == nil {
		t.Errorf("Define accepted a taken name")
	}
}

func TestExtensionsAndOrder(t *testing.T) {
	t.Parallel()
	s := &schema.Schema{
		Type:          schema.Types{"object"},
		Properties:    map[string]*schema.Schema{"b": {}, "a": {}, "c": {}},
		PropertyOrder: []string{"c", "a"},
		Extensions:    map[string]any{"x-z": 1, "x-a": true},
	}
	want := `{"type":"object","properties":{"c":{},"a":{},"b":{}},"x-a":true,"x-z":1}`
	if got := js(t, s); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
