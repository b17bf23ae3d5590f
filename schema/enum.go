package schema

// This file gives named scalar types an enum declared once, by a method,
// so that every place the type appears (body members, parameters, slice
// elements, map values) publishes and validates the same values.
//
// The method returns values of the type itself rather than strings: the
// compiler checks each one, and they are converted to JSON exactly as the
// decoder and the encoder convert the type (a TextMarshaler's text, a
// number's digits). Registration then checks that each value fits the
// type's schema, decodes back to itself, and appears once.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// Enumer is implemented by a named string, number or boolean type T that
// lists its allowed values: `func (Station) Enum() []Station`. The
// [Registry] publishes them as the "enum" of every schema of T, so fields
// of T need no enum tag, and the validators built from those schemas
// accept nothing else. Enum is called once, on T's zero value, when the
// type is first described. A method named Enum of another signature (a
// protobuf enum's Enum() *T, say) is left alone, except that Enum() []U
// for another type U is a registration error: it is almost certainly
// meant as this one.
//
// The interface exists to document the method and to let a type assert
// that it has it (var _ schema.Enumer[Station] = Station("")); the
// registry finds the method by reflection.
type Enumer[T any] interface {
	Enum() []T
}

// enumOf returns the enum of type t described by base, or nil when t has
// no Enum method of the form Enumer[t].
func enumOf(t reflect.Type, base *Schema) ([]any, error) {
	elem, ok := enumMethod(t)
	if !ok {
		return nil, nil
	}
	if elem != t {
		return nil, fmt.Errorf("schema: %v.Enum returns []%v; an enum method returns the type's own values: func (%s) Enum() []%s", t, elem, t.Name(), t.Name())
	}
	if len(base.Type) != 1 || !slices.Contains([]string{"string", "integer", "number", "boolean"}, base.Type[0]) || base.Ref != "" {
		return nil, fmt.Errorf("schema: %v has an Enum method, but enums apply to strings, numbers and booleans, not %s", t, typeWord(base))
	}
	vals, err := callEnum(t)
	if err != nil {
		return nil, err
	}
	if vals.Len() == 0 {
		return nil, fmt.Errorf("schema: %v.Enum returned no values", t)
	}
	out := make([]any, 0, vals.Len())
	seen := make(map[string]bool, vals.Len())
	for i := range vals.Len() {
		b, err := json.Marshal(vals.Index(i).Interface())
		if err != nil {
			return nil, fmt.Errorf("schema: %v.Enum value %v cannot be encoded: %v", t, vals.Index(i), err)
		}
		v, err := enumValue(b, base)
		if err != nil {
			return nil, fmt.Errorf("schema: %v.Enum value %s does not fit the type's schema: %v", t, b, err)
		}
		back := reflect.New(t)
		if err := json.Unmarshal(b, back.Interface()); err != nil {
			return nil, fmt.Errorf("schema: %v.Enum value %s does not decode back into %v: %v", t, b, t, err)
		}
		if again, err := json.Marshal(back.Interface()); err != nil || !bytes.Equal(again, b) {
			return nil, fmt.Errorf("schema: %v.Enum value %s decodes to %s, not to itself", t, b, again)
		}
		if seen[string(b)] {
			return nil, fmt.Errorf("schema: %v.Enum lists %s twice", t, b)
		}
		seen[string(b)] = true
		out = append(out, v)
	}
	return out, nil
}

// enumMethod reports whether t (or *t) has a method Enum() []E, and
// returns E.
func enumMethod(t reflect.Type) (reflect.Type, bool) {
	m, ok := reflect.PointerTo(t).MethodByName("Enum")
	if !ok || m.Type.NumIn() != 1 || m.Type.NumOut() != 1 || m.Type.Out(0).Kind() != reflect.Slice {
		return nil, false
	}
	return m.Type.Out(0).Elem(), true
}

// hasEnum reports whether t has the method of [Enumer][t].
func hasEnum(t reflect.Type) bool {
	elem, ok := enumMethod(t)
	return ok && elem == t
}

// callEnum calls t's Enum method on its zero value, turning a panic into
// an error.
func callEnum(t reflect.Type) (vals reflect.Value, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("schema: %v.Enum panicked: %v", t, v)
		}
	}()
	return reflect.New(t).MethodByName("Enum").Call(nil)[0], nil
}

// enumValue converts the JSON encoding b of an enum value into the value
// published in the schema (a string, an int64 or uint64, a float64 or a
// bool), checking that its JSON type is the schema's.
func enumValue(b []byte, s *Schema) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	want := s.Type[0]
	switch v := v.(type) {
	case string:
		if want == "string" {
			return v, nil
		}
	case bool:
		if want == "boolean" {
			return v, nil
		}
	case json.Number:
		switch {
		case want == "number":
			return v.Float64()
		case want == "integer" && !strings.ContainsAny(string(v), ".eE"):
			if n, err := v.Int64(); err == nil {
				return n, nil
			}
			var u uint64
			_, err := fmt.Sscan(string(v), &u)
			return u, err
		}
	}
	return nil, fmt.Errorf("want a JSON %s", want)
}

// inEnum reports whether v, a value parsed from a tag, is one of enum.
func inEnum(v any, enum []any) bool {
	b, _ := json.Marshal(v)
	for _, e := range enum {
		if eb, _ := json.Marshal(e); bytes.Equal(b, eb) {
			return true
		}
	}
	return false
}
