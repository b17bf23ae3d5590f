package bind

// Encoding is Bind run backwards, for the typed client: a field's value
// becomes the text values that Bind decodes into an equal value. Each
// scalar encoder is the inverse of the codec of the same type (FormatInt
// for ParseInt, MarshalText for UnmarshalText, standard base64 for
// bytes); the slice and presence rules mirror Bind's. A value that would
// not come back equal — a comma inside an item of a comma-separated list,
// NaN, a header value that net/http would trim — is an error, never a
// silently different request.

import (
	"encoding"
	"encoding/base64"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

var textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()

// Encoder formats the field of one [Param] as the text values [Param.Bind]
// reads back. Build it with [Param.Encoder]. It is safe for concurrent
// use.
//
// Presence follows the rule the published schema states: a pointer is the
// optional form, so a nil pointer is not sent and a non-nil one always is,
// even when it points to a zero value. A non-pointer field of a
// parameter that is not required is not sent when it holds its zero value
// (the server then applies the default, if any, or leaves the zero
// value); a required or path parameter is always sent. A non-nil empty
// slice is sent as one empty value when the parameter is
// comma-separated, which Bind reads as the empty slice, and not at all
// when it is exploded, since repeated keys cannot say "none".
type Encoder struct {
	p    *Param
	enc  func(p unsafe.Pointer) (string, error) // one scalar value, or the whole []byte
	size uintptr                                // size of a slice element
}

// Encoder compiles the encoder of p's field. It fails for a type Bind
// decodes but that cannot be formatted back: a TextUnmarshaler that is
// not also a TextMarshaler.
func (p *Param) Encoder() (*Encoder, error) {
	t := p.typ
	if t == nil {
		return nil, fmt.Errorf("bind: %s parameter %q was not compiled by Compile", p.In, p.Name)
	}
	if p.pointer {
		t = t.Elem()
	}
	e := &Encoder{p: p}
	if p.slice {
		t = t.Elem()
		e.size = t.Size()
	}
	var err error
	isText := reflect.PointerTo(t).Implements(textUnmarshalerType)
	if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 && !isText && !p.slice {
		e.enc = encodeBytes // as compileType chose bytesCodec: the whole []byte is one value
	} else if e.enc, err = scalarEncoder(t); err != nil {
		return nil, fmt.Errorf("bind: %s parameter %q: %w", p.In, p.Name, err)
	}
	return e, nil
}

// Encode appends the values of the parameter's field in the struct at
// base to dst and returns the extended slice; dst comes back unchanged
// when the parameter is not to be sent (see [Encoder] for the rule). An
// error says why the value cannot be sent so that the server reads the
// same value.
func (e *Encoder) Encode(base unsafe.Pointer, dst []string) ([]string, error) {
	p := e.p
	field := unsafe.Add(base, p.Offset)
	if p.pointer {
		field = *(*unsafe.Pointer)(field)
		if field == nil {
			return dst, nil
		}
	} else if !p.Required && reflect.NewAt(p.typ, field).Elem().IsZero() {
		return dst, nil
	}
	if !p.slice {
		s, err := e.enc(field)
		if err == nil {
			err = e.checkText(s)
		}
		if err != nil {
			return dst, e.fail(err)
		}
		return append(dst, s), nil
	}
	h := (*sliceHeader)(field)
	if p.Explode {
		for i := range h.len {
			s, err := e.enc(unsafe.Add(h.data, uintptr(i)*e.size))
			if err != nil {
				return dst, e.fail(fmt.Errorf("item %d %w", i+1, err))
			}
			dst = append(dst, s)
		}
		return dst, nil
	}
	var b strings.Builder
	for i := range h.len {
		s, err := e.enc(unsafe.Add(h.data, uintptr(i)*e.size))
		if err == nil {
			err = e.checkItem(s)
		}
		if err != nil {
			return dst, e.fail(fmt.Errorf("item %d %w", i+1, err))
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s)
	}
	if err := e.checkText(b.String()); err != nil {
		return dst, e.fail(err)
	}
	return append(dst, b.String()), nil
}

func (e *Encoder) fail(err error) error {
	if e.p.In == Form {
		return fmt.Errorf("form field %q: %w", e.p.Name, err)
	}
	return fmt.Errorf("%s parameter %q: %w", e.p.In, e.p.Name, err)
}

// checkItem checks one item of a comma-separated list: Bind splits at
// every comma, refuses empty items and trims header items.
func (e *Encoder) checkItem(s string) error {
	switch {
	case s == "":
		return fmt.Errorf("is empty, which a comma-separated list cannot carry")
	case strings.IndexByte(s, ',') >= 0:
		return fmt.Errorf("%q has a comma, which a comma-separated list cannot carry", s)
	case e.p.trim && s != strings.Trim(s, " \t"):
		return fmt.Errorf("%q starts or ends with white space, which is trimmed from header list items", s)
	}
	return nil
}

// checkText checks a whole value against what its location can carry
// unchanged: net/http trims header values and refuses control
// characters; a cookie value is a run of printable ASCII without ", ;
// and \ (RFC 6265).
func (e *Encoder) checkText(s string) error {
	switch e.p.In {
	case Header:
		if s != strings.Trim(s, " \t") {
			return fmt.Errorf("%q starts or ends with white space, which HTTP drops from header values", s)
		}
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < ' ' && c != '\t' || c == 0x7f {
				return fmt.Errorf("has the control character %q, which a header value cannot carry", c)
			}
		}
	case Cookie:
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < ' ' || c >= 0x7f || c == '"' || c == ';' || c == '\\' {
				return fmt.Errorf("has the character %q, which a cookie value cannot carry; use a []byte (base64) field", c)
			}
		}
	}
	return nil
}

