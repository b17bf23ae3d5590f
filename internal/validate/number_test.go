package validate

import (
	"math"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/roux-go/roux/internal/verr"
	"github.com/roux-go/roux/schema"
)

type numbers struct {
	Min   int     `json:"min" minimum:"1"`
	Max   int8    `json:"max" maximum:"10"`
	ExMin float64 `json:"exMin" exclusiveMinimum:"0"`
	ExMax uint16  `json:"exMax" exclusiveMaximum:"100"`
	Mul   int32   `json:"mul" multipleOf:"5"`
	FMul  float64 `json:"fMul" multipleOf:"0.1"`
	F32   float32 `json:"f32" maximum:"0.1"`
	Frac  int     `json:"frac" minimum:"0.5"`
	UMul  uint64  `json:"uMul" multipleOf:"0.5"`
	Enum  int     `json:"enum" enum:"1,2,3"`
	FEnum float64 `json:"fEnum" enum:"0.5,1.5"`
}

func validNumbers() numbers {
	return numbers{Min: 1, Max: 10, ExMin: 0.001, ExMax: 99, Mul: 10, FMul: 0.3, F32: 0.1, Frac: 1, UMul: 3, Enum: 2, FEnum: 1.5}
}

func TestNumbers(t *testing.T) {
	t.Parallel()
	v := compileFor[numbers](t)
	for _, tt := range []struct {
		name string
		edit func(*numbers)
		want []string
	}{
		{"valid", func(*numbers) {}, nil},
		{"minimum 1: 0 fails", func(n *numbers) { n.Min = 0 }, []string{"/min minimum"}},
		{"minimum 1: huge passes", func(n *numbers) { n.Min = math.MaxInt }, nil},
		{"maximum 10: 11 fails", func(n *numbers) { n.Max = 11 }, []string{"/max maximum"}},
		{"maximum 10: -128 passes", func(n *numbers) { n.Max = -128 }, nil},
		{"exclusiveMinimum 0: 0 fails", func(n *numbers) { n.ExMin = 0 }, []string{"/exMin exclusiveMinimum"}},
		{"exclusiveMinimum 0: tiny passes", func(n *numbers) { n.ExMin = 5e-324 }, nil},
		{"exclusiveMinimum 0: NaN fails", func(n *numbers) { n.ExMin = math.NaN() }, []string{"/exMin exclusiveMinimum"}},
		{"exclusiveMaximum 100: 100 fails", func(n *numbers) { n.ExMax = 100 }, []string{"/exMax exclusiveMaximum"}},
		{"multipleOf 5: 7 fails", func(n *numbers) { n.Mul = 7 }, []string{"/mul multipleOf"}},
		{"multipleOf 5: -10 passes", func(n *numbers) { n.Mul = -10 }, nil},
		{"multipleOf 5: MinInt32 fails", func(n *numbers) { n.Mul = math.MinInt32 }, []string{"/mul multipleOf"}},
		{"multipleOf 0.1: 0.7 passes", func(n *numbers) { n.FMul = 0.7 }, nil},
		{"multipleOf 0.1: 1e6+0.1 passes", func(n *numbers) { n.FMul = 1e6 + 0.1 }, nil},
		{"multipleOf 0.1: 0.35 fails", func(n *numbers) { n.FMul = 0.35 }, []string{"/fMul multipleOf"}},
		{"multipleOf 0.1: 1e-13 fails", func(n *numbers) { n.FMul = 1e-13 }, []string{"/fMul multipleOf"}},
		{"float32 maximum 0.1: 0.11 fails", func(n *numbers) { n.F32 = 0.11 }, []string{"/f32 maximum"}},
		{"minimum 0.5 on int: 0 fails", func(n *numbers) { n.Frac = 0 }, []string{"/frac minimum"}},
		{"multipleOf 0.5 on uint: any integer passes", func(n *numbers) { n.UMul = math.MaxUint64 }, nil},
		{"enum: 4 fails", func(n *numbers) { n.Enum = 4 }, []string{"/enum enum"}},
		{"float enum: 1 fails", func(n *numbers) { n.FEnum = 1 }, []string{"/fEnum enum"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := validNumbers()
			tt.edit(&in)
			if diff := cmp.Diff(tt.want, where(failures(v, in))); diff != "" {
				t.Errorf("failures (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNumberDetails(t *testing.T) {
	t.Parallel()
	v := compileFor[numbers](t)
	in := validNumbers()
	in.ExMin, in.ExMax, in.Mul, in.F32, in.Enum = -1, 1000, 3, 0.5, 9
	want := []verr.Error{
		{Detail: "must be greater than 0", Pointer: "/exMin", Code: "exclusiveMinimum", Value: -1.0, HasValue: true},
		{Detail: "must be less than 100", Pointer: "/exMax", Code: "exclusiveMaximum", Value: uint64(1000), HasValue: true},
		{Detail: "must be a multiple of 5", Pointer: "/mul", Code: "multipleOf", Value: int64(3), HasValue: true},
		{Detail: "must be at most 0.1", Pointer: "/f32", Code: "maximum", Value: float32(0.5), HasValue: true},
		{Detail: "must be one of: 1, 2, 3", Pointer: "/enum", Code: "enum", Value: int64(9), HasValue: true},
	}
	if diff := cmp.Diff(want, failures(v, in)); diff != "" {
		t.Errorf("failures (-want +got):\n%s", diff)
	}
}

func TestIntegerBounds(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		typ   reflect.Type
		s     schema.Schema
		value any // pointer to a value of typ
		want  int // failures; -1: Compile returns nil
	}{
		{"int64 minimum beyond float precision", reflect.TypeFor[int64](), schema.Schema{Minimum: ptr(9007199254740993.0)}, ptr(int64(9007199254740992)), 0},
		{"int64 maximum 2^63 is always met", reflect.TypeFor[int64](), schema.Schema{Maximum: ptr(0x1p63)}, nil, -1},
		{"int64 minimum -2^63 is always met", reflect.TypeFor[int64](), schema.Schema{Minimum: ptr(-0x1p63)}, nil, -1},
		{"uint minimum 0 is always met", reflect.TypeFor[uint](), schema.Schema{Minimum: ptr(0.0)}, nil, -1},
		{"uint64 max passes maximum 2^64", reflect.TypeFor[uint64](), schema.Schema{Maximum: ptr(0x1p64), MultipleOf: ptr(1.0)}, ptr(uint64(math.MaxUint64)), 0},
		{"uint64 exclusiveMaximum 2^64-2048", reflect.TypeFor[uint64](), schema.Schema{ExclusiveMaximum: ptr(0x1p64 - 2048)}, ptr(uint64(math.MaxUint64 - 2047)), 1},
		{"int8 exclusiveMaximum 127", reflect.TypeFor[int8](), schema.Schema{ExclusiveMaximum: ptr(127.0)}, ptr(int8(127)), 1},
		{"int multipleOf 2^64 only 0", reflect.TypeFor[int](), schema.Schema{MultipleOf: ptr(0x1p70)}, ptr(math.MinInt), 1},
		{"int multipleOf 2^62 on MinInt", reflect.TypeFor[int](), schema.Schema{MultipleOf: ptr(0x1p62)}, ptr(math.MinInt), 0},
		{"float32 multipleOf 0.1", reflect.TypeFor[float32](), schema.Schema{MultipleOf: ptr(0.1)}, ptr(float32(0.3)), 0},
		{"float32 multipleOf 0.1 fails", reflect.TypeFor[float32](), schema.Schema{MultipleOf: ptr(0.1)}, ptr(float32(0.25)), 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, err := Compile(tt.typ, &tt.s, nil)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			if tt.want < 0 {
				if v != nil {
					t.Errorf("Compile: got a validator, want nil")
				}
				return
			}
			var errs verr.List
			v.ValidateValue(tt.value, &verr.Path{}, &errs)
			if got := errs.Len(); got != tt.want {
				t.Errorf("failures: got %v, want %v (%v)", got, tt.want, errs.Items)
			}
		})
	}
}
