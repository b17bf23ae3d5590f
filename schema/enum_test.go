package schema_test

import (
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/roux-go/roux/schema"
)

type Station string

const (
	Grill Station = "grill"
	Fry   Station = "fry"
	Cold  Station = "cold"
)

func (Station) Enum() []Station { return []Station{Grill, Fry, Cold} }

var _ schema.Enumer[Station] = Station("")

type Spice int8

func (*Spice) Enum() []Spice { return []Spice{0, 1, 3} } // a pointer receiver works too

// Size is an integer published as text.
type Size int

func (s Size) MarshalText() ([]byte, error) { return []byte([]string{"small", "large"}[s]), nil }
func (s *Size) UnmarshalText(b []byte) error {
	switch string(b) {
	case "small":
		*s = 0
	case "large":
		*s = 1
	default:
		return errors.New("unknown size")
	}
	return nil
}
func (Size) Enum() []Size { return []Size{0, 1} }

type Ratio float32

func (Ratio) Enum() []Ratio { return []Ratio{0.5, 1.5} }

type Flag bool

func (Flag) Enum() []Flag { return []Flag{true} }

// Proto looks like a protobuf enum, whose Enum method is not a list.
type Proto int32

func (p Proto) Enum() *Proto { return &p }

type wrongEnum string

func (wrongEnum) Enum() []string { return []string{"a"} }

type emptyEnum string

func (emptyEnum) Enum() []emptyEnum { return nil }

type twiceEnum string

func (twiceEnum) Enum() []twiceEnum { return []twiceEnum{"a", "b", "a"} }

type nanEnum float64

func (nanEnum) Enum() []nanEnum { return []nanEnum{nanEnum(math.NaN())} }

type panicEnum string

func (panicEnum) Enum() []panicEnum { panic("boom") }

type structEnum struct{ A int }

func (structEnum) Enum() []structEnum { return []structEnum{{1}} }

type providerEnum string

func (providerEnum) Enum() []providerEnum { return []providerEnum{"a"} }
func (providerEnum) JSONSchema(*schema.Registry) *schema.Schema {
	return &schema.Schema{Type: schema.Types{"string"}}
}

// lossy is text that does not decode back to itself.
type lossy int

func (lossy) MarshalText() ([]byte, error)  { return []byte("x"), nil }
func (*lossy) UnmarshalText(b []byte) error { return errors.New("no") }
func (lossy) Enum() []lossy                 { return []lossy{1} }

func TestEnumMethodFields(t *testing.T) {
	t.Parallel()
	type Ticket struct {
		Station  Station   `json:"station"`
		Backup   *Station  `json:"backup,omitempty"`
		Route    []Station `json:"route,omitempty" maxItems:"3"`
		Hot      Station   `json:"hot,omitempty" enum:"grill,fry"` // a tag narrows the type's enum
		Spiciest Spice     `json:"spiciest,omitempty" default:"1"`
	}
	reg := schema.NewRegistry()
	if _, err := reg.Schema(reflect.TypeFor[Ticket]()); err != nil {
		t.Fatal(err)
	}
	got := js(t, reg.Components()["Ticket"])
	want := `{"type":"object","required":["station"],"additionalProperties":false,"properties":{` +
		`"station":{"type":"string","enum":["grill","fry","cold"]},` +
		`"backup":{"type":["string","null"],"enum":["grill","fry","cold",null]},` +
		`"route":{"type":"array","items":{"type":"string","enum":["grill","fry","cold"]},"maxItems":3},` +
		`"hot":{"type":"string","enum":["grill","fry"]},` +
		`"spiciest":{"type":"integer","enum":[0,1,3],"default":1,"minimum":-128,"maximum":127}}}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
