package codec

import (
	"encoding/json"
	"fmt"
	"reflect"
	"unsafe"

	"github.com/roux-go/roux/schema"
)

// defaultValue is the default of a struct member, applied when the member
// is absent (not when it is null).
type defaultValue struct {
	typ  reflect.Type
	raw  []byte        // the default as JSON
	val  reflect.Value // raw decoded once, at Compile
	deep bool          // typ holds references: decode raw afresh each time
}

// newDefault prepares the default of field f from its property schema ps
// (on ps itself or, for a nullable reference, on the referring schema).
// It returns nil when there is none.
func newDefault(f schema.Field, ps *schema.Schema) (*defaultValue, error) {
	if ps == nil {
		return nil, nil
	}
	def := ps.Default
	if def == nil {
		inner, _ := schema.Unwrap(ps)
		def = inner.Default
	}
	if def == nil {
		return nil, nil
	}
	raw, err := json.Marshal(def)
	if err != nil {
		return nil, fmt.Errorf("codec: default of member %q: %v", f.Name, err)
	}
	v := reflect.New(f.Type)
	if err := json.Unmarshal(raw, v.Interface()); err != nil {
		return nil, fmt.Errorf("codec: default %s of member %q does not fit %v: %v", raw, f.Name, f.Type, err)
	}
	return &defaultValue{typ: f.Type, raw: raw, val: v.Elem(), deep: holdsReferences(f.Type)}, nil
}

// apply stores the default in the value at p. Values without references
// are copied from the one decoded at Compile without allocating; others
// (slices, maps, pointers) are decoded again so that requests never share
// mutable storage.
func (d *defaultValue) apply(p unsafe.Pointer) {
	dst := reflect.NewAt(d.typ, p)
	if d.deep {
		// The same bytes decoded into the same type at Compile.
		_ = json.Unmarshal(d.raw, dst.Interface())
		return
	}
	dst.Elem().Set(d.val)
}

// holdsReferences reports whether a copy of a value of type t would share
// mutable memory with the original. Strings are immutable, and a
// time.Time's *Location is never modified.
func holdsReferences(t reflect.Type) bool {
	if t == timeType {
		return false
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface,
		reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return true
	case reflect.Array:
		return holdsReferences(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if holdsReferences(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}
