package bind

// Numbers are parsed at 64 bits with strconv and range-checked against the
// field's Go type here, so that "128" for an int8 is a "maximum" failure,
// not a syntax one, and the store is a plain typed write.

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"unsafe"
)

// intCodec returns the codec of a signed integer type holding lo..hi.
func intCodec[T int | int8 | int16 | int32 | int64](lo, hi int64) *codec {
	c := newCodec[T](func(s string, p unsafe.Pointer) error {
		v, err := strconv.ParseInt(s, 10, 64)
		switch {
		case err != nil && !isRange(err, s):
			return errType
		case v > hi || err != nil && v > 0:
			return errMax
		case v < lo || err != nil:
			return errMin
		}
		*(*T)(p) = T(v)
		return nil
	})
	c.detail = "must be an integer"
	c.maxDetail = "must be at most " + strconv.FormatInt(hi, 10)
	c.minDetail = "must be at least " + strconv.FormatInt(lo, 10)
	return c
}

// uintCodec returns the codec of an unsigned integer type holding 0..hi.
func uintCodec[T uint | uint8 | uint16 | uint32 | uint64 | uintptr](hi uint64) *codec {
	c := newCodec[T](func(s string, p unsafe.Pointer) error {
		if len(s) > 1 && s[0] == '-' {
			// A negative integer is a range failure, not a syntax one;
			// "-0" is zero.
			v, err := strconv.ParseInt(s, 10, 64)
			switch {
			case err != nil && !isRange(err, s):
				return errType
			case err != nil || v < 0:
				return errMin
			}
			*(*T)(p) = 0
			return nil
		}
		if len(s) > 1 && s[0] == '+' {
			s = s[1:] // strconv.ParseInt accepts "+", ParseUint does not
		}
		v, err := strconv.ParseUint(s, 10, 64)
		switch {
		case err != nil && !isRange(err, s):
			return errType
		case err != nil || v > hi:
			return errMax
		}
		*(*T)(p) = T(v)
		return nil
	})
	c.detail = "must be an integer"
	c.maxDetail = "must be at most " + strconv.FormatUint(hi, 10)
	c.minDetail = "must be at least 0"
	return c
}

// isRange reports whether strconv error err for s is a range error of a
// well-formed decimal integer. strconv stops at the first digit that
// overflows, so it calls "99999999999999999999x" out of range too.
func isRange(err error, s string) bool {
	if !errors.Is(err, strconv.ErrRange) {
		return false
	}
	if s[0] == '+' || s[0] == '-' {
		s = s[1:]
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// floatCodec returns the codec of a float type of the given bits, whose
// largest finite value is hi.
func floatCodec[T float32 | float64](bits int, hi float64) *codec {
	c := newCodec[T](func(s string, p unsafe.Pointer) error {
		v, err := strconv.ParseFloat(s, bits)
		switch {
		case strings.IndexAny(s, "_xX") >= 0:
			return errType // Go's hex and 1_000 forms: no JSON number, no integer, looks like
		case err != nil && !errors.Is(err, strconv.ErrRange):
			return errType
		case err != nil && v > 0:
			return errMax
		case err != nil:
			return errMin
		case math.IsInf(v, 0) || math.IsNaN(v):
			return errNotFinite // "Inf" or "NaN" written out
		}
		*(*T)(p) = T(v)
		return nil
	})
	h := strconv.FormatFloat(hi, 'g', -1, bits)
	c.detail = "must be a number"
	c.maxDetail, c.minDetail = "must be at most "+h, "must be at least -"+h
	return c
}
