package schema

import (
	"encoding/json"
	"reflect"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Optional is a JSON object member that may be absent: unlike a pointer,
// whose nil stands for both an absent member and null, it tells a member
// that was not sent from one that was. Its zero value is absent.
//
// Null is a value like any other: Optional[T] accepts null where T does,
// which in roux means where T is a pointer (or an interface). So
//
//	Optional[string]   absent, or a string; null is a failure (422)
//	Optional[*string]  absent, null (a nil *string), or a string
//
// which is what a JSON Merge Patch (RFC 7396) needs: absent leaves a
// stored value alone, null clears it, a value replaces it.
//
// In a schema an Optional[T] member is T's schema (nullable when T is a
// pointer) and never required, unless tagged `required:"true"`; keyword
// tags apply to T as they would to a field of type T. It must be tagged
// omitzero (`json:"due,omitzero"`), so that encoding leaves an absent
// member out (encoding/json and its v2 both call IsZero); a default tag is
// an error, since absent means "leave it as it is". Optional appears
// only as a member of a struct; it is not a parameter type.
//
// roux's decoder (internal/codec) sets it without going through its JSON
// methods, which are for encoding and for other decoders. The value is
// not safe for concurrent writes; copying it copies T.
type Optional[T any] struct {
	// The decoder and the validators rely on this layout: the value first,
	// at offset 0, then the flag (see OptionalElem).
	value T
	set   bool
}

// Some returns an Optional holding v: the member is present. Some[*T](nil)
// is a member sent as null.
func Some[T any](v T) Optional[T] { return Optional[T]{value: v, set: true} }

// Get returns the value and whether the member was present. For an
// Optional of a pointer, a present member with a nil value was null.
func (o Optional[T]) Get() (T, bool) { return o.value, o.set }

// IsSet reports whether the member was present (null included).
func (o Optional[T]) IsSet() bool { return o.set }

// Or returns the value if the member was present and fallback otherwise:
// stored.Price = patch.Price.Or(stored.Price).
func (o Optional[T]) Or(fallback T) T {
	if o.set {
		return o.value
	}
	return fallback
}

// IsZero reports whether the member is absent. The omitzero option of
// encoding/json calls it.
func (o Optional[T]) IsZero() bool { return !o.set }

// MarshalJSON encodes the value; an absent member, which omitzero leaves
// out, encodes as null.
func (o Optional[T]) MarshalJSON() ([]byte, error) {
	if !o.set {
		return []byte("null"), nil
	}
	return json.Marshal(o.value)
}

// UnmarshalJSON decodes b into the value and marks the member present.
func (o *Optional[T]) UnmarshalJSON(b []byte) error {
	o.set = true
	return json.Unmarshal(b, &o.value)
}

// MarshalJSONTo is MarshalJSON for github.com/go-json-experiment/json,
// which passes its options on to the value.
func (o Optional[T]) MarshalJSONTo(enc *jsontext.Encoder) error {
	if !o.set {
		return enc.WriteToken(jsontext.Null)
	}
	return jsonv2.MarshalEncode(enc, o.value)
}

// UnmarshalJSONFrom is UnmarshalJSON for
// github.com/go-json-experiment/json.
func (o *Optional[T]) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	o.set = true
	return jsonv2.UnmarshalDecode(dec, &o.value)
}

var optionalPkg = reflect.TypeFor[Registry]().PkgPath()

// OptionalElem reports whether t is an [Optional] and returns its value
// type. Optional's layout is the value at offset 0 and a bool flag,
// field 1, set when the member is present; the decoder and validators
// write and read it through those offsets.
func OptionalElem(t reflect.Type) (reflect.Type, bool) {
	if t.Kind() != reflect.Struct || t.PkgPath() != optionalPkg || !strings.HasPrefix(t.Name(), "Optional[") {
		return nil, false
	}
	return t.Field(0).Type, true
}
