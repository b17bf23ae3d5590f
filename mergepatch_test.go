package roux_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/internal/codec"
	"github.com/roux-go/roux/internal/verr"
	"github.com/roux-go/roux/schema"
)

// The target and patch types of the RFC 7396 tests: every member can be
// absent, so that the JSON of a target says exactly what it holds.

type mpInner struct {
	X *string `json:"x,omitempty"`
	Y *int    `json:"y,omitempty"`
}

type mpTarget struct {
	A *string            `json:"a,omitempty"`
	B *int               `json:"b,omitempty"`
	N *mpInner           `json:"n,omitempty"`
	L *[]int             `json:"l,omitempty"`
	M *map[string]string `json:"m,omitempty"`
	R string             `json:"r"`
}

type mpInnerPatch struct {
	X roux.Optional[*string] `json:"x,omitzero"`
	Y roux.Optional[*int]    `json:"y,omitzero"`
}

type mpPatch struct {
	A roux.Optional[*string]             `json:"a,omitzero"`
	B roux.Optional[*int]                `json:"b,omitzero"`
	N roux.Optional[*mpInnerPatch]       `json:"n,omitzero"`
	L roux.Optional[*[]int]              `json:"l,omitzero"`
	M roux.Optional[*map[string]*string] `json:"m,omitzero"`
	R roux.Optional[string]              `json:"r,omitzero"`
}

// mergePatchJSON is RFC 7396 section 2's algorithm over decoded JSON.
func mergePatchJSON(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
		} else {
			t[k] = mergePatchJSON(t[k], v)
		}
	}
	return t
}

// patchDecoder decodes patch documents into mpPatch with roux's decoder.
type patchDecoder struct{ d *codec.Decoder }

func newPatchDecoder(tb testing.TB) patchDecoder {
	reg := schema.NewRegistry()
	typ := reflect.TypeFor[mpPatch]()
	s, err := reg.Schema(typ)
	if err != nil {
		tb.Fatal(err)
	}
	d, err := codec.Compile(typ, s, reg)
	if err != nil {
		tb.Fatal(err)
	}
	return patchDecoder{d}
}

// decode reports false for a document the server would refuse.
func (pd patchDecoder) decode(doc []byte) (*mpPatch, bool) {
	p := new(mpPatch)
	var path verr.Path
	var errs verr.List
	path.SetBody()
	err := pd.d.Decode(bytes.NewReader(doc), unsafe.Pointer(p), &path, &errs)
	return p, err == nil && errs.Len() == 0
}

// checkAgainstRFC applies doc to target both ways and compares the JSON.
func checkAgainstRFC(t *testing.T, pd patchDecoder, target mpTarget, doc []byte) bool {
	t.Helper()
	p, ok := pd.decode(doc)
	if !ok {
		return false
	}
	before, err := json.Marshal(target)
	if err != nil {
		t.Fatal(err)
	}
	var want, patch any
	if err := json.Unmarshal(before, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(doc, &patch); err != nil {
		t.Fatal(err)
	}
	want = mergePatchJSON(want, patch)
	if err := roux.ApplyMergePatch(&target, p); err != nil {
		t.Fatal(err)
	}
	after, err := json.Marshal(target)
	if err != nil {
		t.Fatal(err)
	}
	var got any
	if err := json.Unmarshal(after, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("patch %s on %s: (-RFC 7396 +ApplyMergePatch):\n%s", doc, before, diff)
	}
	return true
}

func fullTarget() mpTarget {
	x, y, a, b := "x", 2, "a", 1
	l, m := []int{1, 2}, map[string]string{"k": "v", "j": "w"}
	return mpTarget{A: &a, B: &b, N: &mpInner{X: &x, Y: &y}, L: &l, M: &m, R: "r"}
}

// TestApplyMergePatchRFC applies the patches of RFC 7396 Appendix A that
// typed values can express, to a full and an empty target.
func TestApplyMergePatchRFC(t *testing.T) {
	t.Parallel()
	pd := newPatchDecoder(t)
	for _, doc := range []string{
		`{"a":"z"}`,                     // replace a member
		`{"b":null}`,                    // delete one
		`{"a":null,"b":null,"r":"s"}`,   // several
		`{"l":[3]}`,                     // an array is replaced
		`{"l":null}`,                    // and deleted
		`{"l":[]}`,                      // or emptied
		`{"n":{"x":null,"y":3}}`,        // nested object merged
		`{"n":{}}`,                      // an empty nested patch keeps (or creates) the object
		`{"n":null}`,                    // a nested object deleted
		`{"m":{"k":null,"z":"1"}}`,      // a map merged, a key deleted
		`{"m":{}}`,                      //
		`{"m":null}`,                    //
		`{}`,                            // an empty patch
		`{"a":"é\u0000","b":-0,"r":""}`, // values kept as sent
	} {
		for name, target := range map[string]mpTarget{"full": fullTarget(), "empty": {}} {
			if !checkAgainstRFC(t, pd, target, []byte(doc)) {
				t.Errorf("%s (%s target): the decoder refused it", doc, name)
			}
		}
	}
}

// FuzzApplyMergePatch checks ApplyMergePatch against RFC 7396's algorithm
// for every patch document the server accepts.
func FuzzApplyMergePatch(f *testing.F) {
	for _, seed := range []string{
		`{"a":"z","n":{"x":null}}`, `{"m":{"k":null,"n":"1"},"l":[1]}`, `{"n":null,"b":7}`,
		`{"r":"x","a":null,"b":null,"l":null,"m":null,"n":{"y":null}}`, `{}`, `null`, `[]`,
	} {
		f.Add([]byte(seed))
	}
	pd := newPatchDecoder(f)
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkAgainstRFC(t, pd, fullTarget(), doc)
		checkAgainstRFC(t, pd, mpTarget{}, doc)
	})
}

