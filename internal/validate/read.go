package validate

import (
	"encoding"
	"encoding/base64"
	"reflect"
	"unsafe"
)

// The readers load a scalar of a given Go kind from memory, widened to
// the type its checks compare in. They report false when the value has no
// form to check (a failed MarshalText).

func signedReader(k reflect.Kind) func(unsafe.Pointer) (int64, bool) {
	switch k {
	case reflect.Int8:
		return func(p unsafe.Pointer) (int64, bool) { return int64(*(*int8)(p)), true }
	case reflect.Int16:
		return func(p unsafe.Pointer) (int64, bool) { return int64(*(*int16)(p)), true }
	case reflect.Int32:
		return func(p unsafe.Pointer) (int64, bool) { return int64(*(*int32)(p)), true }
	case reflect.Int64:
		return func(p unsafe.Pointer) (int64, bool) { return *(*int64)(p), true }
	}
	return func(p unsafe.Pointer) (int64, bool) { return int64(*(*int)(p)), true }
}

func unsignedReader(k reflect.Kind) func(unsafe.Pointer) (uint64, bool) {
	switch k {
	case reflect.Uint8:
		return func(p unsafe.Pointer) (uint64, bool) { return uint64(*(*uint8)(p)), true }
	case reflect.Uint16:
		return func(p unsafe.Pointer) (uint64, bool) { return uint64(*(*uint16)(p)), true }
	case reflect.Uint32:
		return func(p unsafe.Pointer) (uint64, bool) { return uint64(*(*uint32)(p)), true }
	case reflect.Uint64:
		return func(p unsafe.Pointer) (uint64, bool) { return *(*uint64)(p), true }
	case reflect.Uintptr:
		return func(p unsafe.Pointer) (uint64, bool) { return uint64(*(*uintptr)(p)), true }
	}
	return func(p unsafe.Pointer) (uint64, bool) { return uint64(*(*uint)(p)), true }
}

func floatReader(k reflect.Kind) func(unsafe.Pointer) (float64, bool) {
	if k == reflect.Float32 {
		return func(p unsafe.Pointer) (float64, bool) { return float64(*(*float32)(p)), true }
	}
	return func(p unsafe.Pointer) (float64, bool) { return *(*float64)(p), true }
}

// textReader reads the JSON string form of a value of t: a string kind as
// it is (no allocation); a TextMarshaler (time.Time, netip.Addr, ...) by
// MarshalText, and []byte as base64, as encoding/json writes them. The
// last two allocate, and only run when such a value has string keywords.
func textReader(t reflect.Type) func(unsafe.Pointer) (string, bool) {
	switch {
	case t.Kind() == reflect.String:
		return func(p unsafe.Pointer) (string, bool) { return *(*string)(p), true }
	case isTextMarshaler(t):
		return func(p unsafe.Pointer) (string, bool) {
			b, err := reflect.NewAt(t, p).Interface().(encoding.TextMarshaler).MarshalText()
			return string(b), err == nil
		}
	}
	return func(p unsafe.Pointer) (string, bool) {
		return base64.StdEncoding.EncodeToString(*(*[]byte)(p)), true
	}
}
