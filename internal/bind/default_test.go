package bind

import (
	"net/netip"
	"reflect"
	"testing"
	"time"
	"unsafe"

	"github.com/roux-go/roux/internal/verr"
)

type defaults struct {
	Limit  int          `query:"limit" default:"20"`
	Sort   color        `query:"sort" enum:"red,green" default:"green"`
	Ratio  float32      `query:"ratio" default:"0.5"`
	On     bool         `query:"on" default:"true"`
	Tags   []string     `query:"tags" default:"a,b"`
	Nums   []int        `query:"nums" explode:"false" default:"[1,2,3]"`
	Big    []uint64     `query:"big" default:"18446744073709551615"`
	PL     *int         `query:"pl" default:"7"`
	PTags  *[]string    `query:"pt" default:"x"`
	IP     netip.Addr   `query:"ip" default:"10.0.0.1"`
	IPs    []netip.Addr `query:"ips" default:"::1,10.0.0.2"`
	When   time.Time    `query:"when" default:"2024-01-02T03:04:05Z"`
	Raw    []byte       `query:"raw" default:"aGk="`
	Tenant string       `header:"X-Tenant" required:"true"`
	ID     int          `path:"id"`
}

func TestBindDefault(t *testing.T) {
	t.Parallel()
	when := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tt := range []struct {
		field string
		want  any
	}{
		{"Limit", 20},
		{"Sort", color("green")},
		{"Ratio", float32(0.5)},
		{"On", true},
		{"Tags", []string{"a", "b"}},
		{"Nums", []int{1, 2, 3}},
		{"Big", []uint64{18446744073709551615}},
		{"PL", ptr(7)},
		{"PTags", &[]string{"x"}},
		{"IP", netip.MustParseAddr("10.0.0.1")},
		{"IPs", []netip.Addr{netip.MustParseAddr("::1"), netip.MustParseAddr("10.0.0.2")}},
		{"When", when},
		{"Raw", []byte("hi")},
	} {
		t.Run(tt.field, func(t *testing.T) {
			t.Parallel()
			got, ok, errs := bindField[defaults](t, tt.field)
			if !ok || len(errs) != 0 {
				t.Fatalf("got ok=%v failures %v, want true none", ok, errs)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
			// A present value wins over the default.
			if _, ok, errs := bindField[defaults](t, tt.field, "zzz"); ok == (len(errs) > 0) {
				t.Errorf("got ok=%v with failures %v", ok, errs)
			}
		})
	}
}

// TestBindDefaultNotShared checks that each Bind gets its own copy of a
// default: a handler changing its input must not change the next one's.
func TestBindDefaultNotShared(t *testing.T) {
	t.Parallel()
	var path verr.Path
	var errs verr.List
	var a, b defaults
	for _, f := range []string{"Tags", "Nums", "PL", "PTags", "Raw", "IPs"} {
		p := compileField[defaults](t, f)
		p.Bind(nil, unsafe.Pointer(&a), &path, &errs)
		p.Bind(nil, unsafe.Pointer(&b), &path, &errs)
	}
	a.Tags[0], a.Nums[0], *a.PL, (*a.PTags)[0], a.Raw[0], a.IPs[0] = "changed", 99, 99, "changed", '!', netip.Addr{}
	for _, tt := range []struct {
		name      string
		got, want any
	}{
		{"Tags", b.Tags[0], "a"},
		{"Nums", b.Nums[0], 1},
		{"PL", *b.PL, 7},
		{"PTags", (*b.PTags)[0], "x"},
		{"Raw", b.Raw[0], byte('h')},
		{"IPs", b.IPs[0], netip.MustParseAddr("::1")},
	} {
		if tt.got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	if len(errs.Items) != 0 {
		t.Errorf("got failures %v, want none", errs.Items)
	}
}

func TestBindRequired(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		field, param, in, detail string
	}{
		{"Tenant", "X-Tenant", "header", `required header parameter "X-Tenant" is missing`},
		{"ID", "id", "path", `required path parameter "id" is missing`},
	} {
		t.Run(tt.field, func(t *testing.T) {
			t.Parallel()
			_, ok, errs := bindField[defaults](t, tt.field)
			want := []verr.Error{{Detail: tt.detail, Parameter: tt.param, In: tt.in, Code: "required"}}
			if ok || !reflect.DeepEqual(errs, want) {
				t.Errorf("got %v %+v, want false %+v", ok, errs, want)
			}
		})
	}
}
