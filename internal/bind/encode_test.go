package bind

import (
	"math"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux/internal/verr"
	"github.com/roux-go/roux/schema"
)

type shade string

type encInput struct {
	S    string       `query:"s"`
	SP   *string      `query:"sp"`
	SR   string       `query:"sr" required:"true"`
	SH   string       `header:"X-S"`
	SC   string       `cookie:"sc"`
	Path string       `path:"p"`
	Col  shade        `query:"col"`
	I8   int8         `query:"i8"`
	I    int          `header:"X-I"`
	I64  int64        `cookie:"i64"`
	U8   uint8        `query:"u8"`
	U64  uint64       `query:"u64"`
	UP   *uint32      `query:"up"`
	F32  float32      `query:"f32"`
	F64  float64      `header:"X-F64"`
	B    bool         `query:"b"`
	BP   *bool        `query:"bp"`
	T    time.Time    `query:"t"`
	By   []byte       `cookie:"by"`
	Addr netip.Addr   `query:"addr"`
	SS   []string     `query:"ss"`
	SSC  []string     `query:"ssc" explode:"false"`
	HS   []string     `header:"X-HS"`
	CS   []int64      `cookie:"cs"`
	TS   []time.Time  `query:"ts"`
	PS   *[]float64   `query:"ps" explode:"false"`
	AS   []netip.Addr `query:"as"`
	Def  int          `query:"def" default:"10"`
}

// compileAll compiles every field of T and its encoder.
func compileAll[T any](t testing.TB) ([]*Param, []*Encoder) {
	t.Helper()
	rt := reflect.TypeFor[T]()
	reg := schema.NewRegistry()
	var ps []*Param
	var es []*Encoder
	for i := range rt.NumField() {
		p, err := Compile(rt.Field(i), reg)
		if err != nil {
			t.Fatalf("Compile(%s): %v", rt.Field(i).Name, err)
		}
		e, err := p.Encoder()
		if err != nil {
			t.Fatalf("Encoder(%s): %v", rt.Field(i).Name, err)
		}
		ps, es = append(ps, p), append(es, e)
	}
	return ps, es
}

// roundTrip encodes every field of in and binds the values into a fresh
// struct. It returns that struct, the values sent per field and the
// encoding errors per field.
func roundTrip(t *testing.T, in *encInput, ps []*Param, es []*Encoder) (*encInput, map[string][]string, map[string]error) {
	t.Helper()
	out := new(encInput)
	sent, errs := map[string][]string{}, map[string]error{}
	for i, e := range es {
		vals, err := e.Encode(unsafe.Pointer(in), nil)
		if err != nil {
			errs[ps[i].Name] = err
			continue
		}
		sent[ps[i].Name] = vals
		var path verr.Path
		var fails verr.List
		ps[i].Bind(vals, unsafe.Pointer(out), &path, &fails)
		if fails.Len() > 0 && !(ps[i].Required && len(vals) == 0) {
			t.Fatalf("%s: binding %q, which Encode made: %v", ps[i].Name, vals, fails.Items)
		}
	}
	return out, sent, errs
}

