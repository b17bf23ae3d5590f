package validate

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"unsafe"

	"github.com/roux-go/roux/schema"
)

// enumValues returns the members of s.Enum other than null, which
// [schema.Nullable] adds to the enum of a pointer and the decoder handles.
func enumValues(s *schema.Schema) []any {
	var out []any
	for _, e := range s.Enum {
		if e != nil {
			out = append(out, e)
		}
	}
	return out
}

// enumTests returns the enum test of s for values of t read by read, or
// none if s has no enum. Each member is converted once into a value of t
// through its JSON form, exactly as the decoder would convert a request
// value, so the comparison is between typed values: the enum 1 matches an
// int8 1 and a float64 1.0, and a time enum matches the same instant
// written in another offset.
func enumTests[T comparable](t reflect.Type, s *schema.Schema, read func(unsafe.Pointer) (T, bool)) ([]test[T], error) {
	members := enumValues(s)
	if len(members) == 0 {
		return nil, nil
	}
	set := make([]T, 0, len(members))
	labels := make([]string, 0, len(members))
	for _, e := range members {
		b, err := json.Marshal(e)
		if err != nil {
			return nil, fmt.Errorf("enum value %v: %v", e, err)
		}
		p := reflect.New(t)
		if err := json.Unmarshal(b, p.Interface()); err != nil {
			return nil, fmt.Errorf("enum value %s is not a valid %v", b, t)
		}
		v, ok := read(p.UnsafePointer())
		if !ok {
			return nil, fmt.Errorf("enum value %s of %v has no text form", b, t)
		}
		set = append(set, v)
		labels = append(labels, label(e))
	}
	detail := "must be one of: " + strings.Join(labels, ", ")
	return []test[T]{{"enum", detail, func(v T) bool { return slices.Contains(set, v) }}}, nil
}

// label writes an enum member for a detail sentence.
func label(e any) string {
	switch v := e.(type) {
	case string:
		return v
	case float64:
		return num(v)
	}
	return fmt.Sprint(e)
}

// boolCheck compiles the enum of a boolean.
func boolCheck(t reflect.Type, s *schema.Schema, echo bool) (check, error) {
	read := func(p unsafe.Pointer) (bool, bool) { return *(*bool)(p), true }
	tests, err := enumTests(t, s, read)
	if err != nil {
		return nil, err
	}
	var box func(bool) (any, bool)
	if echo {
		box = boxAny[bool]
	}
	return scalarCheck(read, tests, box), nil
}
