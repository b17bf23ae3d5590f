package bind

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/roux-go/roux/internal/verr"
)

type sliceInput struct {
	Tags    []string     `query:"tag"`
	TagsCSV []string     `query:"tags" explode:"false"`
	Ints    []int        `query:"n"`
	IntsCSV []int64      `query:"nc" explode:"false"`
	Floats  []float32    `query:"f"`
	Bools   []bool       `header:"X-Flags"`
	Ids     []int        `path:"ids"`
	Cookie  []string     `cookie:"c"`
	Times   []time.Time  `query:"ts" explode:"false"`
	IPs     []netip.Addr `query:"ip"`
	Colors  []color      `query:"colors" explode:"false"`
	PInts   *[]int       `query:"pn" explode:"false"`
}

func TestBindSlice(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tt := range []struct {
		name, field string
		vals        []string
		want        any
		codes       []string
	}{
		{"explode", "Tags", []string{"a", "b,c"}, []string{"a", "b,c"}, nil},
		{"explode empty item", "Tags", []string{""}, []string{""}, nil},
		{"explode absent", "Tags", nil, []string(nil), nil},
		{"csv", "TagsCSV", []string{"a,b,c"}, []string{"a", "b", "c"}, nil},
		{"csv keeps spaces", "TagsCSV", []string{" a, b"}, []string{" a", " b"}, nil},
		{"csv empty is empty slice", "TagsCSV", []string{""}, []string{}, nil},
		{"csv repeated keys concatenate", "TagsCSV", []string{"a,b", "c"}, []string{"a", "b", "c"}, nil},
		{"csv empty item", "TagsCSV", []string{"a,,b"}, nil, []string{"type"}},
		{"csv trailing comma", "TagsCSV", []string{"a,"}, nil, []string{"type"}},
		{"csv empty among many", "TagsCSV", []string{"a", ""}, nil, []string{"type"}},
		{"ints", "Ints", []string{"1", "-2", "3"}, []int{1, -2, 3}, nil},
		{"ints each bad item", "Ints", []string{"1", "x", "", "9223372036854775808"}, nil, []string{"type", "type", "maximum"}},
		{"ints csv", "IntsCSV", []string{"1,2"}, []int64{1, 2}, nil},
		{"ints csv bad", "IntsCSV", []string{"1,b"}, nil, []string{"type"}},
		{"floats", "Floats", []string{"1.5", "2"}, []float32{1.5, 2}, nil},
		{"floats over", "Floats", []string{"1e39"}, nil, []string{"maximum"}},
		{"header bools trimmed", "Bools", []string{"true, false", "\t1"}, []bool{true, false, true}, nil},
		{"header empty item", "Bools", []string{"true, "}, nil, []string{"type"}},
		{"path ids", "Ids", []string{"3,4"}, []int{3, 4}, nil},
		{"cookie", "Cookie", []string{"x,y"}, []string{"x", "y"}, nil},
		{"times", "Times", []string{"2024-01-02T03:04:05Z,2024-01-02T03:04:05Z"}, []time.Time{t0, t0}, nil},
		{"times bad", "Times", []string{"2024-01-02"}, nil, []string{"format"}},
		{"ips", "IPs", []string{"::1", "10.0.0.1"}, []netip.Addr{netip.MustParseAddr("::1"), netip.MustParseAddr("10.0.0.1")}, nil},
		{"ips bad", "IPs", []string{"::1", "nope"}, nil, []string{"format"}},
		{"enum", "Colors", []string{"red,green"}, []color{"red", "green"}, nil},
		{"pointer", "PInts", []string{"1,2"}, &[]int{1, 2}, nil},
		{"pointer empty", "PInts", []string{""}, &[]int{}, nil},
		{"pointer absent", "PInts", nil, (*[]int)(nil), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok, errs := bindField[sliceInput](t, tt.field, tt.vals...)
			if gc := codes(errs); !reflect.DeepEqual(gc, tt.codes) {
				t.Fatalf("got codes %v, want %v", gc, tt.codes)
			}
			if want := len(tt.vals) > 0 && tt.codes == nil; ok != want {
				t.Errorf("got ok=%v, want %v", ok, want)
			}
			if tt.codes == nil && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestBindSliceItemReports(t *testing.T) {
	t.Parallel()
	_, _, errs := bindField[sliceInput](t, "IntsCSV", "1,x")
	if len(errs) != 1 || errs[0].Detail != "item 2 must be an integer" || errs[0].Value != "x" {
		t.Errorf("got %+v, want item 2 must be an integer with value x", errs)
	}
	_, _, errs = bindField[sliceInput](t, "TagsCSV", "a,,b")
	if len(errs) != 1 || errs[0].Detail != "item 2 is empty" {
		t.Errorf("got %+v, want item 2 is empty", errs)
	}
	_, _, errs = bindField[sliceInput](t, "IntsCSV", strings.Repeat("x,", 50)+"x")
	if got, want := len(errs), maxItemReports; got != want {
		t.Errorf("got %v failures, want %v", got, want)
	}
}

// TestBindSliceOneAllocation checks that a slice of a built-in type costs
// one allocation: its backing array.
func TestBindSliceOneAllocation(t *testing.T) {
	p := compileField[sliceInput](t, "Ints")
	vals := []string{"1", "2", "3"}
	var in sliceInput
	var path verr.Path
	var errs verr.List
	got := testing.AllocsPerRun(100, func() {
		p.Bind(vals, unsafe.Pointer(&in), &path, &errs)
	})
	if got != 1 {
		t.Errorf("got %v allocs, want 1", got)
	}
}
