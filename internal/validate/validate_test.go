package validate

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/roux-go/roux/internal/verr"
	"github.com/roux-go/roux/schema"
)

// compileFor compiles the validator of T from the schema a registry
// publishes for it.
func compileFor[T any](t *testing.T) *Validator {
	t.Helper()
	reg := schema.NewRegistry()
	typ := reflect.TypeFor[T]()
	s, err := reg.Schema(typ)
	if err != nil {
		t.Fatalf("schema of %v: %v", typ, err)
	}
	v, err := Compile(typ, s, reg)
	if err != nil {
		t.Fatalf("Compile(%v): %v", typ, err)
	}
	return v
}

// failures validates x as a body and returns its failures.
func failures[T any](v *Validator, x T) []verr.Error {
	var path verr.Path
	var errs verr.List
	path.SetBody()
	v.ValidateValue(&x, &path, &errs)
	return errs.Items
}

// where summarizes failures as "pointer code" lines.
func where(errs []verr.Error) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Pointer+" "+e.Code)
	}
	return out
}

type item struct {
	Name string `json:"name" minLength:"1"`
	Qty  int    `json:"qty" minimum:"1"`
}

type customer struct {
	Email string `json:"email" format:"email"`
}

type order struct {
	Items    []item    `json:"items" minItems:"1"`
	Customer customer  `json:"customer"`
	Backup   *customer `json:"backup,omitempty"`
	Notes    []string  `json:"notes,omitempty" maxLength:"3"`
}

