package codec

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"strconv"
	"unsafe"

	"github.com/go-json-experiment/json/jsontext"
)

// scalar reads the next value and returns it if it is of kind want ('"',
// '0', or 't' for either boolean). For null or a value of another kind it
// reports a failure (none for null when nullable) and returns nil. The
// value is valid until the next read.
func (st *state) scalar(want jsontext.Kind, nullable bool, detail string) (jsontext.Value, error) {
	v, err := st.dec.ReadValue()
	if err != nil {
		return nil, err
	}
	k := v.Kind()
	if k == 'f' {
		k = 't'
	}
	switch {
	case k == want:
		return v, nil
	case k == 'n':
		if !nullable {
			st.failNull()
		}
	default:
		if err := st.checkNames(v); err != nil {
			return nil, err
		}
		st.failKind(v, detail)
	}
	return nil, nil
}

// errNoProgress guards the decoding loops against a tokenizer that
// reports an error on peeking but not on reading; it is not expected.
var errNoProgress = errors.New("codec: tokenizer made no progress")

// open reads the '{' or '[' (want) that begins an object or array and
// reports true. For null or a value of another kind it reports a failure
// as scalar does, skips the value and reports false.
func (st *state) open(want jsontext.Kind, nullable bool, detail string) (bool, error) {
	switch st.dec.PeekKind() {
	case want:
		_, err := st.dec.ReadToken()
		return err == nil, err
	case 0: // a syntax or read error, returned by the next read
		if _, err := st.dec.ReadToken(); err != nil {
			return false, err
		}
		return false, errNoProgress
	}
	_, err := st.scalar(want, nullable, detail)
	return false, err
}

// unquote returns the contents of JSON string v: a slice of v when it has
// no escapes, else the unescaped text in st.buf. It is valid until the next
// read or unquote.
func (st *state) unquote(v jsontext.Value) []byte {
	if bytes.IndexByte(v, '\\') < 0 {
		return v[1 : len(v)-1]
	}
	// v is valid JSON (jsontext checked it), so unquoting cannot fail.
	st.buf, _ = jsontext.AppendUnquote(st.buf[:0], v)
	return st.buf
}

func boolDecoder(nullable bool) decodeFunc {
	return func(st *state, p unsafe.Pointer) error {
		v, err := st.scalar('t', nullable, "must be a boolean")
		if v != nil {
			*(*bool)(p) = v[0] == 't'
		}
		return err
	}
}

func stringDecoder(nullable bool) decodeFunc {
	return func(st *state, p unsafe.Pointer) error {
		v, err := st.scalar('"', nullable, "must be a string")
		if v != nil {
			*(*string)(p) = string(st.unquote(v))
		}
		return err
	}
}

// isInteger reports whether JSON number v has neither fraction nor
// exponent: the common form of an integer, parsed as it is.
func isInteger(v jsontext.Value) bool {
	return bytes.IndexAny(v, ".eE") < 0
}

// maxIntegralDigits bounds the digits of an integral number written with
// a fraction or exponent that integral rewrites: 20 is as many as a uint64
// has, and a longer value is out of every integer type's range.
const maxIntegralDigits = 20

// integral returns the JSON number v, written with a fraction or an
// exponent, in the plain form of an integer ("1.0" and "1e2" are "1" and
// "100"; JSON Schema counts them as integers) appended to dst. It reports ok false
// when v has a fractional part ("1.5", "1e-1") and big true, with ok,
// when the integer has more than maxIntegralDigits digits, and so is out
// of range. It takes time in proportion to v's length, whatever its
// exponent ("1e999999" is big, at once).
func integral(dst []byte, v jsontext.Value) (plain []byte, big, ok bool) {
	neg := v[0] == '-'
	if neg {
		v = v[1:]
	}
	// v is a valid JSON number: digits, then an optional fraction, then
	// an optional exponent.
	mant, exp := v, []byte(nil)
	if i := bytes.IndexAny(v, "eE"); i >= 0 {
		mant, exp = v[:i], v[i+1:]
	}
	intPart, frac, _ := bytes.Cut(mant, []byte{'.'})
	// The value is digits × 10^shift.
	shift := 0
	if len(exp) > 0 {
		expNeg := exp[0] == '-'
		if exp[0] == '-' || exp[0] == '+' {
			exp = exp[1:]
		}
		// Saturate at a bound past which the value is out of range or
		// fractional whatever its digits: more than their number plus
		// maxIntegralDigits.
		bound := len(v) + maxIntegralDigits
		for _, c := range exp {
			if shift = shift*10 + int(c-'0'); shift > bound {
				shift = bound
			}
		}
		if expNeg {
			shift = -shift
		}
	}
	// The value is hi‖lo × 10^shift, its significant digits in two
	// pieces so as not to copy them: the integer part without its leading
	// zero (JSON allows only "0" before a fraction), and the fraction
	// without its trailing zeros; or, without a fraction, the integer
	// part without its trailing zeros.
	frac = bytes.TrimRight(frac, "0")
	shift -= len(frac)
	hi, lo := bytes.TrimLeft(intPart, "0"), frac
	if len(lo) == 0 {
		trimmed := bytes.TrimRight(hi, "0")
		shift += len(hi) - len(trimmed)
		hi = trimmed
	} else if len(hi) == 0 {
		lo = bytes.TrimLeft(lo, "0")
	}
	n := len(hi) + len(lo)
	switch {
	case n == 0: // zero, however written
		if neg {
			dst = append(dst, '-')
		}
		return append(dst, '0'), false, true
	case shift < 0:
		return nil, false, false
	case n+shift > maxIntegralDigits:
		return nil, true, true
	}
	if neg {
		dst = append(dst, '-')
	}
	dst = append(append(dst, hi...), lo...)
	for range shift {
		dst = append(dst, '0')
	}
	return dst, false, true
}

