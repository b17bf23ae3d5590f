package validate

// This file compiles the numeric keywords.
//
// Integers are compared exactly: each bound is turned at Compile into an
// inclusive integer bound of the field's Go type (minimum 0.5 on an int is
// "at least 1", exclusiveMaximum 10 is "at most 9"). A bound every value of
// the type meets is dropped, which is why the bounds the registry publishes
// for int8 or uint16 cost nothing, and a bound no value can meet is a
// registration error. Floats are compared as float64, except that float32
// values are compared with bounds rounded to float32, as the decoder rounds
// the request's number: a float32 field holding 0.1 meets maximum 0.1.
//
// multipleOf is exact for an integer value and an integer divisor. Other
// cases use a relative tolerance, because 0.3 is not a multiple of 0.1 in
// binary floating point: v passes when math.Remainder(v, k) is within
// 1e-12·|v| of zero (1e-6 for float32), far above the rounding error of the
// decimal inputs and far below any difference a request can mean.

import (
	"fmt"
	"math"
	"reflect"

	"github.com/roux-go/roux/schema"
)

// limit is a numeric bound of a schema.
type limit struct {
	code, detail string
	bound        float64
	lower, excl  bool
}

func limits(s *schema.Schema) ([]limit, error) {
	var out []limit
	for _, l := range []struct {
		v            *float64
		code, phrase string
		lower, excl  bool
	}{
		{s.Minimum, "minimum", "at least", true, false},
		{s.ExclusiveMinimum, "exclusiveMinimum", "greater than", true, true},
		{s.Maximum, "maximum", "at most", false, false},
		{s.ExclusiveMaximum, "exclusiveMaximum", "less than", false, true},
	} {
		if l.v == nil {
			continue
		}
		if math.IsNaN(*l.v) {
			return nil, fmt.Errorf("%s is not a number", l.code)
		}
		out = append(out, limit{l.code, "must be " + l.phrase + " " + num(*l.v), *l.v, l.lower, l.excl})
	}
	return out, nil
}

// numberCheck compiles the numeric keywords and enum of s for t.
func numberCheck(t reflect.Type, s *schema.Schema, echo bool) (check, error) {
	ls, err := limits(s)
	if err != nil {
		return nil, err
	}
	if k := s.MultipleOf; k != nil && !(*k > 0 && !math.IsInf(*k, 0)) {
		return nil, fmt.Errorf("multipleOf %v: want a positive number", *k)
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return signedCheck(t, s, ls, echo)
	case reflect.Float32, reflect.Float64:
		return floatCheck(t, s, ls, echo)
	}
	return unsignedCheck(t, s, ls, echo)
}

func signedCheck(t reflect.Type, s *schema.Schema, ls []limit, echo bool) (check, error) {
	lim := math.Ldexp(1, t.Bits()-1)
	var tests []test[int64]
	for _, l := range ls {
		f, never, always := intBound(l, -lim, lim)
		if never {
			return nil, fmt.Errorf("%s %s can never be met by %v", l.code, num(l.bound), t)
		}
		if !always {
			tests = append(tests, test[int64]{l.code, l.detail, compare(l, int64(f))})
		}
	}
	if k := s.MultipleOf; k != nil {
		tests = append(tests, test[int64]{"multipleOf", "must be a multiple of " + num(*k), intMultiple(*k, func(v int64) (uint64, float64) {
			m := uint64(v) // two's complement: the magnitude, also for math.MinInt64
			if v < 0 {
				m = -m
			}
			return m, float64(v)
		})})
	}
	read := signedReader(t.Kind())
	more, err := enumTests(t, s, read)
	if err != nil {
		return nil, err
	}
	var box func(int64) (any, bool)
	if echo {
		box = boxAny[int64]
	}
	return scalarCheck(read, append(tests, more...), box), nil
}

