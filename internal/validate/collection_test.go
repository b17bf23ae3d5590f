package validate

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

type point struct {
	X, Y *int
}

type lists struct {
	Tags   []string        `json:"tags" minItems:"1" maxItems:"3" uniqueItems:"true"`
	Nums   []int           `json:"nums,omitempty" uniqueItems:"true"`
	Points []point         `json:"points,omitempty" uniqueItems:"true"`
	Pair   [2]float64      `json:"pair" uniqueItems:"true"`
	Props  map[string]int  `json:"props" minProperties:"1" maxProperties:"2"`
	Scores map[string]int  `json:"scores,omitempty" minimum:"0"`
	Items  map[string]item `json:"items,omitempty"`
}

func validLists() lists {
	return lists{Tags: []string{"a"}, Pair: [2]float64{1, 2}, Props: map[string]int{"a": 1}}
}

func TestCollections(t *testing.T) {
	t.Parallel()
	v := compileFor[lists](t)
	one, one2, two := 1, 1, 2
	many := make([]int, 40)
	for i := range many {
		many[i] = i
	}
	manyDup := append(append([]int(nil), many...), 17)
	for _, tt := range []struct {
		name string
		edit func(*lists)
		want []string
	}{
		{"valid", func(*lists) {}, nil},
		{"minItems 1: empty fails", func(l *lists) { l.Tags = []string{} }, []string{"/tags minItems"}},
		{"minItems 1: nil fails (required)", func(l *lists) { l.Tags = nil }, []string{"/tags minItems"}},
		{"maxItems 3: 4 fail", func(l *lists) { l.Tags = []string{"a", "b", "c", "d"} }, []string{"/tags maxItems"}},
		{"uniqueItems strings", func(l *lists) { l.Tags = []string{"a", "b", "a"} }, []string{"/tags uniqueItems"}},
		{"uniqueItems ints, many", func(l *lists) { l.Nums = many }, nil},
		{"uniqueItems ints, many with a duplicate", func(l *lists) { l.Nums = manyDup }, []string{"/nums uniqueItems"}},
		{"uniqueItems structs: equal pointees", func(l *lists) { l.Points = []point{{&one, &two}, {&one2, &two}} }, []string{"/points uniqueItems"}},
		{"uniqueItems structs: distinct", func(l *lists) { l.Points = []point{{&one, &two}, {&two, &one}, {nil, &one}} }, nil},
		{"uniqueItems array", func(l *lists) { l.Pair = [2]float64{0, 0} }, []string{"/pair uniqueItems"}},
		{"minProperties 1: empty map fails", func(l *lists) { l.Props = map[string]int{} }, []string{"/props minProperties"}},
		{"maxProperties 2: 3 fail", func(l *lists) { l.Props = map[string]int{"a": 1, "b": 2, "c": 3} }, []string{"/props maxProperties"}},
		{"map values, sorted by key", func(l *lists) { l.Scores = map[string]int{"z": -1, "a/b": -2, "ok": 1, "c~": -3} },
			[]string{"/scores/a~1b minimum", "/scores/c~0 minimum", "/scores/z minimum"}},
		{"map of structs", func(l *lists) { l.Items = map[string]item{"x": {Name: "", Qty: 1}} }, []string{"/items/x/name minLength"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := validLists()
			tt.edit(&in)
			if diff := cmp.Diff(tt.want, where(failures(v, in))); diff != "" {
				t.Errorf("failures (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUniqueItemsDetail(t *testing.T) {
	t.Parallel()
	v := compileFor[lists](t)
	in := validLists()
	in.Tags = []string{"a", "b", "b"}
	got := failures(v, in)
	if len(got) != 1 || got[0].Detail != "must not contain duplicate items (items 1 and 2 are equal)" || got[0].HasValue {
		t.Errorf("got %+v, want one uniqueItems failure naming items 1 and 2, without a value", got)
	}
}

type filter struct {
	A string `json:"a,omitempty"`
	B *int   `json:"b,omitempty"`
	C int    `json:"c,omitempty"`
	D bool   `json:"d"` // required: always present
}

type query struct {
	F filter `json:"f" minProperties:"2" maxProperties:"3"`
}

func TestStructProperties(t *testing.T) {
	t.Parallel()
	v := compileFor[query](t)
	zero := 0
	for _, tt := range []struct {
		name string
		in   filter
		want []string
	}{
		{"only the required member", filter{}, []string{"/f minProperties"}},
		{"a nil pointer is absent", filter{B: nil}, []string{"/f minProperties"}},
		{"a pointer to zero is present", filter{B: &zero}, nil},
		{"a non-zero member is present", filter{A: "x"}, nil},
		{"all four", filter{A: "x", B: &zero, C: 1}, []string{"/f maxProperties"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, where(failures(v, query{tt.in}))); diff != "" {
				t.Errorf("failures (-want +got):\n%s", diff)
			}
		})
	}
}