// The types of the plan tests.

type mpItem struct {
	Name string `json:"name"`
	Qty  int    `json:"qty,omitempty"`
}

type mpItemPatch struct {
	Qty roux.Optional[int] `json:"qty,omitzero"`
}

type mpMenu struct {
	Title   string            `json:"title"`
	Note    string            `json:"note,omitempty"`
	Items   map[string]mpItem `json:"items,omitempty"`
	Next    *mpMenu           `json:"next,omitempty"`
	Owner   *mpItem           `json:"owner,omitempty"`
	Any     any               `json:"any,omitempty"`
	Counted int               `json:"counted"`
}

type mpMenuPatch struct {
	Title   *string                                `json:"title,omitempty"` // a plain pointer: nil is absent
	Note    roux.Optional[*string]                 `json:"note,omitzero"`   // null empties an omitempty string
	Items   roux.Optional[map[string]*mpItemPatch] `json:"items,omitzero"`
	Next    roux.Optional[*mpMenuPatch]            `json:"next,omitzero"`  // recursive
	Owner   roux.Optional[*mpItem]                 `json:"owner,omitzero"` // the target's own type: replaced whole
	Any     roux.Optional[any]                     `json:"any,omitzero"`
	Counted int                                    `json:"counted"` // required: always applied
}

