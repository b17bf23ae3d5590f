package validate

import (
	"encoding"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"
	"unsafe"

	"github.com/roux-go/roux/internal/verr"
	"github.com/roux-go/roux/schema"
)

// class is the kind of JSON value a Go type is validated as, which decides
// the keywords that apply to it.
type class uint8

const (
	classNone   class = iota
	classNumber       // minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf, enum
	classString       // minLength, maxLength, pattern, format, enum
	classBool         // enum
	classArray        // minItems, maxItems, uniqueItems
	classObject       // minProperties, maxProperties
)

var classWords = [...]string{
	classNone:   "no values",
	classNumber: "numbers",
	classString: "strings",
	classBool:   "booleans",
	classArray:  "slices and arrays",
	classObject: "maps and structs",
}

var (
	timeType          = reflect.TypeFor[time.Time]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// classOf classifies t described by s. A type whose schema is a string but
// whose Go kind is not (time.Time, a TextMarshaler, []byte) is validated
// by its text: see textReader.
func classOf(t reflect.Type, s *schema.Schema) class {
	k := t.Kind()
	if k == reflect.String {
		return classString
	}
	if s.Type.Has("string") && (isTextMarshaler(t) || isBytes(t)) {
		return classString
	}
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return classNumber
	case reflect.Bool:
		return classBool
	case reflect.Slice, reflect.Array:
		return classArray
	case reflect.Map, reflect.Struct:
		return classObject
	}
	return classNone
}

func isTextMarshaler(t reflect.Type) bool {
	return t.Implements(textMarshalerType) || reflect.PointerTo(t).Implements(textMarshalerType)
}

func isBytes(t reflect.Type) bool {
	return t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8
}

// keyword is a validation keyword present in a schema and the class of
// values it applies to (classNone: numbers, strings and booleans).
type keyword struct {
	name string
	to   class
}

// keywords lists the validation keywords set in s. Formats that roux does
// not check are annotations and are not listed.
func keywords(s *schema.Schema) []keyword {
	var out []keyword
	add := func(set bool, name string, to class) {
		if set {
			out = append(out, keyword{name, to})
		}
	}
	add(s.Minimum != nil, "minimum", classNumber)
	add(s.Maximum != nil, "maximum", classNumber)
	add(s.ExclusiveMinimum != nil, "exclusiveMinimum", classNumber)
	add(s.ExclusiveMaximum != nil, "exclusiveMaximum", classNumber)
	add(s.MultipleOf != nil, "multipleOf", classNumber)
	add(s.MinLength != nil, "minLength", classString)
	add(s.MaxLength != nil, "maxLength", classString)
	add(s.Pattern != "", "pattern", classString)
	_, _, checked := formatTest(s.Format)
	add(checked, "format "+s.Format, classString)
	add(len(enumValues(s)) > 0, "enum", classNone)
	add(s.MinItems != nil, "minItems", classArray)
	add(s.MaxItems != nil, "maxItems", classArray)
	add(s.UniqueItems, "uniqueItems", classArray)
	add(s.MinProperties != nil, "minProperties", classObject)
	add(s.MaxProperties != nil, "maxProperties", classObject)
	return out
}

// valueCheck compiles the keywords of s about the value itself (not its
// members or elements) into one check, or nil if there are none. echo
// says whether failures may carry the offending value.
func valueCheck(t reflect.Type, s *schema.Schema, echo bool) (check, error) {
	kws := keywords(s)
	if len(kws) == 0 {
		return nil, nil
	}
	cl := classOf(t, s)
	for _, kw := range kws {
		switch {
		case kw.to == classNone && (cl == classNumber || cl == classString || cl == classBool):
		case kw.to == classNone:
			return nil, fmt.Errorf("%s does not apply to %v: it applies to strings, numbers and booleans", kw.name, t)
		case kw.to != cl:
			return nil, fmt.Errorf("%s does not apply to %v: it applies to %s", kw.name, t, classWords[kw.to])
		}
	}
	switch cl {
	case classNumber:
		return numberCheck(t, s, echo)
	case classString:
		return stringCheck(t, s, echo)
	case classBool:
		return boolCheck(t, s, echo)
	case classArray:
		return arrayCheck(t, s)
	}
	return objectCheck(t, s)
}

// test is one keyword check of a scalar of type T.
type test[T any] struct {
	code, detail string
	ok           func(T) bool
}

// scalarCheck returns a check that reads the value at p once and runs
// every test on it. box returns the value to echo on failure and whether
// to echo it; a nil box echoes nothing.
func scalarCheck[T any](read func(unsafe.Pointer) (T, bool), tests []test[T], box func(T) (any, bool)) check {
	if len(tests) == 0 {
		return nil
	}
	return func(p unsafe.Pointer, path *verr.Path, errs *verr.List) {
		v, ok := read(p)
		if !ok {
			return
		}
		for i := range tests {
			if !tests[i].ok(v) {
				report(path, errs, &tests[i], v, box)
			}
		}
	}
}

func report[T any](path *verr.Path, errs *verr.List, t *test[T], v T, box func(T) (any, bool)) {
	if box != nil {
		if x, ok := box(v); ok {
			errs.ReportValue(path, t.code, t.detail, x)
			return
		}
	}
	errs.Report(path, t.code, t.detail)
}

// boxAny echoes a value as it is.
func boxAny[T any](v T) (any, bool) { return v, true }

// zeroTest returns a test for the zero value of t, as reflect.Value.IsZero
// defines it, that does not allocate for the common kinds.
func zeroTest(t reflect.Type) func(unsafe.Pointer) bool {
	switch t.Kind() {
	case reflect.String:
		return func(p unsafe.Pointer) bool { return len(*(*string)(p)) == 0 }
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return func(p unsafe.Pointer) bool { return *(*unsafe.Pointer)(p) == nil }
	case reflect.Interface:
		return func(p unsafe.Pointer) bool { return (*[2]unsafe.Pointer)(p)[0] == nil }
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64: // all bits zero; -0.0 is not zero, as for IsZero
		switch t.Size() {
		case 1:
			return func(p unsafe.Pointer) bool { return *(*uint8)(p) == 0 }
		case 2:
			return func(p unsafe.Pointer) bool { return *(*uint16)(p) == 0 }
		case 4:
			return func(p unsafe.Pointer) bool { return *(*uint32)(p) == 0 }
		case 8:
			return func(p unsafe.Pointer) bool { return *(*uint64)(p) == 0 }
		}
	}
	return func(p unsafe.Pointer) bool { return reflect.NewAt(t, p).Elem().IsZero() }
}

// num formats a bound for a detail sentence: 1000000, not 1e+06.
func num(f float64) string {
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// count formats "1 item", "2 items".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
