package bind

// A codec converts the text of one value into one Go value of a fixed
// type, written through an unsafe.Pointer. Codecs for the built-in kinds
// are generic functions instantiated with the kind's type, so each write is
// a plain typed store (*(*int32)(p) = int32(v)) and the only allocations
// are the ones strconv makes on failure. Named types share the codec of
// their kind: a type Color string has the memory layout of string.

import (
	"encoding"
	"encoding/base64"
	"errors"
	"math"
	"reflect"
	"strconv"
	"time"
	"unsafe"
)

// codec decodes the text of one value of one Go type.
type codec struct {
	size uintptr

	// decode parses s into the value at p, writing only on success. It
	// returns nil, one of the sentinel errors below, or (for time.Time,
	// TextUnmarshaler and base64) the decoder's own error.
	decode func(s string, p unsafe.Pointer) error

	// newArray allocates a zeroed array of n values and returns its start.
	newArray func(n int) unsafe.Pointer

	// copy copies the value at src to dst without sharing mutable memory;
	// nil when that cannot be done (TextUnmarshaler types), in which case
	// defaults are decoded again from their text.
	copy func(dst, src unsafe.Pointer)

	code        string // failure code for an error that is not a sentinel
	detail      string // failure detail for errType or for code
	maxDetail   string // for errMax
	minDetail   string // for errMin
	passThrough bool   // the error text may be appended to detail
	timeCodec   bool   // decodes time.Time
}

// Sentinel decode errors. They are package values, so returning them does
// not allocate.
var (
	errType      = errors.New("bind: syntax")
	errEmpty     = errors.New("bind: empty item")
	errNotFinite = errors.New("bind: not finite")
	errMax       = errors.New("bind: above maximum")
	errMin       = errors.New("bind: below minimum")
)

var (
	timeType            = reflect.TypeFor[time.Time]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// newCodec returns a codec for values of Go type T (or a named type of
// the same kind) whose decode is dec.
func newCodec[T any](dec func(string, unsafe.Pointer) error) *codec {
	return &codec{
		size:     unsafe.Sizeof(*new(T)),
		decode:   dec,
		newArray: func(n int) unsafe.Pointer { return unsafe.Pointer(unsafe.SliceData(make([]T, n))) },
		copy:     func(dst, src unsafe.Pointer) { *(*T)(dst) = *(*T)(src) },
	}
}

// scalarCodec returns the codec for one value of type t, or nil if t is
// not a supported scalar type.
func scalarCodec(t reflect.Type) *codec {
	if t != timeType && reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return textCodec(t)
	}
	if t == timeType {
		c := newCodec[time.Time](decodeTime)
		c.timeCodec = true
		c.code, c.detail = "format", "must be an RFC 3339 date-time such as 2006-01-02T15:04:05Z"
		return c
	}
	switch t.Kind() {
	case reflect.String:
		return newCodec[string](func(s string, p unsafe.Pointer) error { *(*string)(p) = s; return nil })
	case reflect.Bool:
		c := newCodec[bool](decodeBool)
		c.detail = "must be a boolean (true or false)"
		return c
	case reflect.Int:
		return intCodec[int](math.MinInt, math.MaxInt)
	case reflect.Int8:
		return intCodec[int8](math.MinInt8, math.MaxInt8)
	case reflect.Int16:
		return intCodec[int16](math.MinInt16, math.MaxInt16)
	case reflect.Int32:
		return intCodec[int32](math.MinInt32, math.MaxInt32)
	case reflect.Int64:
		return intCodec[int64](math.MinInt64, math.MaxInt64)
	case reflect.Uint:
		return uintCodec[uint](math.MaxUint)
	case reflect.Uint8:
		return uintCodec[uint8](math.MaxUint8)
	case reflect.Uint16:
		return uintCodec[uint16](math.MaxUint16)
	case reflect.Uint32:
		return uintCodec[uint32](math.MaxUint32)
	case reflect.Uint64:
		return uintCodec[uint64](math.MaxUint64)
	case reflect.Uintptr:
		return uintCodec[uintptr](uint64(^uintptr(0)))
	case reflect.Float32:
		return floatCodec[float32](32, math.MaxFloat32)
	case reflect.Float64:
		return floatCodec[float64](64, math.MaxFloat64)
	}
	return nil
}

func decodeBool(s string, p unsafe.Pointer) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return errType
	}
	*(*bool)(p) = v
	return nil
}

func decodeTime(s string, p unsafe.Pointer) error {
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return err
	}
	*(*time.Time)(p) = v
	return nil
}

// textCodec decodes with (*T).UnmarshalText. It uses reflect to reach the
// method of an arbitrary type, and so allocates.
func textCodec(t reflect.Type) *codec {
	st := reflect.SliceOf(t)
	return &codec{
		size: t.Size(),
		decode: func(s string, p unsafe.Pointer) error {
			return reflect.NewAt(t, p).Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s))
		},
		newArray:    func(n int) unsafe.Pointer { return reflect.MakeSlice(st, n, n).UnsafePointer() },
		code:        "format",
		detail:      "is not valid",
		passThrough: true,
	}
}

// bytesCodec decodes standard base64 into a []byte (or named byte slice),
// as encoding/json does and as the schema's contentEncoding says.
func bytesCodec() *codec {
	c := newCodec[[]byte](func(s string, p unsafe.Pointer) error {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return err
		}
		*(*[]byte)(p) = b
		return nil
	})
	c.copy = func(dst, src unsafe.Pointer) { *(*[]byte)(dst) = append([]byte{}, *(*[]byte)(src)...) }
	c.code, c.detail = "contentEncoding", "must be base64 (RFC 4648, standard alphabet, padded)"
	return c
}
