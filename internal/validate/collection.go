package validate

import (
	"encoding/json"
	"fmt"
	"reflect"
	"unsafe"

	"github.com/roux-go/roux/internal/verr"
	"github.com/roux-go/roux/schema"
)

// countTests compiles a pair of minimum and maximum count keywords.
func countTests(minCode, maxCode string, lo, hi *int, noun, nouns string) []test[int] {
	var tests []test[int]
	if lo != nil {
		n := *lo
		tests = append(tests, test[int]{minCode, "must have at least " + count(n, noun, nouns), func(v int) bool { return v >= n }})
	}
	if hi != nil {
		n := *hi
		tests = append(tests, test[int]{maxCode, "must have at most " + count(n, noun, nouns), func(v int) bool { return v <= n }})
	}
	return tests
}

// arrayCheck compiles minItems, maxItems and uniqueItems for a slice or
// array type. The length of an array is fixed, so its counts are checked
// here, once.
func arrayCheck(t reflect.Type, s *schema.Schema) (check, error) {
	tests := countTests("minItems", "maxItems", s.MinItems, s.MaxItems, "item", "items")
	if t.Kind() == reflect.Array {
		for _, tt := range tests {
			if !tt.ok(t.Len()) {
				return nil, fmt.Errorf("%s can never be met by %v", tt.code, t)
			}
		}
		tests = nil
	}
	var dup func(unsafe.Pointer, int) (int, int, bool)
	if s.UniqueItems {
		dup = duplicates(t.Elem())
	}
	if len(tests) == 0 && dup == nil {
		return nil, nil
	}
	isSlice, length := t.Kind() == reflect.Slice, 0
	if !isSlice {
		length = t.Len()
	}
	return func(p unsafe.Pointer, path *verr.Path, errs *verr.List) {
		data, n := p, length
		if isSlice {
			h := (*sliceHeader)(p)
			data, n = h.data, h.len
		}
		for i := range tests {
			if !tests[i].ok(n) {
				errs.Report(path, tests[i].code, tests[i].detail)
			}
		}
		if dup != nil && n > 1 {
			if i, j, found := dup(data, n); found {
				errs.Report(path, "uniqueItems", fmt.Sprintf("must not contain duplicate items (items %d and %d are equal)", i, j))
			}
		}
	}, nil
}

// duplicates returns a search for two equal elements of type et among n
// at data. Scalars are compared as values (for n up to 16 by a quadratic
// loop, which does not allocate, above that with a map). Other elements
// are compared by their encoding/json form, which is JSON equality for
// values of one Go type: pointers are followed and unexported fields do
// not count.
func duplicates(et reflect.Type) func(unsafe.Pointer, int) (int, int, bool) {
	size := et.Size()
	switch k := et.Kind(); k {
	case reflect.String:
		return dupOf(size, textReader(et))
	case reflect.Float32, reflect.Float64:
		return dupOf(size, floatReader(k))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return dupOf(size, signedReader(k))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return dupOf(size, unsignedReader(k))
	case reflect.Bool:
		return dupOf(size, func(p unsafe.Pointer) (bool, bool) { return *(*bool)(p), true })
	}
	return dupOf(size, func(p unsafe.Pointer) (string, bool) {
		b, err := json.Marshal(reflect.NewAt(et, p).Interface())
		return string(b), err == nil
	})
}

func dupOf[T comparable](size uintptr, read func(unsafe.Pointer) (T, bool)) func(unsafe.Pointer, int) (int, int, bool) {
	return func(data unsafe.Pointer, n int) (int, int, bool) {
		at := func(i int) T {
			v, _ := read(unsafe.Add(data, uintptr(i)*size))
			return v
		}
		if n <= 16 {
			for j := 1; j < n; j++ {
				vj := at(j)
				for i := range j {
					if at(i) == vj {
						return i, j, true
					}
				}
			}
			return 0, 0, false
		}
		seen := make(map[T]int, n)
		for j := range n {
			v := at(j)
			if i, ok := seen[v]; ok {
				return i, j, true
			}
			seen[v] = j
		}
		return 0, 0, false
	}
}

// objectCheck compiles minProperties and maxProperties for a map or a
// struct. A struct member counts as present when it is required, or when
// it holds a value other than its zero value (the rule of the package
// documentation).
func objectCheck(t reflect.Type, s *schema.Schema) (check, error) {
	tests := countTests("minProperties", "maxProperties", s.MinProperties, s.MaxProperties, "property", "properties")
	if len(tests) == 0 {
		return nil, nil
	}
	size := func(p unsafe.Pointer) int { return reflect.NewAt(t, p).Elem().Len() }
	if t.Kind() == reflect.Struct {
		fields, err := schema.JSONFields(t)
		if err != nil {
			return nil, err
		}
		type present struct {
			offset uintptr
			absent func(unsafe.Pointer) bool
		}
		var ms []present
		for _, f := range fields {
			m := present{offset: f.Offset}
			if !s.IsRequired(f.Name) {
				m.absent = zeroTest(f.Type)
			}
			ms = append(ms, m)
		}
		size = func(p unsafe.Pointer) int {
			n := 0
			for _, m := range ms {
				if m.absent == nil || !m.absent(unsafe.Add(p, m.offset)) {
					n++
				}
			}
			return n
		}
	}
	return scalarCheck(func(p unsafe.Pointer) (int, bool) { return size(p), true }, tests, nil), nil
}
