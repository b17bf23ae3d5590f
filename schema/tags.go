package schema

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
)

// Keywords lists the struct tags that roux reads as JSON Schema keywords,
// besides "doc" (published as description) and "required".
var keywords = []string{
	"title", "format", "enum", "default", "example", "deprecated", "readOnly", "writeOnly",
	"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
	"minLength", "maxLength", "pattern",
	"minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties",
}

// ValidatedFormats are the "format" values that roux checks; others in
// annotationFormats are published without being enforced.
var validatedFormats = map[string]bool{
	"date-time": true, "date": true, "time": true, "email": true, "uuid": true,
	"uri": true, "ipv4": true, "ipv6": true, "hostname": true,
}

var annotationFormats = map[string]bool{
	"int32": true, "int64": true, "float": true, "double": true, "byte": true,
	"binary": true, "password": true, "uri-reference": true, "duration": true, "regex": true,
}

// FieldSchema returns the schema of a struct field: the schema of its type
// with the field's keyword tags applied. Keywords about values (minimum,
// minLength, pattern, format, enum, ...) apply to the elements of a slice
// and the values of a map; minItems, maxItems and uniqueItems to the slice,
// minProperties and maxProperties to the map or struct. A keyword that does
// not fit the type, or a value that does not parse, is an error.
func (r *Registry) FieldSchema(sf reflect.StructField) (*Schema, error) {
	t := sf.Type
	if elem, ok := OptionalElem(t); ok {
		if _, ok := sf.Tag.Lookup("default"); ok {
			return nil, fmt.Errorf("schema: %v has a default, but an absent Optional means \"leave it as it is\"; remove the default or use a plain field", t)
		}
		if _, nested := OptionalElem(elem); nested {
			return nil, fmt.Errorf("schema: %v: an Optional of an Optional says nothing more; use one", t)
		}
		t = elem // tags apply to the value, as for a field of its type
	}
	nullable := t.Kind() == reflect.Pointer
	if nullable {
		t = t.Elem()
	}
	base, err := r.Schema(t)
	if err != nil {
		return nil, err
	}
	s := new(Schema)
	*s = *base // the type's schema may be shared; tags apply to a copy
	if err := applyTags(s, sf.Tag, t); err != nil {
		return nil, err
	}
	if nullable {
		s = Nullable(s)
	}
	return s, nil
}

func applyTags(s *Schema, tag reflect.StructTag, t reflect.Type) error {
	if d, ok := tag.Lookup("doc"); ok {
		s.Description = d
	}
	// The value target receives keywords about scalar values.
	vs, vt := s, t
	switch {
	case s.Type.Has("array") && s.Items != nil:
		vs, vt = copyInto(&s.Items), t.Elem()
	case s.Type.Has("object") && s.AdditionalProperties != nil && s.AdditionalProperties != False:
		vs, vt = copyInto(&s.AdditionalProperties), t.Elem()
	}
	for _, k := range keywords {
		text, ok := tag.Lookup(k)
		if !ok {
			continue
		}
		if err := applyKeyword(s, vs, t, vt, k, text); err != nil {
			return fmt.Errorf("schema: tag %s:%q: %w", k, text, err)
		}
	}
	return nil
}

// copyInto replaces *p with a copy of itself so a tag never changes a
// schema shared with another field, and returns the copy.
func copyInto(p **Schema) *Schema {
	c := new(Schema)
	*c = **p
	*p = c
	return c
}