// scalarEncoder returns the encoder of one value of type t, the inverse
// of scalarCodec(t).
func scalarEncoder(t reflect.Type) (func(unsafe.Pointer) (string, error), error) {
	if t != timeType && reflect.PointerTo(t).Implements(textUnmarshalerType) {
		if !reflect.PointerTo(t).Implements(textMarshalerType) {
			return nil, fmt.Errorf("type %v implements encoding.TextUnmarshaler but not encoding.TextMarshaler, so the client cannot format it", t)
		}
		return func(p unsafe.Pointer) (string, error) {
			b, err := reflect.NewAt(t, p).Interface().(encoding.TextMarshaler).MarshalText()
			return string(b), err
		}, nil
	}
	if t == timeType {
		return func(p unsafe.Pointer) (string, error) {
			t := *(*time.Time)(p)
			if _, off := t.Zone(); off%60 != 0 || off <= -24*3600 || off >= 24*3600 {
				// RFC 3339 offsets are whole minutes under a day;
				// MarshalText would drop the seconds, moving the instant.
				t = t.UTC()
			}
			b, err := t.MarshalText() // RFC 3339 with fractional seconds
			return string(b), err
		}, nil
	}
	switch t.Kind() {
	case reflect.String:
		return func(p unsafe.Pointer) (string, error) { return *(*string)(p), nil }, nil
	case reflect.Bool:
		return func(p unsafe.Pointer) (string, error) { return strconv.FormatBool(*(*bool)(p)), nil }, nil
	case reflect.Int:
		return encodeInt[int], nil
	case reflect.Int8:
		return encodeInt[int8], nil
	case reflect.Int16:
		return encodeInt[int16], nil
	case reflect.Int32:
		return encodeInt[int32], nil
	case reflect.Int64:
		return encodeInt[int64], nil
	case reflect.Uint:
		return encodeUint[uint], nil
	case reflect.Uint8:
		return encodeUint[uint8], nil
	case reflect.Uint16:
		return encodeUint[uint16], nil
	case reflect.Uint32:
		return encodeUint[uint32], nil
	case reflect.Uint64:
		return encodeUint[uint64], nil
	case reflect.Uintptr:
		return encodeUint[uintptr], nil
	case reflect.Float32:
		return func(p unsafe.Pointer) (string, error) { return encodeFloat(float64(*(*float32)(p)), 32) }, nil
	case reflect.Float64:
		return func(p unsafe.Pointer) (string, error) { return encodeFloat(*(*float64)(p), 64) }, nil
	}
	return nil, fmt.Errorf("type %v cannot be a parameter", t)
}

func encodeInt[T int | int8 | int16 | int32 | int64](p unsafe.Pointer) (string, error) {
	return strconv.FormatInt(int64(*(*T)(p)), 10), nil
}

func encodeUint[T uint | uint8 | uint16 | uint32 | uint64 | uintptr](p unsafe.Pointer) (string, error) {
	return strconv.FormatUint(uint64(*(*T)(p)), 10), nil
}

func encodeFloat(f float64, bits int) (string, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return "", fmt.Errorf("%v is not a finite number, which the server refuses", f)
	}
	return strconv.FormatFloat(f, 'g', -1, bits), nil
}

// encodeBytes is the inverse of bytesCodec.
func encodeBytes(p unsafe.Pointer) (string, error) {
	return base64.StdEncoding.EncodeToString(*(*[]byte)(p)), nil
}
