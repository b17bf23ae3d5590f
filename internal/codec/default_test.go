package codec

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/roux-go/roux/internal/verr"
)

type WithDefaults struct {
	Page  int            `json:"page,omitempty" default:"1"`
	Sort  string         `json:"sort,omitempty" default:"name"`
	Tags  []string       `json:"tags,omitempty" default:"a,b"`
	Limit *int           `json:"limit" default:"10"`
	Opts  map[string]int `json:"opts,omitempty" default:"{\"x\":1}"`
	Addr  *Address       `json:"addr" default:"{\"street\":\"s\",\"city\":\"c\"}"`
	Must  string         `json:"must" default:"never"` // required: reported, never defaulted
}

func ptrTo[T any](v T) *T { return &v }

// TestDefaults checks that defaults fill absent members only: not members
// that are present, even as null, and not required ones.
func TestDefaults(t *testing.T) {
	t.Parallel()
	missing := fail("/must", "required", `required member "must" is missing`)
	for _, tt := range []struct {
		name      string
		body      string
		want      WithDefaults
		wantFails []verr.Error
	}{
		{"all absent", `{}`, WithDefaults{
			Page: 1, Sort: "name", Tags: []string{"a", "b"}, Limit: ptrTo(10),
			Opts: map[string]int{"x": 1}, Addr: &Address{Street: "s", City: "c"},
		}, []verr.Error{missing}},
		{"present zero values", `{"page":0,"sort":"","tags":[],"limit":0,"opts":{},"addr":{"street":"","city":""},"must":""}`, WithDefaults{
			Tags: []string{}, Limit: ptrTo(0), Opts: map[string]int{}, Addr: &Address{},
		}, nil},
		{"null is present", `{"limit":null,"addr":null,"sort":null,"must":"m"}`, WithDefaults{
			Page: 1, Tags: []string{"a", "b"}, Opts: map[string]int{"x": 1}, Must: "m",
		}, []verr.Error{fail("/sort", "type", "must not be null")}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, fails, err := decodeAs[WithDefaults](t, tt.body)
			if err != nil {
				t.Fatalf("got error %v, want nil", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("value (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantFails, fails); diff != "" {
				t.Errorf("failures (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDefaultsNotShared checks that two requests never share the mutable
// storage of a default.
func TestDefaultsNotShared(t *testing.T) {
	t.Parallel()
	d := compileFor[WithDefaults](t)
	first, _, _ := decodeNew(d, []byte(`{"must":"m"}`))
	a := first.(*WithDefaults)
	a.Tags[0], a.Opts["x"], *a.Limit, a.Addr.City = "changed", 99, 99, "changed"
	second, _, _ := decodeNew(d, []byte(`{"must":"m"}`))
	want := &WithDefaults{
		Page: 1, Sort: "name", Tags: []string{"a", "b"}, Limit: ptrTo(10),
		Opts: map[string]int{"x": 1}, Addr: &Address{Street: "s", City: "c"}, Must: "m",
	}
	if diff := cmp.Diff(want, second); diff != "" {
		t.Errorf("second decode (-want +got):\n%s", diff)
	}
}
