package codec

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"time"
	"unsafe"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/roux-go/roux/internal/verr"
)

// timeDecoder decodes a time.Time from an RFC 3339 string, with the
// strictness of time.Time's own UnmarshalJSON.
func timeDecoder(nullable bool) decodeFunc {
	return func(st *state, p unsafe.Pointer) error {
		v, err := st.scalar('"', nullable, "must be a string")
		if v == nil {
			return err
		}
		if (*time.Time)(p).UnmarshalText(st.unquote(v)) != nil {
			st.fail(codeFormat, "must be an RFC 3339 date-time", v)
		}
		return nil
	}
}

// bytesDecoder decodes a []byte (or a named slice of a byte kind) from a
// string in standard base64, as encoding/json does; "" is an empty,
// non-nil slice.
func bytesDecoder(nullable bool) decodeFunc {
	return func(st *state, p unsafe.Pointer) error {
		v, err := st.scalar('"', nullable, "must be a string")
		if v == nil {
			return err
		}
		s := st.unquote(v)
		b := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
		n, derr := base64.StdEncoding.Decode(b, s)
		if derr != nil {
			st.fail(codeContentEncoding, "must be base64-encoded (standard alphabet, padded)", v)
			return nil
		}
		*(*[]byte)(p) = b[:n]
		return nil
	}
}

// unmarshalerDecoder hands the raw JSON value to the type's UnmarshalJSON
// (encoding/json v1's interface); null too when the schema admits it. The
// value is copied first, costing one allocation: the buffer is pooled
// across requests, and an implementation that keeps the slice against the
// interface's contract must not see another request's bytes.
func unmarshalerDecoder(t reflect.Type, nullable bool) decodeFunc {
	return func(st *state, p unsafe.Pointer) error {
		v, err := st.dec.ReadValue()
		if err != nil {
			return err
		}
		if v.Kind() == 'n' && !nullable {
			st.failNull()
			return nil
		}
		if err := st.checkNames(v); err != nil {
			return err
		}
		u := reflect.NewAt(t, p).Interface().(json.Unmarshaler)
		if uerr := u.UnmarshalJSON(bytes.Clone(v)); uerr != nil {
			st.fail(codeFormat, verr.Clip(uerr.Error(), verr.MaxCause), v)
		}
		return nil
	}
}

// textDecoder hands the unquoted string to the type's UnmarshalText; the
// text is copied for the reason given at unmarshalerDecoder.
func textDecoder(t reflect.Type, nullable bool) decodeFunc {
	return func(st *state, p unsafe.Pointer) error {
		v, err := st.scalar('"', nullable, "must be a string")
		if v == nil {
			return err
		}
		u := reflect.NewAt(t, p).Interface().(encoding.TextUnmarshaler)
		if uerr := u.UnmarshalText(bytes.Clone(st.unquote(v))); uerr != nil {
			st.fail(codeFormat, verr.Clip(uerr.Error(), verr.MaxCause), v)
		}
		return nil
	}
}

// anyDecoder decodes into an empty interface with encoding/json v2, which
// gives what encoding/json does: map[string]any, []any, string, float64,
// bool or nil.
func anyDecoder(t reflect.Type) decodeFunc {
	return func(st *state, p unsafe.Pointer) error {
		v, err := st.dec.ReadValue()
		if err != nil {
			return err
		}
		// jsonv2 rejects duplicate names, so they only need looking for
		// when it fails.
		if uerr := jsonv2.Unmarshal(v, reflect.NewAt(t, p).Interface()); uerr != nil {
			if err := st.checkNames(v); err != nil {
				return err
			}
			// The value is well-formed, so only a number beyond the range
			// of a float64 (such as 1e400) gets here.
			// The decoder's own text would name its package.
			detail := "must be a JSON value this field can hold"
			if errors.Is(uerr, strconv.ErrRange) {
				detail = "must hold only numbers within the range of a float64"
			}
			st.fail(codeType, detail, v)
		}
		return nil
	}
}
