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
// exponent. Exponent forms such as 1e3 are rejected even when their value
// is whole, as encoding/json does.
func isInteger(v jsontext.Value) bool {
	return bytes.IndexAny(v, ".eE") < 0
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
		if !isInteger(v) {
			st.failKind(v, "must be an integer")
			return nil
		}
		n, perr := strconv.ParseInt(string(v), 10, bits)
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
		if !isInteger(v) {
			st.failKind(v, "must be an integer")
			return nil
		}
		if v[0] == '-' { // even -0, which encoding/json rejects too
			st.fail(codeMinimum, "must be at least 0", v)
			return nil
		}
		n, perr := strconv.ParseUint(string(v), 10, bits)
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