func applyKeyword(s, vs *Schema, t, vt reflect.Type, k, text string) error {
	switch k {
	case "title":
		s.Title = text
	case "deprecated", "readOnly", "writeOnly", "uniqueItems":
		b, err := strconv.ParseBool(text)
		if err != nil {
			return fmt.Errorf("want true or false")
		}
		switch k {
		case "deprecated":
			s.Deprecated = b
		case "readOnly":
			s.ReadOnly = b
		case "writeOnly":
			s.WriteOnly = b
		case "uniqueItems":
			if !s.Type.Has("array") {
				return fmt.Errorf("uniqueItems applies to slices, not %s", typeWord(s))
			}
			s.UniqueItems = b
		}
	case "default", "example":
		v, err := ParseValue(text, t, s)
		if err != nil {
			return err
		}
		if k == "default" {
			s.Default = v
		} else {
			s.Examples = []any{v}
		}
	case "enum":
		if vs.Ref != "" || (!vs.Type.Has("string") && !vs.Type.Has("integer") && !vs.Type.Has("number")) {
			return fmt.Errorf("enum applies to strings and numbers, not %s", typeWord(vs))
		}
		typeEnum := vs.Enum // from the type's Enum method: the tag may only narrow it
		vs.Enum = nil
		for item := range strings.SplitSeq(text, ",") {
			v, err := ParseValue(strings.TrimSpace(item), vt, vs)
			if err != nil {
				return err
			}
			if typeEnum != nil && !inEnum(v, typeEnum) {
				return fmt.Errorf("%v is not one of the values %v.Enum lists", v, vt)
			}
			vs.Enum = append(vs.Enum, v)
		}
	case "format":
		if vt == timeType && text != "date-time" {
			return fmt.Errorf("a time.Time is an RFC 3339 date-time; use a string field for format %s", text)
		}
		switch {
		case validatedFormats[text]:
			if !vs.Type.Has("string") {
				return fmt.Errorf("format %s applies to strings, not %s", text, typeWord(vs))
			}
		case annotationFormats[text]:
		default:
			return fmt.Errorf("unknown format; roux checks date-time, date, time, email, uuid, uri, ipv4, ipv6 and hostname")
		}
		vs.Format = text
	case "pattern":
		if !vs.Type.Has("string") || vs.Ref != "" {
			return fmt.Errorf("pattern applies to strings, not %s", typeWord(vs))
		}
		if _, err := regexp.Compile(text); err != nil {
			return fmt.Errorf("invalid regular expression: %v", err)
		}
		vs.Pattern = text
	case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf":
		if !vs.Type.Has("integer") && !vs.Type.Has("number") {
			return fmt.Errorf("%s applies to numbers, not %s", k, typeWord(vs))
		}
		f, err := strconv.ParseFloat(text, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("not a number")
		}
		if k == "multipleOf" && f <= 0 {
			return fmt.Errorf("multipleOf must be greater than 0")
		}
		*map[string]**float64{
			"minimum": &vs.Minimum, "maximum": &vs.Maximum, "multipleOf": &vs.MultipleOf,
			"exclusiveMinimum": &vs.ExclusiveMinimum, "exclusiveMaximum": &vs.ExclusiveMaximum,
		}[k] = &f
	case "minLength", "maxLength":
		if !vs.Type.Has("string") {
			return fmt.Errorf("%s applies to strings, not %s", k, typeWord(vs))
		}
		return setCount(map[string]**int{"minLength": &vs.MinLength, "maxLength": &vs.MaxLength}[k], text)
	case "minItems", "maxItems":
		if !s.Type.Has("array") {
			return fmt.Errorf("%s applies to slices, not %s", k, typeWord(s))
		}
		return setCount(map[string]**int{"minItems": &s.MinItems, "maxItems": &s.MaxItems}[k], text)
	case "minProperties", "maxProperties":
		if !s.Type.Has("object") && s.Ref == "" {
			return fmt.Errorf("%s applies to maps and structs, not %s", k, typeWord(s))
		}
		return setCount(map[string]**int{"minProperties": &s.MinProperties, "maxProperties": &s.MaxProperties}[k], text)
	}
	return nil
}

func setCount(dst **int, text string) error {
	n, err := strconv.Atoi(text)
	if err != nil || n < 0 {
		return fmt.Errorf("want a non-negative integer")
	}
	*dst = &n
	return nil
}

func typeWord(s *Schema) string {
	switch {
	case s.Ref != "":
		return "a struct (" + strings.TrimPrefix(s.Ref, RefPrefix) + ")"
	case len(s.Type) == 0:
		return "an untyped value"
	}
	return s.Type[0]
}

// ParseValue converts the text of a default, example or enum tag into the
// JSON value it denotes for a field of type t described by s: strings are
// taken as written, numbers and booleans are parsed, slices accept a JSON
// array or comma-separated items, and anything else must be JSON. The value
// must decode into t.
func ParseValue(text string, t reflect.Type, s *Schema) (any, error) {
	var v any
	var err error
	switch {
	case s.Type.Has("string") && s.Ref == "":
		v = text
	case s.Type.Has("integer"):
		if strings.HasPrefix(text, "-") {
			v, err = strconv.ParseInt(text, 10, 64)
		} else {
			v, err = strconv.ParseUint(text, 10, 64)
		}
	case s.Type.Has("number"):
		v, err = strconv.ParseFloat(text, 64)
	case s.Type.Has("boolean"):
		v, err = strconv.ParseBool(text)
	case s.Type.Has("array") && !strings.HasPrefix(text, "[") && s.Items != nil:
		items := []any{}
		for item := range strings.SplitSeq(text, ",") {
			iv, err := ParseValue(strings.TrimSpace(item), t.Elem(), s.Items)
			if err != nil {
				return nil, err
			}
			items = append(items, iv)
		}
		v = items
	default:
		err = json.Unmarshal([]byte(text), &v)
	}
	if err != nil {
		return nil, fmt.Errorf("%q is not a valid %s", text, typeWord(s))
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, reflect.New(t).Interface()); err != nil {
		return nil, fmt.Errorf("%s does not fit %v", b, t)
	}
	return v, nil
}
