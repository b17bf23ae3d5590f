package bind

import (
	"math"
	"net/netip"
	"reflect"
	"testing"
	"time"
)

type color string

type level int8

type scalars struct {
	S     string      `query:"s"`
	B     bool        `query:"b"`
	I     int         `query:"i"`
	I8    int8        `query:"i8"`
	I16   int16       `query:"i16"`
	I32   int32       `query:"i32"`
	I64   int64       `query:"i64"`
	U     uint        `query:"u"`
	U8    uint8       `query:"u8"`
	U16   uint16      `query:"u16"`
	U32   uint32      `query:"u32"`
	U64   uint64      `query:"u64"`
	Uptr  uintptr     `query:"uptr"`
	F32   float32     `query:"f32"`
	F64   float64     `query:"f64"`
	T     time.Time   `query:"t"`
	IP    netip.Addr  `query:"ip"`
	Color color       `query:"color" enum:"red,green"`
	Level level       `query:"level"`
	Bytes []byte      `query:"bytes"`
	PI    *int        `query:"pi"`
	PT    *time.Time  `query:"pt"`
	PIP   *netip.Addr `query:"pip"`
	PS    *string     `query:"ps"`
}

func TestBindScalar(t *testing.T) {
	t.Parallel()
	ts := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tt := range []struct {
		name, field string
		vals        []string
		want        any    // the field's value when code is ""
		code        string // the failure code
	}{
		{"string", "S", []string{"héllo, world"}, "héllo, world", ""},
		{"string empty", "S", []string{""}, "", ""},
		{"string first of many", "S", []string{"a", "b"}, "a", ""},
		{"bool true", "B", []string{"true"}, true, ""},
		{"bool 1", "B", []string{"1"}, true, ""},
		{"bool F", "B", []string{"F"}, false, ""},
		{"bool yes", "B", []string{"yes"}, nil, "type"},
		{"bool empty", "B", []string{""}, nil, "type"},
		{"int", "I", []string{"-42"}, -42, ""},
		{"int plus", "I", []string{"+42"}, 42, ""},
		{"int max", "I", []string{"9223372036854775807"}, math.MaxInt, ""},
		{"int overflow", "I", []string{"9223372036854775808"}, nil, "maximum"},
		{"int underflow", "I", []string{"-9223372036854775809"}, nil, "minimum"},
		{"int empty", "I", []string{""}, nil, "type"},
		{"int float", "I", []string{"1.5"}, nil, "type"},
		{"int hex", "I", []string{"0x10"}, nil, "type"},
		{"int underscore", "I", []string{"1_000"}, nil, "type"},
		{"int space", "I", []string{" 1"}, nil, "type"},
		{"int8 overflow then junk", "I8", []string{"700A"}, nil, "type"},
		{"int overflow then junk", "I", []string{"99999999999999999999x"}, nil, "type"},
		{"uint overflow then junk", "U", []string{"99999999999999999999x"}, nil, "type"},
		{"int8 max", "I8", []string{"127"}, int8(127), ""},
		{"int8 min", "I8", []string{"-128"}, int8(-128), ""},
		{"int8 over", "I8", []string{"128"}, nil, "maximum"},
		{"int8 under", "I8", []string{"-129"}, nil, "minimum"},
		{"int16 over", "I16", []string{"32768"}, nil, "maximum"},
		{"int16 min", "I16", []string{"-32768"}, int16(-32768), ""},
		{"int32 max", "I32", []string{"2147483647"}, int32(math.MaxInt32), ""},
		{"int32 over", "I32", []string{"2147483648"}, nil, "maximum"},
		{"int64 min", "I64", []string{"-9223372036854775808"}, int64(math.MinInt64), ""},
		{"uint", "U", []string{"18446744073709551615"}, uint(math.MaxUint), ""},
		{"uint plus", "U", []string{"+7"}, uint(7), ""},
		{"uint -1", "U", []string{"-1"}, nil, "minimum"},
		{"uint -0", "U", []string{"-0"}, uint(0), ""},
		{"uint huge negative", "U", []string{"-99999999999999999999"}, nil, "minimum"},
		{"uint minus", "U", []string{"-"}, nil, "type"},
		{"uint plus minus", "U", []string{"+-1"}, nil, "type"},
		{"uint over", "U", []string{"18446744073709551616"}, nil, "maximum"},
		{"uint8 max", "U8", []string{"255"}, uint8(255), ""},
		{"uint8 over", "U8", []string{"256"}, nil, "maximum"},
		{"uint16 over", "U16", []string{"65536"}, nil, "maximum"},
		{"uint32 max", "U32", []string{"4294967295"}, uint32(math.MaxUint32), ""},
		{"uint32 over", "U32", []string{"4294967296"}, nil, "maximum"},
		{"uint64 max", "U64", []string{"18446744073709551615"}, uint64(math.MaxUint64), ""},
		{"uintptr", "Uptr", []string{"12"}, uintptr(12), ""},
		{"float32", "F32", []string{"1.5"}, float32(1.5), ""},
		{"float32 max", "F32", []string{"3.4028235e38"}, float32(math.MaxFloat32), ""},
		{"float32 over", "F32", []string{"3.5e38"}, nil, "maximum"},
		{"float32 under", "F32", []string{"-1e39"}, nil, "minimum"},
		{"float32 tiny", "F32", []string{"1e-50"}, float32(0), ""},
		{"float64", "F64", []string{"-2.5e-3"}, -2.5e-3, ""},
		{"float64 int", "F64", []string{"10"}, 10.0, ""},
		{"float64 over", "F64", []string{"1e309"}, nil, "maximum"},
		{"float64 NaN", "F64", []string{"NaN"}, nil, "type"},
		{"float64 inf", "F64", []string{"-Inf"}, nil, "type"},
		{"float64 empty", "F64", []string{""}, nil, "type"},
		{"float64 hex", "F64", []string{"0x1p-2"}, nil, "type"},
		{"float64 underscore", "F64", []string{"1_000.5"}, nil, "type"},
		{"float64 leading dot", "F64", []string{".5"}, 0.5, ""},
		{"float64 word", "F64", []string{"ten"}, nil, "type"},
		{"time", "T", []string{"2024-01-02T03:04:05Z"}, ts, ""},
		{"time offset", "T", []string{"2024-01-02T05:04:05+02:00"}, ts, ""},
		{"time date only", "T", []string{"2024-01-02"}, nil, "format"},
		{"time bad offset", "T", []string{"2024-01-02T03:04:05+25:00"}, nil, "format"},
		{"time empty", "T", []string{""}, nil, "format"},
		{"ip v4", "IP", []string{"10.1.2.3"}, netip.MustParseAddr("10.1.2.3"), ""},
		{"ip v6", "IP", []string{"::1"}, netip.MustParseAddr("::1"), ""},
		{"ip bad", "IP", []string{"10.1.2.300"}, nil, "format"},
		{"enum member", "Color", []string{"red"}, color("red"), ""},
		{"enum non-member is the validator's job", "Color", []string{"blue"}, color("blue"), ""},
		{"named int8", "Level", []string{"-3"}, level(-3), ""},
		{"named int8 over", "Level", []string{"200"}, nil, "maximum"},
		{"bytes base64", "Bytes", []string{"aGk="}, []byte("hi"), ""},
		{"bytes empty", "Bytes", []string{""}, []byte{}, ""},
		{"bytes bad", "Bytes", []string{"hi!"}, nil, "contentEncoding"},
		{"pointer int", "PI", []string{"5"}, ptr(5), ""},
		{"pointer int absent", "PI", nil, (*int)(nil), ""},
		{"pointer int bad", "PI", []string{"x"}, nil, "type"},
		{"pointer time", "PT", []string{"2024-01-02T03:04:05Z"}, &ts, ""},
		{"pointer ip", "PIP", []string{"::1"}, ptr(netip.MustParseAddr("::1")), ""},
		{"pointer string empty", "PS", []string{""}, ptr(""), ""},
		{"absent", "I", nil, 0, ""},
		{"absent empty", "S", []string{}, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok, errs := bindField[scalars](t, tt.field, tt.vals...)
			if tt.code != "" {
				if ok || len(errs) != 1 || errs[0].Code != tt.code {
					t.Fatalf("got ok=%v codes %v, want false [%s]", ok, codes(errs), tt.code)
				}
				return
			}
			if len(errs) != 0 {
				t.Fatalf("got failures %+v, want none", errs)
			}
			if ok != (len(tt.vals) > 0) {
				t.Errorf("got ok=%v, want %v", ok, len(tt.vals) > 0)
			}
			if tg, ok := got.(time.Time); ok {
				if !tg.Equal(tt.want.(time.Time)) {
					t.Errorf("got %v, want %v", tg, tt.want)
				}
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestBindFailureReport(t *testing.T) {
	t.Parallel()
	long := string(make([]byte, 100))
	for _, tt := range []struct {
		name, field string
		vals        []string
		detail      string
		value       any // nil: not echoed
	}{
		{"int8 over", "I8", []string{"128"}, "must be at most 127", "128"},
		{"int8 under", "I8", []string{"-129"}, "must be at least -128", "-129"},
		{"uint negative", "U16", []string{"-1"}, "must be at least 0", "-1"},
		{"int syntax", "I", []string{"abc"}, "must be an integer", "abc"},
		{"float32 over", "F32", []string{"1e39"}, "must be at most 3.4028235e+38", "1e39"},
		{"not finite", "F64", []string{"inf"}, "must be a finite number", "inf"},
		{"bool", "B", []string{"no way"}, "must be a boolean (true or false)", "no way"},
		{"time", "T", []string{"yesterday"}, "must be an RFC 3339 date-time such as 2006-01-02T15:04:05Z", "yesterday"},
		{"ip", "IP", []string{"x"}, `is not valid: ParseAddr("x"): unable to parse IP`, "x"},
		{"long not echoed", "I", []string{long}, "must be an integer", nil},
		{"long ip hides error text", "IP", []string{long}, "is not valid", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, errs := bindField[scalars](t, tt.field, tt.vals...)
			if len(errs) != 1 {
				t.Fatalf("got %d failures, want 1", len(errs))
			}
			e := errs[0]
			p := compileField[scalars](t, tt.field)
			if e.Parameter != p.Name || e.In != "query" || e.Pointer != "" {
				t.Errorf("got parameter %q in %q pointer %q, want %q in query", e.Parameter, e.In, e.Pointer, p.Name)
			}
			if e.Detail != tt.detail {
				t.Errorf("got detail %q, want %q", e.Detail, tt.detail)
			}
			if e.HasValue != (tt.value != nil) || e.Value != tt.value {
				t.Errorf("got value %v (%v), want %v", e.Value, e.HasValue, tt.value)
			}
		})
	}
}