// integralDigits returns the plain form of the JSON number v, written
// with a fraction or an exponent (see integral), valid until the next
// read or unquote. It reports a failure and false for a number with a
// fractional part ("must be an integer"), and for one too large for any
// integer type (tooSmall or tooLarge, by its sign). The decoders call it
// only for such numbers, so that a plain integer costs what it did.
func (st *state) integralDigits(v jsontext.Value, tooSmall, tooLarge string) ([]byte, bool) {
	plain, big, ok := integral(st.buf[:0], v)
	switch {
	case !ok:
		st.failKind(v, "must be an integer")
		return nil, false
	case big && v[0] == '-':
		st.fail(codeMinimum, tooSmall, v)
		return nil, false
	case big:
		st.fail(codeMaximum, tooLarge, v)
		return nil, false
	}
	st.buf = plain
	return plain, true
}

func intDecoder(t reflect.Type, nullable bool) decodeFunc {
	bits := t.Bits()
	tooSmall := "must be at least " + strconv.FormatInt(math.MinInt64>>(64-bits), 10)
	tooLarge := "must be at most " + strconv.FormatInt(math.MaxInt64>>(64-bits), 10)
	return func(st *state, p unsafe.Pointer) error {
		v, err := st.scalar('0', nullable, "must be an integer")
		if v == nil {
			return err
		}
		digits := []byte(v)
		if !isInteger(v) {
			var ok bool
			if digits, ok = st.integralDigits(v, tooSmall, tooLarge); !ok {
				return nil
			}
		}
		n, perr := strconv.ParseInt(string(digits), 10, bits)
		switch {
		case perr != nil && v[0] == '-':
			st.fail(codeMinimum, tooSmall, v)
		case perr != nil:
			st.fail(codeMaximum, tooLarge, v)
		case bits == 8:
			*(*int8)(p) = int8(n)
		case bits == 16:
			*(*int16)(p) = int16(n)
		case bits == 32:
			*(*int32)(p) = int32(n)
		default:
			*(*int64)(p) = n
		}
		return nil
	}
}

func uintDecoder(t reflect.Type, nullable bool) decodeFunc {
	bits := t.Bits()
	tooLarge := "must be at most " + strconv.FormatUint(math.MaxUint64>>(64-bits), 10)
	return func(st *state, p unsafe.Pointer) error {
		v, err := st.scalar('0', nullable, "must be an integer")
		if v == nil {
			return err
		}
		if v[0] == '-' { // even -0, which encoding/json rejects too
			if _, _, ok := integral(st.buf[:0], v); isInteger(v) || ok {
				st.fail(codeMinimum, "must be at least 0", v)
			} else {
				st.failKind(v, "must be an integer")
			}
			return nil
		}
		digits := []byte(v)
		if !isInteger(v) {
			var ok bool
			if digits, ok = st.integralDigits(v, "", tooLarge); !ok {
				return nil
			}
		}
		n, perr := strconv.ParseUint(string(digits), 10, bits)
		switch {
		case perr != nil:
			st.fail(codeMaximum, tooLarge, v)
		case bits == 8:
			*(*uint8)(p) = uint8(n)
		case bits == 16:
			*(*uint16)(p) = uint16(n)
		case bits == 32:
			*(*uint32)(p) = uint32(n)
		default:
			*(*uint64)(p) = n
		}
		return nil
	}
}

func floatDecoder(t reflect.Type, nullable bool) decodeFunc {
	bits := t.Bits()
	limit := strconv.FormatFloat(math.MaxFloat64, 'g', -1, 64)
	if bits == 32 {
		limit = strconv.FormatFloat(math.MaxFloat32, 'g', -1, 32)
	}
	tooSmall, tooLarge := "must be at least -"+limit, "must be at most "+limit
	return func(st *state, p unsafe.Pointer) error {
		v, err := st.scalar('0', nullable, "must be a number")
		if v == nil {
			return err
		}
		// A JSON number is valid Go syntax, so the only error is a value
		// out of range (±Inf); underflow rounds to zero without error.
		f, perr := strconv.ParseFloat(string(v), bits)
		switch {
		case perr != nil && v[0] == '-':
			st.fail(codeMinimum, tooSmall, v)
		case perr != nil:
			st.fail(codeMaximum, tooLarge, v)
		case bits == 32:
			*(*float32)(p) = float32(f)
		default:
			*(*float64)(p) = f
		}
		return nil
	}
}
