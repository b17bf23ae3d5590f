package schema

import (
	"fmt"
	"reflect"
	"strings"
)

// Field is an exported struct field as it appears in a JSON object: the
// member name and how to reach the field from the outer struct. Embedded
// structs without a json tag are flattened, as encoding/json does.
type Field struct {
	Name      string       // JSON member name
	Index     []int        // index path for reflect.Value.FieldByIndex
	Offset    uintptr      // byte offset from the start of the outer struct
	Type      reflect.Type // the field's type
	OmitEmpty bool         // the json tag has omitempty
	OmitZero  bool         // the json tag has omitzero
	Struct    reflect.StructField
}

// JSONFields lists the JSON members of struct type t in declaration order.
// Fields tagged `json:"-"` and unexported fields are left out. It reports
// an error for what roux cannot describe: two fields with the same name at
// the same depth, embedded pointers, and the ",string" option.
func JSONFields(t reflect.Type) ([]Field, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("schema: %v is not a struct", t)
	}
	var out []Field
	depth := map[string]int{}
	if err := collectFields(t, nil, 0, 0, &out, depth); err != nil {
		return nil, err
	}
	// Drop fields shadowed by shallower ones (encoding/json's rule).
	kept := out[:0]
	for _, f := range out {
		if depth[f.Name] == len(f.Index) {
			kept = append(kept, f)
		}
	}
	return kept, nil
}

func collectFields(t reflect.Type, index []int, base uintptr, level int, out *[]Field, depth map[string]int) error {
	for i := range t.NumField() {
		sf := t.Field(i)
		tag, hasTag := sf.Tag.Lookup("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		idx := append(index[:len(index):len(index)], i)
		if sf.Anonymous && name == "" {
			ft := sf.Type
			if ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct {
				return fmt.Errorf("schema: %v embeds *%v: embed the struct by value or give the field a json name", t, ft.Elem())
			}
			if ft.Kind() == reflect.Struct {
				if err := collectFields(ft, idx, base+sf.Offset, level+1, out, depth); err != nil {
					return err
				}
				continue
			}
			if !sf.IsExported() {
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		_ = hasTag
		f := Field{Name: name, Index: idx, Offset: base + sf.Offset, Type: sf.Type, Struct: sf}
		for opt := range strings.SplitSeq(opts, ",") {
			switch opt {
			case "omitempty":
				f.OmitEmpty = true
			case "omitzero":
				f.OmitZero = true
			case "string":
				return fmt.Errorf("schema: field %v.%s: the json option \",string\" is not supported; use a string field", t, sf.Name)
			}
		}
		if d, ok := depth[name]; ok {
			if d == len(idx) {
				return fmt.Errorf("schema: %v has two fields named %q at the same depth; rename one with a json tag", t, name)
			}
			if d < len(idx) {
				continue
			}
		}
		depth[name] = len(idx)
		*out = append(*out, f)
	}
	return nil
}
