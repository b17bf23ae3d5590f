package validate

import (
	"reflect"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux/internal/verr"
	"github.com/roux-go/roux/schema"
)

type optPatch struct {
	Name  schema.Optional[string]    `json:"name,omitzero" minLength:"2"`
	Note  schema.Optional[*string]   `json:"note,omitzero" maxLength:"3"`
	Items schema.Optional[[]item]    `json:"items,omitzero" maxItems:"1"`
	Cust  schema.Optional[*customer] `json:"cust,omitzero"`
}

func TestOptional(t *testing.T) {
	t.Parallel()
	v := compileFor[optPatch](t)
	long := "long"
	for _, tt := range []struct {
		name string
		in   optPatch
		want []string
	}{
		{"absent members are not validated", optPatch{}, nil},
		{"a present zero value is", optPatch{Name: schema.Some("")}, []string{"/name minLength"}},
		{"null is not validated", optPatch{Note: schema.Some[*string](nil), Cust: schema.Some[*customer](nil)}, nil},
		{"values", optPatch{Note: schema.Some(&long), Items: schema.Some([]item{{"", 1}, {"b", 1}}), Cust: schema.Some(&customer{"x"})},
			[]string{"/note maxLength", "/items maxItems", "/items/0/name minLength", "/cust/email format"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, where(failures(v, tt.in))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// span and its neighbours have custom rules, applied by the hook below:
// a method Check(report func(ptr, code string)) stands in for roux's
// Validate(*roux.Checks).
type span struct {
	Lo int `json:"lo" minimum:"0"`
	Hi int `json:"hi" minimum:"0"`
}

func (s *span) Check(report func(ptr, code string)) {
	if s.Lo > s.Hi {
		report("/hi", "order")
	}
}

type spans []span

func (s spans) Check(report func(ptr, code string)) {
	if len(s) > 2 {
		report("", "count")
	}
}

type booking struct {
	Main  span                   `json:"main"`
	Extra *span                  `json:"extra,omitempty"`
	More  spans                  `json:"more,omitempty"`
	Named map[string]span        `json:"named,omitempty"`
	Opt   schema.Optional[*span] `json:"opt,omitzero"`
	Tree  *booking               `json:"tree,omitempty"`
	Tag   string                 `json:"tag,omitempty" maxLength:"3"`
}

func (b booking) Check(report func(ptr, code string)) {
	if b.Tag == "no" {
		report("/tag", "no")
	}
}

type checker interface {
	Check(report func(ptr, code string))
}

var checkerType = reflect.TypeFor[checker]()

// customHook plays roux's part: the check of any type with a Check
// method, reporting at pointers relative to the value.
func customHook(t reflect.Type) func(unsafe.Pointer, *verr.Path, *verr.List) {
	if !reflect.PointerTo(t).Implements(checkerType) {
		return nil
	}
	return func(p unsafe.Pointer, path *verr.Path, errs *verr.List) {
		reflect.NewAt(t, p).Interface().(checker).Check(func(ptr, code string) {
			errs.Add(verr.Error{Pointer: path.Pointer() + ptr, Code: code, Detail: "custom"})
		})
	}
}

func TestCustom(t *testing.T) {
	t.Parallel()
	reg := schema.NewRegistry()
	typ := reflect.TypeFor[booking]()
	s, err := reg.Schema(typ)
	if err != nil {
		t.Fatal(err)
	}
	c := NewCompiler(reg)
	c.Custom = customHook
	v, err := c.Compile(typ, s)
	if err != nil {
		t.Fatal(err)
	}
	bad := span{Lo: 2, Hi: 1}
	for _, tt := range []struct {
		name string
		in   booking
		want []string
	}{
		{"valid", booking{Main: span{1, 2}}, nil},
		{"struct member", booking{Main: bad}, []string{"/main/hi order"}},
		{"pointer, elements, map values, Optional, recursion", booking{
			Main: span{0, 0}, Extra: &bad, More: spans{{}, bad}, Named: map[string]span{"x": bad},
			Opt: schema.Some(&bad), Tree: &booking{Main: bad},
		}, []string{"/extra/hi order", "/more/1/hi order", "/named/x/hi order", "/opt/hi order", "/tree/main/hi order"}},
		{"slice type and a nested root", booking{More: spans{{}, {}, {}}, Tree: &booking{Tag: "no"}}, []string{"/more count", "/tree/tag no"}},
		{"the root", booking{Tag: "no"}, []string{"/tag no"}},
		{"a failure below stops the rules above", booking{Main: bad, Tag: "no", More: spans{{}, {}, bad}}, []string{"/main/hi order", "/more/2/hi order"}},
		{"not where the schema failed", booking{Main: span{Lo: 3, Hi: -1}, Extra: &bad}, []string{"/main/hi minimum", "/extra/hi order"}},
		{"nor above it", booking{Main: span{Lo: -1}, Tag: "no"}, []string{"/main/lo minimum"}},
		{"absent Optional and nil pointer skipped", booking{Opt: schema.Some[*span](nil)}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, where(failures(v, tt.in))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestCustomAfterDecoding checks that a failure already in the list (the
// decoder's) stops the custom rules at and above its place, not beside.
func TestCustomAfterDecoding(t *testing.T) {
	t.Parallel()
	reg := schema.NewRegistry()
	typ := reflect.TypeFor[booking]()
	s, _ := reg.Schema(typ)
	c := NewCompiler(reg)
	c.Custom = customHook
	v, err := c.Compile(typ, s)
	if err != nil {
		t.Fatal(err)
	}
	var path verr.Path
	var errs verr.List
	path.SetBody()
	errs.Add(verr.Error{Pointer: "/extra/lo", Code: "type"})
	in := booking{Main: span{2, 1}, Extra: &span{2, 1}}
	v.ValidateValue(&in, &path, &errs)
	if diff := cmp.Diff([]string{"/extra/lo type", "/main/hi order"}, where(errs.Items)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestCustomOnly compiles a type whose only rule is custom, and one
// without any rule.
func TestCustomOnly(t *testing.T) {
	t.Parallel()
	c := NewCompiler(nil)
	c.Custom = customHook
	v, err := c.Compile(reflect.TypeFor[spans](), &schema.Schema{Type: schema.Types{"array"}})
	if err != nil || v == nil {
		t.Fatalf("got %v, %v; want a validator", v, err)
	}
	if diff := cmp.Diff([]string{" count"}, where(failures(v, spans{{}, {}, {}}))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if v, err := c.Compile(reflect.TypeFor[[]int](), &schema.Schema{Type: schema.Types{"array"}}); v != nil || err != nil {
		t.Errorf("got %v, %v; want no validator", v, err)
	}
}

func TestCustomParameter(t *testing.T) {
	t.Parallel()
	c := NewCompiler(nil)
	c.Custom = customHook
	v, err := c.Compile(reflect.TypeFor[spans](), &schema.Schema{Type: schema.Types{"array"}})
	if err != nil {
		t.Fatal(err)
	}
	var path verr.Path
	var errs verr.List
	path.SetParam("spans", "query")
	errs.Add(verr.Error{Parameter: "other", In: "query", Code: "type"})
	in := spans{{}, {}, {}}
	v.ValidateValue(&in, &path, &errs)
	if len(errs.Items) != 2 {
		t.Fatalf("got %v, want the custom failure after the other parameter's", errs.Items)
	}
	errs.Reset()
	errs.Add(verr.Error{Parameter: "spans", In: "query", Code: "type"})
	v.ValidateValue(&in, &path, &errs)
	if len(errs.Items) != 1 {
		t.Errorf("got %v, want no custom failure once the parameter failed", errs.Items)
	}
}