func TestNestedPaths(t *testing.T) {
	t.Parallel()
	v := compileFor[order](t)
	for _, tt := range []struct {
		name string
		in   order
		want []string
	}{
		{"valid", order{Items: []item{{"a", 1}}, Customer: customer{"a@b.c"}}, nil},
		{"element member", order{Items: []item{{"a", 1}, {"", 1}}, Customer: customer{"a@b.c"}}, []string{"/items/1/name minLength"}},
		{"empty slice", order{Items: []item{}, Customer: customer{"a@b.c"}}, []string{"/items minItems"}},
		{"nested struct", order{Items: []item{{"a", 1}}, Customer: customer{"nope"}}, []string{"/customer/email format"}},
		{"nil pointer skipped", order{Items: []item{{"a", 1}}, Customer: customer{"a@b.c"}, Backup: nil}, nil},
		{"pointer followed", order{Items: []item{{"a", 1}}, Customer: customer{"a@b.c"}, Backup: &customer{"x"}}, []string{"/backup/email format"}},
		{"slice of strings", order{Items: []item{{"a", 1}}, Customer: customer{"a@b.c"}, Notes: []string{"ok", "long"}}, []string{"/notes/1 maxLength"}},
		{"many at once", order{Items: []item{{"", 0}, {"b", 0}}, Customer: customer{""}, Notes: []string{"four"}}, []string{
			"/items/0/name minLength", "/items/0/qty minimum", "/items/1/qty minimum", "/customer/email format", "/notes/0 maxLength",
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, where(failures(v, tt.in))); diff != "" {
				t.Errorf("failures (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReportedError(t *testing.T) {
	t.Parallel()
	v := compileFor[item](t)
	got := failures(v, item{Name: "a", Qty: 0})
	want := []verr.Error{{Detail: "must be at least 1", Pointer: "/qty", Code: "minimum", Value: int64(0), HasValue: true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("failure (-want +got):\n%s", diff)
	}

	var path verr.Path
	var errs verr.List
	path.SetParam("qty", "query")
	q := 0
	vi, err := Compile(reflect.TypeFor[int](), &schema.Schema{Type: schema.Types{"integer"}, Minimum: ptr(1.0)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	vi.ValidateValue(&q, &path, &errs)
	want = []verr.Error{{Detail: "must be at least 1", Parameter: "qty", In: "query", Code: "minimum", Value: int64(0), HasValue: true}}
	if diff := cmp.Diff(want, errs.Items); diff != "" {
		t.Errorf("parameter failure (-want +got):\n%s", diff)
	}
}

type treeNode struct {
	Name     string     `json:"name" minLength:"1"`
	Children []treeNode `json:"children,omitempty"`
	Next     *treeNode  `json:"next,omitempty"`
}

type plainTree struct {
	Kids []plainTree `json:"kids"`
	Peer *plainPeer  `json:"peer"`
}

type plainPeer struct {
	Back *plainTree `json:"back"`
	N    int        `json:"n"`
}

func TestRecursive(t *testing.T) {
	t.Parallel()
	v := compileFor[treeNode](t)
	in := treeNode{Name: "root", Children: []treeNode{
		{Name: "a", Children: []treeNode{{Name: "b"}, {Name: ""}}},
	}, Next: &treeNode{Name: "n", Next: &treeNode{}}}
	want := []string{"/children/0/children/1/name minLength", "/next/next/name minLength"}
	if diff := cmp.Diff(want, where(failures(v, in))); diff != "" {
		t.Errorf("failures (-want +got):\n%s", diff)
	}
	if v := compileFor[plainTree](t); v != nil {
		t.Errorf("Compile(plainTree) = %v, want nil", v)
	}

	// A cyclic value is cut off instead of overflowing the stack.
	cyc := &treeNode{Name: "loop"}
	cyc.Next = cyc
	var path verr.Path
	var errs verr.List
	v.ValidateValue(cyc, &path, &errs)
	if got := errs.Len(); got != 1 || errs.Items[0].Code != "maxDepth" {
		t.Errorf("cyclic value: got %v, want one maxDepth failure", errs.Items[:min(got, 1)])
	}
}

type optional struct {
	Opt    string `json:"opt,omitempty" minLength:"3"`
	Req    string `json:"req" minLength:"3"`
	OptInt int    `json:"optInt,omitzero" minimum:"5"`
	Forced int    `json:"forced,omitempty" required:"true" minimum:"5"`
	Ptr    *int   `json:"ptr,omitempty" minimum:"5"`
}

func TestOptionalZero(t *testing.T) {
	t.Parallel()
	v := compileFor[optional](t)
	zero, six := 0, 6
	for _, tt := range []struct {
		name string
		in   optional
		want []string
	}{
		{"zero optional members are absent", optional{Req: "abc", Forced: 5}, nil},
		{"zero required members are checked", optional{}, []string{"/req minLength", "/forced minimum"}},
		{"non-zero optional members are checked", optional{Opt: "a", Req: "abc", OptInt: 1, Forced: 5}, []string{"/opt minLength", "/optInt minimum"}},
		{"pointer to zero is present", optional{Req: "abc", Forced: 5, Ptr: &zero}, []string{"/ptr minimum"}},
		{"valid pointer", optional{Req: "abc", Forced: 5, Ptr: &six}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, where(failures(v, tt.in))); diff != "" {
				t.Errorf("failures (-want +got):\n%s", diff)
			}
		})
	}
}

type unconstrained struct {
	A string            `json:"a"`
	B int8              `json:"b"` // the registry publishes -128..127: always met
	C uint16            `json:"c"`
	D []unconstrained   `json:"d"`
	E map[string]string `json:"e"`
	F *unconstrained    `json:"f"`
	G any               `json:"g"`
}

func TestNothingToCheck(t *testing.T) {
	t.Parallel()
	if v := compileFor[unconstrained](t); v != nil {
		t.Errorf("Compile(unconstrained) = %v, want nil", v)
	}
	var v *Validator // a nil validator accepts everything
	var errs verr.List
	v.ValidateValue(&unconstrained{}, &verr.Path{}, &errs)
	v.Validate(nil, &verr.Path{}, &errs)
	if got := errs.Len(); got != 0 {
		t.Errorf("nil validator: got %v failures, want 0", got)
	}
}

func TestValidateValueWrongType(t *testing.T) {
	t.Parallel()
	v := compileFor[item](t)
	defer func() {
		r := recover()
		if msg := fmt.Sprint(r); !strings.Contains(msg, "want *validate.item") {
			t.Errorf("panic: got %v, want a message naming *validate.item", r)
		}
	}()
	v.ValidateValue(item{}, &verr.Path{}, &verr.List{})
}

func ptr[T any](v T) *T { return &v }
