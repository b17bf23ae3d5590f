package codec

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"github.com/roux-go/roux/schema"
)

var (
	timeType            = reflect.TypeFor[time.Time]()
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// maxTypeDepth bounds the nesting of non-struct types (a struct recursion
// is cut by the struct cache); only a self-referential named slice or map
// type such as `type T []T` reaches it.
const maxTypeDepth = 1000

// compiler builds decodeFuncs. It lives for one Compile call.
type compiler struct {
	reg     *schema.Registry
	structs map[structKey]*structDecoder
	depth   int
}

// structKey identifies a compiled struct: named structs have one component
// schema, so recursive types meet their own key again and stop there.
type structKey struct {
	t reflect.Type
	s *schema.Schema
}

// site is what the schema says about one place where a value appears.
type site struct {
	s        *schema.Schema // resolved schema; nil if unknown
	nullable bool           // JSON null is accepted (and leaves the zero value)
}

// site resolves schema s for a value of type t.
func (c *compiler) site(t reflect.Type, s *schema.Schema) (site, error) {
	at := site{nullable: t.Kind() == reflect.Pointer || t.Kind() == reflect.Interface}
	if s == nil {
		return at, nil
	}
	inner, nullable := schema.Unwrap(s)
	if ref := inner.Ref; ref != "" {
		if c.reg == nil {
			return at, fmt.Errorf("codec: %v: schema reference %q needs a registry", t, ref)
		}
		if inner = c.reg.Resolve(inner); inner == nil {
			return at, fmt.Errorf("codec: %v: unknown schema reference %q", t, ref)
		}
	}
	at.s = inner
	at.nullable = at.nullable || nullable || admitsAnything(inner)
	return at, nil
}

// admitsAnything reports whether s constrains neither the type nor
// through composition, as the schema of `any` or a json.Unmarshaler.
func admitsAnything(s *schema.Schema) bool {
	return len(s.Type) == 0 && s.Ref == "" && len(s.AnyOf) == 0 && len(s.OneOf) == 0 && len(s.AllOf) == 0
}

// compile returns the decodeFunc for values of type t described by s.
func (c *compiler) compile(t reflect.Type, s *schema.Schema) (decodeFunc, error) {
	if c.depth++; c.depth > maxTypeDepth {
		return nil, fmt.Errorf("codec: type %v nests too deeply", t)
	}
	defer func() { c.depth-- }()
	if elem, ok := schema.OptionalElem(t); ok {
		return c.optional(t, elem, s)
	}
	at, err := c.site(t, s)
	if err != nil {
		return nil, err
	}
	// Custom decoding first, as encoding/json does.
	switch {
	case t == timeType:
		return timeDecoder(at.nullable), nil
	case t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(jsonUnmarshalerType):
		return unmarshalerDecoder(t, at.nullable), nil
	case t.Kind() == reflect.Pointer:
		return c.pointer(t, at)
	case t.Kind() != reflect.String && reflect.PointerTo(t).Implements(textUnmarshalerType):
		return textDecoder(t, at.nullable), nil
	}
	switch t.Kind() {
	case reflect.Bool:
		return boolDecoder(at.nullable), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return intDecoder(t, at.nullable), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return uintDecoder(t, at.nullable), nil
	case reflect.Float32, reflect.Float64:
		return floatDecoder(t, at.nullable), nil
	case reflect.String:
		return stringDecoder(at.nullable), nil
	case reflect.Interface:
		if t.NumMethod() != 0 {
			return nil, fmt.Errorf("codec: cannot decode into non-empty interface type %v; use any or a concrete type", t)
		}
		return anyDecoder(t), nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return bytesDecoder(at.nullable), nil
		}
		return c.slice(t, at)
	case reflect.Array:
		return c.array(t, at)
	case reflect.Map:
		return c.mapOf(t, at)
	case reflect.Struct:
		return c.structOf(t, at)
	}
	return nil, fmt.Errorf("codec: cannot decode JSON into type %v (%v)", t, t.Kind())
}

// items returns the schema of the elements of an array schema.
func items(at site) *schema.Schema {
	if at.s == nil {
		return nil
	}
	return at.s.Items
}

// values returns the schema of the values of a map schema.
func values(at site) *schema.Schema {
	if at.s == nil || at.s.AdditionalProperties == schema.False {
		return nil
	}
	return at.s.AdditionalProperties
}
