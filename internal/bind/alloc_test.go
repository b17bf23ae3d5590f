package bind

import (
	"testing"
	"unsafe"

	"github.com/roux-go/roux/internal/verr"
)

type allocInput struct {
	ID    int64    `path:"id"`
	On    bool     `query:"on"`
	Ratio float64  `query:"ratio"`
	Name  string   `query:"name"`
	Limit int      `query:"limit" default:"20"`
	Tags  []string `query:"tags"`
}

func TestBindAllocs(t *testing.T) {
	for _, tt := range []struct {
		field string
		vals  []string
		want  float64
	}{
		{"ID", []string{"12345"}, 0},
		{"On", []string{"true"}, 0},
		{"Ratio", []string{"0.25"}, 0},
		{"Name", []string{"soup"}, 0},
		{"Limit", nil, 0}, // the default is copied in
		{"Tags", []string{"a", "b"}, 1},
	} {
		t.Run(tt.field, func(t *testing.T) {
			p := compileField[allocInput](t, tt.field)
			var in allocInput
			var path verr.Path
			var errs verr.List
			got := testing.AllocsPerRun(100, func() {
				if !p.Bind(tt.vals, unsafe.Pointer(&in), &path, &errs) {
					t.Fatal("bind failed")
				}
			})
			if got != tt.want {
				t.Errorf("got %v allocs, want %v", got, tt.want)
			}
		})
	}
}

type benchInput struct {
	ID    int64  `path:"id"`
	Limit int    `query:"limit"`
	Sort  string `query:"sort"`
}

func BenchmarkBindPathInt(b *testing.B) {
	p := compileField[benchInput](b, "ID")
	vals := []string{"1234567"}
	var in benchInput
	var path verr.Path
	var errs verr.List
	b.ReportAllocs()
	for b.Loop() {
		p.Bind(vals, unsafe.Pointer(&in), &path, &errs)
	}
}

func BenchmarkBindQueryTwo(b *testing.B) {
	limit, sort := compileField[benchInput](b, "Limit"), compileField[benchInput](b, "Sort")
	lv, sv := []string{"50"}, []string{"name"}
	var in benchInput
	var path verr.Path
	var errs verr.List
	b.ReportAllocs()
	for b.Loop() {
		limit.Bind(lv, unsafe.Pointer(&in), &path, &errs)
		sort.Bind(sv, unsafe.Pointer(&in), &path, &errs)
	}
}
