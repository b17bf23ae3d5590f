package bind

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/roux-go/roux/schema"
)

type badFields struct {
	NoTag        int
	TwoTags      int               `query:"a" header:"A"`
	EmptyName    int               `query:""`
	PathOptional int               `path:"id" required:"false"`
	RequiredBad  int               `query:"a" required:"yes"`
	PathPointer  *int              `path:"id"`
	RequiredDef  int               `query:"a" required:"true" default:"1"`
	ExplodeHdr   []int             `header:"X-A" explode:"true"`
	ExplodeInt   int               `query:"a" explode:"false"`
	ExplodeBytes []byte            `query:"a" explode:"false"`
	ExplodeBad   []int             `query:"a" explode:"no"`
	Map          map[string]string `query:"m"`
	Struct       struct{ A int }   `query:"s"`
	Nested       [][]string        `query:"n"`
	SliceOfPtr   []*int            `query:"p"`
	PtrPtr       **int             `query:"pp"`
	Array        [2]int            `query:"arr"`
	Iface        any               `query:"i"`
	Chan         chan int          `query:"c"`
	BadHeader    string            `header:"X Tenant"`
	BadCookie    string            `cookie:"a;b"`
	DefaultType  int8              `query:"a" default:"300"`
	BadKeyword   string            `query:"a" minimum:"1"`
	unexported   int               `query:"u"`
	DateFormat   time.Time         `query:"d" format:"date"`
	DatesFormat  []time.Time       `query:"d" format:"date"`
}

func TestCompileErrors(t *testing.T) {
	t.Parallel()
	_ = badFields{}.unexported
	for _, tt := range []struct{ field, want string }{
		{"NoTag", "no path, query, header, cookie or form tag"},
		{"TwoTags", "tags query and header both given"},
		{"EmptyName", "empty parameter name"},
		{"PathOptional", `path parameter "id" cannot be required:"false"`},
		{"RequiredBad", `required:"yes": want "true" or "false"`},
		{"PathPointer", "has pointer type *int"},
		{"RequiredDef", "its default would never apply"},
		{"ExplodeHdr", "explode applies to query parameters of slice type"},
		{"ExplodeInt", "explode applies to query parameters of slice type"},
		{"ExplodeBytes", "explode applies to query parameters of slice type"},
		{"ExplodeBad", `explode:"no"`},
		{"Map", "unsupported type map[string]string: a parameter is a string, bool, integer"},
		{"Struct", "unsupported type struct { A int }"},
		{"Nested", "unsupported type [][]string"},
		{"SliceOfPtr", "unsupported type []*int"},
		{"PtrPtr", "unsupported type **int"},
		{"Array", "unsupported type [2]int"},
		{"Iface", "unsupported type interface {}"},
		{"Chan", "unsupported type chan int"},
		{"BadHeader", `header name "X Tenant" is not an HTTP token`},
		{"BadCookie", `cookie name "a;b" is not an HTTP token`},
		{"DefaultType", "300"},
		{"BadKeyword", "minimum applies to numbers"},
		{"unexported", "unexported"},
		{"DateFormat", `a time.Time is an RFC 3339 date-time; use a string field for format date`},
		{"DatesFormat", `use a string field for format date`},
	} {
		t.Run(tt.field, func(t *testing.T) {
			t.Parallel()
			sf, _ := reflect.TypeFor[badFields]().FieldByName(tt.field)
			p, err := Compile(sf, schema.NewRegistry())
			if err == nil {
				t.Fatalf("got %+v, want error containing %q", p, tt.want)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "bind: field "+tt.field+": ") || !strings.Contains(msg, tt.want) {
				t.Errorf("got %q, want %q", msg, tt.want)
			}
		})
	}
}

type described struct {
	ID      int64     `path:"id" minimum:"1"`
	Limit   int       `query:"limit"`
	Tags    []string  `query:"tag"`
	TagsCSV []string  `query:"tags" explode:"false"`
	Tenant  string    `header:"x-tenant" required:"true"`
	Ids     []int     `header:"X-Ids"`
	Session string    `cookie:"session"`
	Opt     *int      `query:"opt" required:"false"`
	OptEnum *color    `query:"oe" enum:"red,green"`
	When    time.Time `query:"when" format:"date-time"`
}

func TestCompileDescription(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		field, name, key string
		in               In
		required         bool
		style            string
		explode          bool
		schemaType       string
	}{
		{"ID", "id", "id", Path, true, "simple", false, "integer"},
		{"Limit", "limit", "limit", Query, false, "form", true, "integer"},
		{"Tags", "tag", "tag", Query, false, "form", true, "array"},
		{"TagsCSV", "tags", "tags", Query, false, "form", false, "array"},
		{"Tenant", "x-tenant", "X-Tenant", Header, true, "simple", false, "string"},
		{"Ids", "X-Ids", "X-Ids", Header, false, "simple", false, "array"},
		{"Session", "session", "session", Cookie, false, "form", false, "string"},
		{"Opt", "opt", "opt", Query, false, "form", true, "integer"},
		{"OptEnum", "oe", "oe", Query, false, "form", true, "string"},
		{"When", "when", "when", Query, false, "form", true, "string"},
	} {
		t.Run(tt.field, func(t *testing.T) {
			t.Parallel()
			p := compileField[described](t, tt.field)
			sf, _ := reflect.TypeFor[described]().FieldByName(tt.field)
			style, explode := p.Style()
			got := []any{p.Name, p.Key, p.In, p.Required, p.Offset, style, explode, p.Schema.Type[0]}
			want := []any{tt.name, tt.key, tt.in, tt.required, sf.Offset, tt.style, tt.explode, tt.schemaType}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

// TestCompilePointerNotNullable checks that a pointer parameter publishes
// its schema without null: it is optional, and no text decodes to null.
func TestCompilePointerNotNullable(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		field string
		want  *schema.Schema
	}{
		{"Opt", &schema.Schema{Type: schema.Types{"integer"}, Format: "int64"}},
		{"OptEnum", &schema.Schema{Type: schema.Types{"string"}, Enum: []any{"red", "green"}}},
	} {
		t.Run(tt.field, func(t *testing.T) {
			t.Parallel()
			if got := compileField[described](t, tt.field).Schema; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