func unsignedCheck(t reflect.Type, s *schema.Schema, ls []limit, echo bool) (check, error) {
	lim := math.Ldexp(1, t.Bits())
	var tests []test[uint64]
	for _, l := range ls {
		f, never, always := intBound(l, 0, lim)
		if never {
			return nil, fmt.Errorf("%s %s can never be met by %v", l.code, num(l.bound), t)
		}
		if !always {
			tests = append(tests, test[uint64]{l.code, l.detail, compare(l, uint64(f))})
		}
	}
	if k := s.MultipleOf; k != nil {
		tests = append(tests, test[uint64]{"multipleOf", "must be a multiple of " + num(*k), intMultiple(*k, func(v uint64) (uint64, float64) {
			return v, float64(v)
		})})
	}
	read := unsignedReader(t.Kind())
	more, err := enumTests(t, s, read)
	if err != nil {
		return nil, err
	}
	var box func(uint64) (any, bool)
	if echo {
		box = boxAny[uint64]
	}
	return scalarCheck(read, append(tests, more...), box), nil
}

// intBound turns l into an integer bound b for a type whose values run
// from tmin to lim-1 (lim is 2^bits, or 2^(bits-1) if signed, which a
// float64 holds exactly, unlike math.MaxInt64). Values must be >= b for a
// lower bound, <= b for an upper one, strictly when l.excl. Rounding the
// bound first keeps the comparison exact: the ±1 of an exclusive bound is
// never added in floating point, where it would be lost above 2^53.
// never: no value of the type meets l; always: every value does.
func intBound(l limit, tmin, lim float64) (b float64, never, always bool) {
	switch {
	case l.lower && l.excl:
		b = math.Floor(l.bound)
		return b, b >= lim-1, b < tmin
	case l.lower:
		b = math.Ceil(l.bound)
		return b, b >= lim, b <= tmin
	case l.excl:
		b = math.Ceil(l.bound)
		return b, b <= tmin, b >= lim
	}
	b = math.Floor(l.bound)
	return b, b < tmin, b >= lim-1
}

// compare returns the test of bound l against b.
func compare[T int64 | uint64 | float64](l limit, b T) func(T) bool {
	switch {
	case l.lower && l.excl:
		return func(v T) bool { return v > b }
	case l.lower:
		return func(v T) bool { return v >= b }
	case l.excl:
		return func(v T) bool { return v < b }
	}
	return func(v T) bool { return v <= b }
}

// intMultiple returns the multipleOf k test of an integer type; split
// gives a value's magnitude and its float64 approximation.
func intMultiple[T any](k float64, split func(T) (uint64, float64)) func(T) bool {
	switch {
	case k == math.Trunc(k) && k < 0x1p64:
		ku := uint64(k)
		return func(v T) bool { m, _ := split(v); return m%ku == 0 }
	case k == math.Trunc(k): // larger than any magnitude
		return func(v T) bool { m, _ := split(v); return m == 0 }
	}
	return func(v T) bool { _, f := split(v); return isMultiple(f, k, 1e-12) }
}

func isMultiple(v, k, tol float64) bool {
	if v == 0 {
		return true
	}
	return math.Abs(math.Remainder(v, k)) <= tol*math.Abs(v)
}

func floatCheck(t reflect.Type, s *schema.Schema, ls []limit, echo bool) (check, error) {
	round, tol := func(f float64) float64 { return f }, 1e-12
	if t.Kind() == reflect.Float32 {
		round, tol = func(f float64) float64 { return float64(float32(f)) }, 1e-6
	}
	var tests []test[float64]
	for _, l := range ls {
		tests = append(tests, test[float64]{l.code, l.detail, compare(l, round(l.bound))})
	}
	if k := s.MultipleOf; k != nil {
		kr := round(*k)
		tests = append(tests, test[float64]{"multipleOf", "must be a multiple of " + num(*k), func(v float64) bool {
			return isMultiple(v, kr, tol)
		}})
	}
	read := floatReader(t.Kind())
	more, err := enumTests(t, s, read)
	if err != nil {
		return nil, err
	}
	var box func(float64) (any, bool)
	switch {
	case echo && t.Kind() == reflect.Float32:
		box = func(v float64) (any, bool) { return float32(v), true }
	case echo:
		box = boxAny[float64]
	}
	return scalarCheck(read, append(tests, more...), box), nil
}