func TestApplyMergePatch(t *testing.T) {
	t.Parallel()
	str := func(s string) *string { return &s }
	base := func() mpMenu {
		return mpMenu{Title: "t", Note: "n", Items: map[string]mpItem{"a": {"A", 1}, "b": {"B", 2}},
			Next: &mpMenu{Title: "t2", Note: "n2"}, Owner: &mpItem{"o", 3}, Any: 1.0, Counted: 4}
	}
	for _, tt := range []struct {
		name  string
		patch mpMenuPatch
		want  func(m *mpMenu)
	}{
		{"required member applied, others absent", mpMenuPatch{}, func(m *mpMenu) { m.Counted = 0 }},
		{"plain pointer", mpMenuPatch{Title: str("T"), Counted: 4}, func(m *mpMenu) { m.Title = "T" }},
		{"null empties an omitempty member", mpMenuPatch{Note: roux.Some[*string](nil), Counted: 4}, func(m *mpMenu) { m.Note = "" }},
		{"map values merged as nested patches, nil deletes", mpMenuPatch{
			Items: roux.Some(map[string]*mpItemPatch{"a": {Qty: roux.Some(9)}, "b": nil, "c": {}}), Counted: 4,
		}, func(m *mpMenu) { m.Items = map[string]mpItem{"a": {"A", 9}, "c": {}} }},
		{"recursion", mpMenuPatch{Next: roux.Some(&mpMenuPatch{Note: roux.Some(str("x")), Counted: 1}), Counted: 4},
			func(m *mpMenu) { m.Next = &mpMenu{Title: "t2", Note: "x", Counted: 1} }},
		{"own type replaced whole", mpMenuPatch{Owner: roux.Some(&mpItem{Name: "p"}), Counted: 4}, func(m *mpMenu) { m.Owner = &mpItem{Name: "p"} }},
		{"null deletes a pointer", mpMenuPatch{Owner: roux.Some[*mpItem](nil), Next: roux.Some[*mpMenuPatch](nil), Counted: 4},
			func(m *mpMenu) { m.Owner, m.Next = nil, nil }},
		{"interface", mpMenuPatch{Any: roux.Some[any]([]any{"x"}), Counted: 4}, func(m *mpMenu) { m.Any = []any{"x"} }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, want, orig := base(), base(), base()
			shared := got // shares Items, Next and Owner with got
			tt.want(&want)
			if err := roux.ApplyMergePatch(&got, &tt.patch); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(orig, shared); diff != "" {
				t.Errorf("a value sharing dst's maps and pointers changed (-before +after):\n%s", diff)
			}
		})
	}
}

func TestApplyMergePatchErrors(t *testing.T) {
	t.Parallel()
	type target struct {
		Name  string   `json:"name"`
		Tags  []string `json:"tags"`
		Price float64  `json:"price"`
	}
	for _, tt := range []struct {
		name  string
		apply func() error
		want  string
	}{
		{"member missing from the target", func() error {
			return roux.ApplyMergePatch(&target{}, &struct {
				Color roux.Optional[string] `json:"color,omitzero"`
			}{})
		}, `patch member "color" (struct { Color schema.Optional[string] "json:\"color,omitzero\"" }.Color) has no member of that name`},
		{"null for a member that cannot be absent", func() error {
			return roux.ApplyMergePatch(&target{}, &struct {
				Name roux.Optional[*string] `json:"name,omitzero"`
			}{})
		}, `patch member "name": the patch may be null, but the target's string cannot be left out`},
		{"null for a slice that is always sent", func() error {
			return roux.ApplyMergePatch(&target{}, &struct {
				Tags roux.Optional[*[]string] `json:"tags,omitzero"`
			}{})
		}, `the target's []string cannot be left out`},
		{"another type", func() error {
			return roux.ApplyMergePatch(&target{}, &struct {
				Price roux.Optional[string] `json:"price,omitzero"`
			}{})
		}, "a string cannot replace or merge into a float64"},
		{"optional plain member", func() error {
			return roux.ApplyMergePatch(&target{}, &struct {
				Name string `json:"name,omitempty"`
			}{})
		}, "is optional but cannot tell absent from zero: make it a roux.Optional[string]"},
		{"not structs", func() error { return roux.ApplyMergePatch(new(int), new(int)) }, "int and int must both be structs"},
		{"nil", func() error { return roux.ApplyMergePatch[target, target](nil, nil) }, "of a nil pointer"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.apply()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

type mpstamp struct {
	Code string `json:"code,omitempty"`
}

// mpStamped has a member promoted from an unexported embedded struct.
type mpStamped struct {
	mpstamp
	Name string `json:"name"`
}

type mpStampPatch struct {
	Code roux.Optional[*string] `json:"code,omitzero"`
	Name roux.Optional[string]  `json:"name,omitzero"`
}

func TestApplyMergePatchPromotedMember(t *testing.T) {
	t.Parallel()
	code := "x1"
	got := mpStamped{Name: "a"}
	if err := roux.ApplyMergePatch(&got, &mpStampPatch{Code: roux.Some(&code)}); err != nil {
		t.Fatal(err)
	}
	if want := (mpStamped{mpstamp{"x1"}, "a"}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if err := roux.ApplyMergePatch(&got, &mpStampPatch{Code: roux.Some[*string](nil), Name: roux.Some("b")}); err != nil {
		t.Fatal(err)
	}
	if want := (mpStamped{Name: "b"}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}
