package validate

import (
	"reflect"
	"strings"
	"testing"

	"github.com/roux-go/roux/schema"
)

type badField struct {
	N int `json:"n"`
}

type badArray struct {
	A [3]int `json:"a" maxItems:"2"`
}

type holdsBad struct {
	B badArray  `json:"b"`
	P *badArray `json:"p"`
}

func TestCompileErrors(t *testing.T) {
	t.Parallel()
	integer := schema.Types{"integer"}
	reg := schema.NewRegistry()
	for _, tt := range []struct {
		name string
		typ  reflect.Type
		s    *schema.Schema
		reg  *schema.Registry
		want string
	}{
		{"minLength on int", reflect.TypeFor[int](), &schema.Schema{Type: integer, MinLength: ptr(1)}, nil, "minLength does not apply to int: it applies to strings"},
		{"pattern on int", reflect.TypeFor[int](), &schema.Schema{Type: integer, Pattern: "^1"}, nil, "pattern does not apply to int"},
		{"format on int", reflect.TypeFor[int](), &schema.Schema{Type: integer, Format: "email"}, nil, "format email does not apply to int"},
		{"minimum on string", reflect.TypeFor[string](), &schema.Schema{Minimum: ptr(1.0)}, nil, "minimum does not apply to string: it applies to numbers"},
		{"minItems on map", reflect.TypeFor[map[string]int](), &schema.Schema{MinItems: ptr(1)}, nil, "minItems does not apply to map[string]int"},
		{"minProperties on slice", reflect.TypeFor[[]int](), &schema.Schema{MinProperties: ptr(1)}, nil, "minProperties does not apply to []int"},
		{"uniqueItems on string", reflect.TypeFor[string](), &schema.Schema{UniqueItems: true}, nil, "uniqueItems does not apply to string"},
		{"enum on slice", reflect.TypeFor[[]int](), &schema.Schema{Enum: []any{1}}, nil, "enum does not apply to []int"},
		{"enum value of another type", reflect.TypeFor[int](), &schema.Schema{Type: integer, Enum: []any{"abc"}}, nil, `enum value "abc" is not a valid int`},
		{"minimum beyond uint8", reflect.TypeFor[uint8](), &schema.Schema{Minimum: ptr(300.0)}, nil, "minimum 300 can never be met by uint8"},
		{"exclusiveMaximum 0 on uint", reflect.TypeFor[uint](), &schema.Schema{ExclusiveMaximum: ptr(0.0)}, nil, "exclusiveMaximum 0 can never be met by uint"},
		{"maxItems below array length", reflect.TypeFor[[3]int](), &schema.Schema{MaxItems: ptr(2)}, nil, "maxItems can never be met by [3]int"},
		{"bad pattern", reflect.TypeFor[string](), &schema.Schema{Pattern: "("}, nil, `pattern "("`},
		{"multipleOf 0", reflect.TypeFor[float64](), &schema.Schema{MultipleOf: ptr(0.0)}, nil, "multipleOf 0: want a positive number"},
		{"NaN bound", reflect.TypeFor[float64](), &schema.Schema{Minimum: ptr(0.0 * 0 / zero())}, nil, "minimum is not a number"},
		{"oneOf", reflect.TypeFor[badField](), &schema.Schema{OneOf: []*schema.Schema{{}, {}}}, nil, "anyOf and oneOf are not supported"},
		{"items on struct", reflect.TypeFor[badField](), &schema.Schema{Items: &schema.Schema{}}, nil, "items applies to slices and arrays"},
		{"properties on map", reflect.TypeFor[map[string]int](), &schema.Schema{Properties: map[string]*schema.Schema{"a": {}}}, nil, "properties apply to structs"},
		{"reference without registry", reflect.TypeFor[badField](), &schema.Schema{Ref: schema.RefPrefix + "X"}, nil, "no registry"},
		{"unknown reference", reflect.TypeFor[badField](), &schema.Schema{Ref: schema.RefPrefix + "X"}, reg, "does not name a component"},
		{"member", reflect.TypeFor[badField](), &schema.Schema{Properties: map[string]*schema.Schema{"n": {MinLength: ptr(1)}}}, nil,
			"validate: validate.badField: field badField.N: minLength does not apply to int"},
		{"element", reflect.TypeFor[[]int](), &schema.Schema{Items: &schema.Schema{Pattern: "x"}}, nil, "items: pattern does not apply to int"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, err := Compile(tt.typ, tt.s, tt.reg)
			if err == nil || !strings.Contains(err.Error(), tt.want) || v != nil {
				t.Errorf("Compile: got %v, %v, want nil and an error containing %q", v, err, tt.want)
			}
		})
	}
}

func zero() float64 { return 0 }

func TestCompilerSharesComponents(t *testing.T) {
	t.Parallel()
	reg := schema.NewRegistry()
	c := NewCompiler(reg)
	compile := func(typ reflect.Type) (*Validator, error) {
		s, err := reg.Schema(typ)
		if err != nil {
			t.Fatal(err)
		}
		return c.Compile(typ, s)
	}
	vo, err := compile(reflect.TypeFor[order]())
	if err != nil {
		t.Fatal(err)
	}
	vi, err := compile(reflect.TypeFor[item]())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := vo.root.fields[0].node.elem, vi.root; got != want {
		t.Errorf("item node of order: got %p, want the item validator's root %p", got, want)
	}
	// A failed Compile leaves nothing half-built in the cache.
	for range 2 {
		if _, err := compile(reflect.TypeFor[holdsBad]()); err == nil || !strings.Contains(err.Error(), "maxItems can never be met") {
			t.Errorf("Compile(holdsBad): got %v, want a maxItems error", err)
		}
	}
	if _, err := compile(reflect.TypeFor[badArray]()); err == nil {
		t.Errorf("Compile(badArray): got nil error, want a maxItems error")
	}
}

type nullableRef struct {
	C *customer `json:"c" minProperties:"1"`
}

func TestPointerSchemas(t *testing.T) {
	t.Parallel()
	// An optional parameter: a pointer with a nullable schema.
	v, err := Compile(reflect.TypeFor[*int](), &schema.Schema{Type: schema.Types{"integer", "null"}, Minimum: ptr(1.0)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var none *int
	zero := 0
	if got := len(failures(v, none)); got != 0 {
		t.Errorf("nil: got %v failures, want 0", got)
	}
	if got := where(failures(v, &zero)); len(got) != 1 || got[0] != " minimum" {
		t.Errorf("pointer to 0: got %v, want [\" minimum\"]", got)
	}
	// A nullable reference with a sibling keyword.
	vr := compileFor[nullableRef](t)
	if got := where(failures(vr, nullableRef{C: &customer{Email: "a@b.c"}})); got != nil {
		t.Errorf("valid: got %v, want none", got)
	}
	if got := where(failures(vr, nullableRef{C: &customer{Email: "bad"}})); len(got) != 1 || got[0] != "/c/email format" {
		t.Errorf("invalid: got %v, want [/c/email format]", got)
	}
}
