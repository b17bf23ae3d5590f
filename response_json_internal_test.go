package roux

import (
	"github.com/roux-go/roux/internal/wire"
	"math"
	"reflect"
	"testing"
	"time"
	"unsafe"

	"github.com/go-json-experiment/json"
	"github.com/google/go-cmp/cmp"
)

type flatName string

type flatInner struct {
	Note string `json:"note,omitempty"`
	N    int8
}

// flatAll has a member of every kind the flat encoding compiles, with
// and without omitempty and omitzero, renamed and not.
type flatAll struct {
	S      string `json:"s"`
	SE     string `json:"se,omitempty"`
	SZ     string `json:",omitzero"`
	B      bool   `json:"b"`
	BE     bool   `json:"be,omitempty"`
	I      int    `json:"i"`
	IE     int    `json:"ie,omitempty"`
	I8     int8
	I16    int16 `json:"i16"`
	I32    int32
	I64    int64 `json:"i64,omitzero"`
	U      uint
	U8     uint8 `json:"u8"`
	U16    uint16
	U32    uint32 `json:"u32,omitempty"`
	U64    uint64
	Named  flatName
	Skip   string `json:"-"`
	Dash   string `json:"-,omitempty"`
	Odd    string `json:"a<b>&c d"`
	Uni    string `json:"café"`
	hidden string
	Unseen string    `json:"-"`
	In     flatInner `json:"in"`
}

type flatOnlyOmitted struct {
	A string `json:"a,omitempty"`
	B int    `json:"b,omitzero"`
}

type flatEmpty struct{}

func fillFlat(s1, s2 string, i int64, u uint64, b bool) flatAll {
	return flatAll{
		S: s1, SE: s1, SZ: s2, B: b, BE: b, I: int(i), IE: int(i), I8: int8(i), I16: int16(i), I32: int32(i), I64: i,
		U: uint(u), U8: uint8(u), U16: uint16(u), U32: uint32(u), U64: u,
		Named: flatName(s1), Skip: s1, Dash: s2, Odd: s1, Uni: s2, hidden: s1, Unseen: s2,
		In: flatInner{Note: s2, N: int8(u)},
	}
}

// checkFlat compares the flat encoding of v with json.Marshal's under
// the options of every response.
func checkFlat[T any](t *testing.T, v T) {
	t.Helper()
	enc := compileFlatJSON(reflect.TypeFor[T]())
	if enc == nil {
		t.Fatalf("%T is not compiled as flat", v)
	}
	want, err := json.Marshal(&v, wire.JSON)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	got := enc.appendTo([]byte("prefix"), unsafe.Pointer(&v))
	if got == nil {
		t.Fatalf("the flat encoding of %#v refused a value json.Marshal took", v)
	}
	if diff := cmp.Diff("prefix"+string(want), string(got)); diff != "" {
		t.Errorf("flat encoding of %#v differs from json.Marshal (-want +got):\n%s", v, diff)
	}
}

// flatStation is a named string with a method the encoder does not call,
// as the kitchen's Station has for its schema's enum.
type flatStation string

func (flatStation) Enum() []flatStation { return []flatStation{"grill", "wok"} }

// flatLine and flatOrder have the shapes of the kitchen's order: times, a
// slice of structs, a slice of strings.
type flatLine struct {
	Line    int         `json:"line"`
	DishID  int64       `json:"dish_id,omitempty"`
	Name    string      `json:"name"`
	Station flatStation `json:"station"`
}

