package codec

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux/internal/verr"
	"github.com/roux-go/roux/schema"
)

// Patch has an Optional member of each shape a merge patch uses.
type Patch struct {
	Name  schema.Optional[string]          `json:"name,omitzero"`
	Note  schema.Optional[*string]         `json:"note,omitzero"`
	Qty   schema.Optional[int8]            `json:"qty,omitzero"`
	Addr  schema.Optional[*Address]        `json:"addr,omitzero"`
	Tags  schema.Optional[[]string]        `json:"tags,omitzero"`
	Extra schema.Optional[map[string]*int] `json:"extra,omitzero"`
	Any   schema.Optional[any]             `json:"any,omitzero"`
	Inner schema.Optional[*Patch]          `json:"inner,omitzero"`
	Must  schema.Optional[bool]            `json:"must,omitzero" required:"true"`
}

var optCmp = cmp.Exporter(func(reflect.Type) bool { return true })

func TestOptional(t *testing.T) {
	t.Parallel()
	note, one := "n", 1
	for _, tt := range []struct {
		name  string
		body  string
		want  Patch
		fails []verr.Error
	}{
		{"absent", `{"must":true}`, Patch{Must: schema.Some(true)}, nil},
		{"zero values are present", `{"name":"","qty":0,"tags":[],"must":false}`,
			Patch{Name: schema.Some(""), Qty: schema.Some[int8](0), Tags: schema.Some([]string{}), Must: schema.Some(false)}, nil},
		{"null where the value admits it", `{"note":null,"addr":null,"any":null,"inner":null,"must":true}`,
			Patch{Note: schema.Some[*string](nil), Addr: schema.Some[*Address](nil), Any: schema.Some[any](nil), Inner: schema.Some[*Patch](nil), Must: schema.Some(true)}, nil},
		{"values", `{"name":"x","note":"n","addr":{"street":"s","city":"c"},"extra":{"a":1,"b":null},"any":[1],"must":true}`,
			Patch{Name: schema.Some("x"), Note: schema.Some(&note), Addr: schema.Some(&Address{"s", "c"}),
				Extra: schema.Some(map[string]*int{"a": &one, "b": nil}), Any: schema.Some[any]([]any{1.0}), Must: schema.Some(true)}, nil},
		{"nested", `{"inner":{"name":"y","must":true},"must":true}`,
			Patch{Inner: schema.Some(&Patch{Name: schema.Some("y"), Must: schema.Some(true)}), Must: schema.Some(true)}, nil},
		{"null where the value does not admit it", `{"name":null,"qty":null,"tags":null,"must":null}`,
			Patch{Name: schema.Some(""), Qty: schema.Some[int8](0), Tags: schema.Some[[]string](nil), Must: schema.Some(false)},
			[]verr.Error{
				fail("/name", "type", "must not be null"), fail("/qty", "type", "must not be null"),
				fail("/tags", "type", "must not be null"), fail("/must", "type", "must not be null"),
			}},
		{"required Optional missing", `{}`, Patch{}, []verr.Error{fail("/must", "required", `required member "must" is missing`)}},
		{"failure of the value keeps the member present", `{"qty":300,"addr":{"street":1,"city":"c"},"must":true}`,
			Patch{Qty: schema.Some[int8](0), Addr: schema.Some(&Address{City: "c"}), Must: schema.Some(true)},
			[]verr.Error{failV("/qty", "maximum", "must be at most 127", json.Number("300")), failV("/addr/street", "type", "must be a string", json.Number("1"))}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, fails, err := decodeAs[Patch](t, tt.body)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.fails, fails); diff != "" {
				t.Errorf("failures (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, got, optCmp); diff != "" {
				t.Errorf("value (-want +got):\n%s", diff)
			}
		})
	}
}

// TestOptionalWithoutSchema decodes with the Go rules alone (no schema):
// an Optional member is not required.
func TestOptionalWithoutSchema(t *testing.T) {
	t.Parallel()
	type P struct {
		A schema.Optional[int] `json:"a,omitzero"`
	}
	d, err := Compile(reflect.TypeFor[P](), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for body, want := range map[string]P{`{}`: {}, `{"a":2}`: {A: schema.Some(2)}} {
		got, fails, err := decodeNew(d, []byte(body))
		if err != nil || len(fails) > 0 {
			t.Fatalf("%s: got %v, %v", body, fails, err)
		}
		if diff := cmp.Diff(&want, got, optCmp); diff != "" {
			t.Errorf("%s (-want +got):\n%s", body, diff)
		}
	}
}

// FuzzOptional decodes arbitrary bytes into Patch and checks that decoding
// never panics, fails only with a *SyntaxError for malformed JSON, and,
// when the body is accepted, agrees with encoding/json through Optional's
// UnmarshalJSON on every member, presence included. (encoding/json is
// laxer: it accepts null for a string; the codec reports those, so a body
// it accepts has none.)
func FuzzOptional(f *testing.F) {
	for _, seed := range []string{
		`{"must":true}`, `{"must":null}`, `{}`, `null`,
		`{"name":"","note":null,"qty":0,"addr":null,"tags":[],"extra":{"a":null},"any":null,"must":false}`,
		`{"inner":{"inner":{"note":"x","must":true},"must":true},"must":true}`,
		`{"qty":128,"must":true}`, `{"name":null,"must":true}`, `{"must":true,"must":true}`,
		`{"addr":{"street":"s","city":"c","zip":1},"must":true}`,
	} {
		f.Add([]byte(seed))
	}
	d := compileFor[Patch](f)
	f.Fuzz(func(t *testing.T, data []byte) {
		got, fails, err := decodeNew(d, data)
		var se *SyntaxError
		if err != nil && !errors.As(err, &se) {
			t.Fatalf("got %v (%T), want nil or a *SyntaxError", err, err)
		}
		if valid := jsontext.Value(data).IsValid(); valid == (err != nil) {
			t.Fatalf("got error %v for input %q, want one: %v", err, data, !valid)
		}
		if err != nil || len(fails) > 0 {
			return
		}
		want := new(Patch)
		dec := json.NewDecoder(bytes.NewReader(data))
		if err := dec.Decode(want); err != nil {
			t.Fatalf("codec accepted %q, but encoding/json rejected it: %v", data, err)
		}
		if diff := cmp.Diff(want, got, optCmp); diff != "" {
			t.Fatalf("for %q, value differs from encoding/json (-want +got):\n%s", data, diff)
		}
	})
}