func TestEncodeRoundTrip(t *testing.T) {
	t.Parallel()
	ps, es := compileAll[encInput](t)
	s, u, b := "héllo wörld", uint32(0), false
	fl := []float64{1.5, -2, 1e300}
	in := &encInput{
		S: "a,b&c=d", SP: &s, SR: "", SH: "v a l", SC: "x y,z", Path: "a/b c", Col: "red",
		I8: -128, I: math.MaxInt, I64: math.MinInt64, U8: 255, U64: math.MaxUint64, UP: &u,
		F32: 3.4e38, F64: -0.1, B: true, BP: &b, T: time.Date(2024, 2, 29, 12, 30, 1, 5, time.FixedZone("", 5*3600+1800)),
		By: []byte{0, 1, 0xfe, 0xff}, Addr: netip.MustParseAddr("::1"),
		SS: []string{"a,b", "", "c"}, SSC: []string{"x", "y"}, HS: []string{"one", "t w o"}, CS: []int64{-1, 0, 1},
		TS: []time.Time{time.Unix(0, 0).UTC()}, PS: &fl, AS: []netip.Addr{netip.MustParseAddr("10.0.0.1")},
	}
	out, sent, errs := roundTrip(t, in, ps, es)
	if len(errs) > 0 {
		t.Fatalf("Encode errors: %v", errs)
	}
	want := *in
	want.Def = 10 // not sent: zero and optional; the server's default applies
	if diff := cmp.Diff(&want, out, addrEqual); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	for _, tt := range []struct {
		name string
		want []string
	}{
		{"sr", []string{""}}, // required: sent even when zero
		{"def", nil},
		{"up", []string{"0"}}, // a pointer is sent even to a zero
		{"bp", []string{"false"}},
		{"ss", []string{"a,b", "", "c"}},
		{"ssc", []string{"x,y"}},
		{"ps", []string{"1.5,-2,1e+300"}},
		{"by", []string{"AAH+/w=="}},
		{"t", []string{"2024-02-29T12:30:01.000000005+05:30"}},
	} {
		if diff := cmp.Diff(tt.want, sent[tt.name]); diff != "" {
			t.Errorf("%s sent (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestEncodePresence(t *testing.T) {
	t.Parallel()
	ps, es := compileAll[encInput](t)
	empty := []float64{}
	_, sent, errs := roundTrip(t, &encInput{Path: "x", SS: []string{}, SSC: []string{}, PS: &empty}, ps, es)
	if len(errs) > 0 {
		t.Fatalf("Encode errors: %v", errs)
	}
	for _, tt := range []struct {
		name string
		want []string
	}{
		{"s", nil}, {"sp", nil}, {"i8", nil}, {"t", nil}, {"by", nil}, {"addr", nil}, {"b", nil},
		{"ss", nil},           // an exploded empty list cannot be sent
		{"ssc", []string{""}}, // a comma-separated one is one empty value
		{"ps", []string{""}},
		{"cs", nil}, // nil: absent
		{"sr", []string{""}},
		{"p", []string{"x"}},
	} {
		if diff := cmp.Diff(tt.want, sent[tt.name]); diff != "" {
			t.Errorf("%s sent (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestEncodeRefuses(t *testing.T) {
	t.Parallel()
	ps, es := compileAll[encInput](t)
	nan := []float64{math.NaN()}
	for _, tt := range []struct {
		name string
		in   encInput
		want string // part of the error
	}{
		{"comma in list item", encInput{SSC: []string{"a,b"}}, `query parameter "ssc": item 1 "a,b" has a comma`},
		{"empty list item", encInput{HS: []string{"a", ""}}, `header parameter "X-HS": item 2 is empty`},
		{"header list item space", encInput{HS: []string{" a"}}, `item 1 " a" starts or ends with white space`},
		{"header space", encInput{SH: "a "}, `header parameter "X-S": "a " starts or ends with white space`},
		{"header newline", encInput{SH: "a\r\nX-Evil: 1"}, `control character '\r'`},
		{"cookie quote", encInput{SC: `a"b`}, `cookie parameter "sc": has the character '"'`},
		{"cookie non-ASCII", encInput{SC: "é"}, `which a cookie value cannot carry`},
		{"NaN", encInput{PS: &nan}, `query parameter "ps": item 1 NaN is not a finite number`},
		{"Inf", encInput{F64: math.Inf(1)}, `+Inf is not a finite number`},
		{"year", encInput{T: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, `query parameter "t": `},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := tt.in
			in.Path = "x"
			_, _, errs := roundTrip(t, &in, ps, es)
			if len(errs) != 1 {
				t.Fatalf("got errors %v, want one", errs)
			}
			for _, err := range errs {
				if !strings.Contains(err.Error(), tt.want) {
					t.Errorf("got %q, want it to contain %q", err, tt.want)
				}
			}
		})
	}
}

var addrEqual = cmp.Comparer(func(a, b netip.Addr) bool { return a == b })

type onlyUnmarshal struct{ v string }

func (o *onlyUnmarshal) UnmarshalText(b []byte) error { o.v = string(b); return nil }

func TestEncoderNeedsMarshalText(t *testing.T) {
	t.Parallel()
	p := compileField[struct {
		X onlyUnmarshal `query:"x"`
	}](t, "X")
	if _, err := p.Encoder(); err == nil || !strings.Contains(err.Error(), "not encoding.TextMarshaler") {
		t.Errorf("got %v, want an error about TextMarshaler", err)
	}
}

// FuzzEncodeRoundTrip checks that whatever Encode sends, Bind reads back
// as the same value, and that Encode refuses only what it must.
func FuzzEncodeRoundTrip(f *testing.F) {
	f.Add("a", int64(1), uint64(2), 1.5, true, []byte("x"), int64(0), int64(0), 0)
	f.Add("a,b", int64(-1), uint64(0), math.NaN(), false, []byte{}, int64(1e10), int64(999), 3600)
	f.Add(" x\t", int64(math.MinInt64), uint64(math.MaxUint64), math.Copysign(0, -1), true, []byte(nil), int64(-62135596801), int64(-1), -59)
	ps, es := compileAll[encInput](f)
	f.Fuzz(func(t *testing.T, s string, i int64, u uint64, fl float64, b bool, by []byte, sec, nsec int64, off int) {
		tm := time.Unix(sec, nsec).In(time.FixedZone("", off%(100*3600)))
		u32 := uint32(u)
		fls := []float64{fl, fl / 3}
		in := &encInput{
			S: s, SP: &s, SR: s, SH: s, SC: s, Path: s, Col: shade(s),
			I8: int8(i), I: int(i), I64: i, U8: uint8(u), U64: u, UP: &u32,
			F32: float32(fl), F64: fl, B: b, BP: &b, T: tm, By: by,
			SS: []string{s, s}, SSC: []string{s, "z"}, HS: []string{s}, CS: []int64{i, -i},
			TS: []time.Time{tm}, PS: &fls, Def: int(i),
		}
		if a, ok := netip.AddrFromSlice(by); ok {
			in.Addr, in.AS = a, []netip.Addr{a, a}
		}
		out, _, errs := roundTrip(t, in, ps, es)
		for name, err := range errs {
			switch name {
			case "s", "sp", "sr", "ss", "col", "i8", "X-I", "i64", "u8", "u64", "up", "b", "bp", "by", "cs", "addr", "as", "def":
				t.Fatalf("%s: unexpected error %v", name, err)
			}
		}
		// Fields that failed to encode were not bound; compare the rest.
		want := *in
		keep := func(name string, dst, src any) {
			if errs[name] != nil {
				reflect.ValueOf(dst).Elem().Set(reflect.ValueOf(src).Elem())
			}
		}
		keep("X-S", &want.SH, &out.SH)
		keep("sc", &want.SC, &out.SC)
		keep("p", &want.Path, &out.Path)
		keep("f32", &want.F32, &out.F32)
		keep("X-F64", &want.F64, &out.F64)
		keep("t", &want.T, &out.T)
		keep("ssc", &want.SSC, &out.SSC)
		keep("X-HS", &want.HS, &out.HS)
		keep("ts", &want.TS, &out.TS)
		keep("ps", &want.PS, &out.PS)
		if in.Def == 0 {
			want.Def = 10
		}
		if diff := cmp.Diff(&want, out, addrEqual); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}
	})
}