type flatOrder struct {
	ID        int64      `json:"id"`
	Note      string     `json:"note,omitempty"`
	Items     []flatLine `json:"items"`
	Tags      []string   `json:"tags"`
	Counts    []int32
	Flags     []bool    `json:"flags"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time
}

func TestFlatJSONCollectionsAndTimes(t *testing.T) {
	t.Parallel()
	utc := time.Date(2026, 12, 6, 5, 57, 1, 123456789, time.UTC)
	for _, tt := range []struct {
		name string
		v    flatOrder
	}{
		{"zero: nil slices are [], the zero time", flatOrder{}},
		{"empty slices", flatOrder{Items: []flatLine{}, Tags: []string{}, Counts: []int32{}, Flags: []bool{}}},
		{"an order", flatOrder{ID: 7, Note: "no onions", Items: []flatLine{{Line: 1, DishID: 4, Name: "Steak", Station: "grill"}, {Line: 2, Name: "<soup> & \"bread\"\n"}},
			Tags: []string{"vegan", "caf\xe9"}, Counts: []int32{-1, 0, 2147483647}, Flags: []bool{true, false},
			CreatedAt: utc, UpdatedAt: utc.Add(time.Millisecond)}},
		{"whole seconds", flatOrder{CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}},
		{"an offset", flatOrder{CreatedAt: utc.In(time.FixedZone("", -(9*3600 + 30*60))), UpdatedAt: utc.In(time.FixedZone("X", 14*3600))}},
		{"year 0 and 9999", flatOrder{CreatedAt: time.Date(0, 1, 1, 0, 0, 0, 1, time.UTC), UpdatedAt: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkFlat(t, tt.v)
		})
	}
}

// TestFlatJSONRefusedTimes: a time the encoder refuses makes the flat
// encoding return nil, so that the encoder answers with its error.
func TestFlatJSONRefusedTimes(t *testing.T) {
	t.Parallel()
	enc := compileFlatJSON(reflect.TypeFor[flatOrder]())
	for _, tt := range []struct {
		name string
		at   time.Time
	}{
		{"year 10000", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"year -1", time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"offset of 24 hours", time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", 24*3600))},
		{"offset of 100 hours", time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", -100*3600))},
	} {
		v := flatOrder{Items: []flatLine{{Line: 1}}}
		v.Items[0].Name = "x"
		v.UpdatedAt = tt.at
		if _, err := json.Marshal(&v, wire.JSON); err == nil {
			t.Errorf("%s: json.Marshal took it; this test expects a refusal", tt.name)
		}
		if enc.appendTo(nil, unsafe.Pointer(&v)) != nil {
			t.Errorf("%s: the flat encoding took a time json.Marshal refuses", tt.name)
		}
	}
}

func TestFlatJSONMatchesEncoder(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		s1, s2 string
		i      int64
		u      uint64
		b      bool
	}{
		{name: "zero"},
		{name: "plain", s1: "Hello, World!", s2: "x", i: 42, u: 7, b: true},
		{name: "negative", s1: "a", i: -1, u: 1},
		{name: "extremes", i: math.MinInt64, u: math.MaxUint64},
		{name: "max", i: math.MaxInt64, u: math.MaxUint32},
		{name: "escapes", s1: "quote \" backslash \\ newline \n tab \t nul \x00 del \x7f", s2: "\x1f\b\f\r"},
		{name: "html", s1: "<script>&amp;</script>", s2: "a>b"},
		{name: "unicode", s1: "café ☕ 𝄞", s2: "line\u2028sep\u2029"},
		{name: "invalid UTF-8", s1: "bad \xff\xfe byte", s2: "\xc3"},
		{name: "replacement char", s1: "\ufffd", s2: "\xed\xa0\x80"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkFlat(t, fillFlat(tt.s1, tt.s2, tt.i, tt.u, tt.b))
		})
	}
	checkFlat(t, flatOnlyOmitted{})
	checkFlat(t, flatOnlyOmitted{A: "a", B: 1})
	checkFlat(t, flatEmpty{})
	checkFlat(t, flatInner{N: -3})
}

func FuzzFlatJSON(f *testing.F) {
	f.Add("Hello, World!", "", int64(1), uint64(2), true)
	f.Add("\xff<&>\"\\\n", "\u2028", int64(-9), uint64(0), false)
	f.Fuzz(func(t *testing.T, s1, s2 string, i int64, u uint64, b bool) {
		checkFlat(t, fillFlat(s1, s2, i, u, b))
		// The same values in collections and times: seconds from i (a
		// year within the encoder's range), nanoseconds and a zone offset
		// of under a day from u.
		at := time.Unix(i%253402300800, int64(u%1e9)).In(time.FixedZone(s2, int(u%86400)-43200))
		if at.Year() < 0 {
			at = at.AddDate(1970, 0, 0)
		}
		checkFlat(t, flatOrder{ID: i, Note: s1, Items: []flatLine{{Line: int(i), Name: s1, Station: flatStation(s2)}, {DishID: i}},
			Tags: []string{s1, s2}, Counts: []int32{int32(i), int32(u)}, Flags: []bool{b, !b}, CreatedAt: at, UpdatedAt: at.UTC()})
	})
}

type flatStringer struct{ A string }

func (flatStringer) String() string { return "" }

type flatNamedWithMethod string

func (flatNamedWithMethod) MarshalText() ([]byte, error) { return []byte("x"), nil }

type flatZeroer string

func (flatZeroer) IsZero() bool { return false }

type flatSlice []string

func (flatSlice) MarshalJSON() ([]byte, error) { return []byte("0"), nil }

type flatEmbedded struct {
	flatInner
	A string
}

// TestCompileFlatJSON checks which types the flat encoding takes on;
// every other one is left to json.MarshalWrite.
func TestCompileFlatJSON(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		typ  reflect.Type
		flat bool
	}{
		{reflect.TypeFor[flatAll](), true},
		{reflect.TypeFor[flatEmpty](), true},
		{reflect.TypeFor[struct {
			A string `json:"a"`
			b int
		}](), true},
		{reflect.TypeFor[string](), false},
		{reflect.TypeFor[*flatInner](), false},
		{reflect.TypeFor[[]flatInner](), false},
		{reflect.TypeFor[map[string]string](), false},
		{reflect.TypeFor[flatStringer](), true}, // String is no method of the encoder's
		{reflect.TypeFor[flatOrder](), true},
		{reflect.TypeFor[flatEmbedded](), false},
		{reflect.TypeFor[struct{ F float64 }](), false},
		{reflect.TypeFor[struct{ P *string }](), false},
		{reflect.TypeFor[struct{ S []string }](), true},
		{reflect.TypeFor[struct{ T time.Time }](), true},
		{reflect.TypeFor[struct{ S []flatStation }](), true},
		{reflect.TypeFor[struct{ D time.Duration }](), false},
		{reflect.TypeFor[struct{ D []time.Duration }](), false},
		{reflect.TypeFor[struct{ M time.Month }](), false},
		{reflect.TypeFor[struct{ T []time.Time }](), false},
		{reflect.TypeFor[struct{ T *time.Time }](), false},
		{reflect.TypeFor[struct {
			T time.Time `json:"t,omitzero"`
		}](), false},
		{reflect.TypeFor[struct {
			S []string `json:"s,omitempty"`
		}](), false},
		{reflect.TypeFor[struct{ B []byte }](), false},
		{reflect.TypeFor[struct{ F []float64 }](), false},
		{reflect.TypeFor[struct{ P []*flatInner }](), false},
		{reflect.TypeFor[struct{ S [][]string }](), false},
		{reflect.TypeFor[struct{ A [2]string }](), false},
		{reflect.TypeFor[struct{ S []flatNamedWithMethod }](), false},
		{reflect.TypeFor[struct{ S flatZeroer }](), false},
		{reflect.TypeFor[struct{ S flatSlice }](), false},
		{reflect.TypeFor[struct{ S []flatEmbedded }](), false},
		{reflect.TypeFor[struct{ N flatNamedWithMethod }](), false},
		{reflect.TypeFor[struct{ N flatStringer }](), true},
		{reflect.TypeFor[struct{ A any }](), false},
		{reflect.TypeFor[struct{ U uintptr }](), false},
		{reflect.TypeFor[struct {
			I int `json:"i,string"`
		}](), false},
		{reflect.TypeFor[struct {
			S string `json:"s,omitempty,omitzero"`
		}](), false},
		{reflect.TypeFor[struct {
			S string `json:"s,format:x"`
		}](), false},
		{reflect.TypeFor[struct {
			S string `json:"s,"`
		}](), false},
		{reflect.TypeFor[struct {
			S string `json:"'quoted,name'"`
		}](), false},
		{reflect.TypeFor[struct {
			In flatInner `json:"in,omitzero"`
		}](), false},
		{reflect.TypeFor[struct{ a string }](), false},
	} {
		t.Run(tt.typ.String(), func(t *testing.T) {
			t.Parallel()
			if got := compileFlatJSON(tt.typ) != nil; got != tt.flat {
				t.Errorf("compileFlatJSON(%v) != nil = %v, want %v", tt.typ, got, tt.flat)
			}
		})
	}
}
