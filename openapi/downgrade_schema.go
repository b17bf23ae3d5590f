package openapi

import (
	"encoding/json"
	"slices"
	"strings"
)

// keywords30 are the members a Schema Object may have in OpenAPI 3.0,
// besides x- extensions.
var keywords30 = map[string]bool{
	"$ref": true, "title": true, "multipleOf": true, "maximum": true, "exclusiveMaximum": true,
	"minimum": true, "exclusiveMinimum": true, "maxLength": true, "minLength": true,
	"pattern": true, "maxItems": true, "minItems": true, "uniqueItems": true,
	"maxProperties": true, "minProperties": true, "required": true, "enum": true, "type": true,
	"allOf": true, "oneOf": true, "anyOf": true, "not": true, "items": true, "properties": true,
	"additionalProperties": true, "description": true, "format": true, "default": true,
	"nullable": true, "discriminator": true, "readOnly": true, "writeOnly": true, "xml": true,
	"externalDocs": true, "example": true, "deprecated": true,
}

// schema30 returns the 3.0 form of the 2020-12 schema v. Objects are
// rewritten in place; boolean schemas become objects.
func schema30(v any) any {
	switch s := v.(type) {
	case bool:
		o := newObject()
		if !s {
			o.set("not", newObject())
		}
		return o
	case *object:
		schemaObject(s)
	}
	return v
}

func schemaObject(s *object) {
	nullAlternatives(s)
	if c, ok := s.get("const"); ok {
		s.rename("const", "enum", []any{c})
	}
	if ex, ok := s.get("examples"); ok {
		s.del("examples")
		if a, _ := ex.([]any); len(a) > 0 && !s.has("example") {
			s.set("example", a[0])
		}
	}
	if enc, ok := s.get("contentEncoding"); ok {
		s.del("contentEncoding")
		if enc == "base64" && !s.has("format") {
			s.set("format", "byte")
		}
	}
	s.del("contentMediaType")
	exclusiveBound(s, "exclusiveMinimum", "minimum", func(ex, b float64) bool { return ex >= b })
	exclusiveBound(s, "exclusiveMaximum", "maximum", func(ex, b float64) bool { return ex <= b })
	typeList(s)

	// Subschemas.
	if p := s.member("properties"); p != nil {
		for _, k := range p.keys {
			p.vals[k] = schema30(p.vals[k])
		}
	}
	for _, k := range []string{"items", "not"} {
		if v, ok := s.get(k); ok {
			s.set(k, schema30(v))
		}
	}
	if v, ok := s.get("additionalProperties"); ok {
		if _, isBool := v.(bool); !isBool {
			s.set("additionalProperties", schema30(v))
		}
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		if a, ok := s.vals[k].([]any); ok {
			for i := range a {
				a[i] = schema30(a[i])
			}
		}
	}

	for _, k := range slices.Clone(s.keys) {
		if !keywords30[k] && !strings.HasPrefix(k, "x-") {
			s.del(k)
		}
	}
	if ref, ok := s.get("$ref"); ok && len(s.keys) > 1 {
		wrapped := newObject()
		wrapped.set("$ref", ref)
		all, _ := s.vals["allOf"].([]any)
		s.del("allOf")
		s.rename("$ref", "allOf", append([]any{wrapped}, all...))
	}
	if t, _ := s.get("type"); t == "array" && !s.has("items") {
		s.set("items", newObject())
	}
}

// isNullSchema reports whether v is {"type": "null"} or {"type": ["null"]}.
func isNullSchema(v any) bool {
	o := asObject(v)
	if o == nil || len(o.keys) != 1 {
		return false
	}
	switch t := o.vals["type"].(type) {
	case string:
		return t == "null"
	case []any:
		return len(t) == 1 && t[0] == "null"
	}
	return false
}

// nullAlternatives turns anyOf/oneOf [X, {type: null}] into a nullable X.
func nullAlternatives(s *object) {
	for _, k := range []string{"anyOf", "oneOf"} {
		alts, ok := s.vals[k].([]any)
		if !ok {
			continue
		}
		rest := slices.DeleteFunc(slices.Clone(alts), isNullSchema)
		if len(rest) == len(alts) {
			continue
		}
		switch {
		case len(rest) > 1:
			s.set(k, rest)
		case len(rest) == 0:
			s.del(k)
			s.set("enum", []any{nil})
		default:
			s.del(k)
			alt := asObject(rest[0])
			if alt != nil && !alt.has("$ref") && !overlaps(s, alt) {
				for _, ak := range alt.keys {
					s.set(ak, alt.vals[ak])
				}
			} else {
				all, _ := s.vals["allOf"].([]any)
				s.set("allOf", append(all, rest[0]))
			}
		}
		s.set("nullable", true)
	}
}

// overlaps reports whether a and b have a member name in common.
func overlaps(a, b *object) bool {
	for _, k := range b.keys {
		if a.has(k) {
			return true
		}
	}
	return false
}

// exclusiveBound rewrites a numeric exclusive bound ex (exclusiveMinimum)
// as bound (minimum) plus ex: true. When both are present, stricter
// reports whether the exclusive one is the stricter.
func exclusiveBound(s *object, ex, bound string, stricter func(ex, b float64) bool) {
	exv, ok := s.vals[ex].(json.Number)
	if !ok {
		return // absent, or already a 3.0 boolean
	}
	if bv, ok := s.vals[bound].(json.Number); ok {
		e, err1 := exv.Float64()
		b, err2 := bv.Float64()
		if err1 == nil && err2 == nil && !stricter(e, b) {
			s.del(ex) // the inclusive bound already excludes more
			return
		}
		s.set(bound, exv)
		s.set(ex, true)
		return
	}
	s.rename(ex, bound, exv)
	s.setAfter(bound, ex, true)
}

// typeList turns a 2020-12 type array, or type "null", into 3.0's single
// type with nullable.
func typeList(s *object) {
	var types []string
	switch t := s.vals["type"].(type) {
	case string:
		if t != "null" {
			return
		}
		types = []string{t}
	case []any:
		for _, v := range t {
			if n, ok := v.(string); ok {
				types = append(types, n)
			}
		}
	default:
		return
	}
	nullable := slices.Contains(types, "null")
	types = slices.DeleteFunc(types, func(t string) bool { return t == "null" })
	switch len(types) {
	case 0:
		s.del("type")
		if !s.has("enum") {
			s.set("enum", []any{nil})
		}
	case 1:
		s.set("type", types[0])
	default:
		alts := make([]any, len(types))
		for i, t := range types {
			o := newObject()
			o.set("type", t)
			alts[i] = o
		}
		if s.has("anyOf") {
			all, _ := s.vals["allOf"].([]any)
			wrap := newObject()
			wrap.set("anyOf", alts)
			s.set("allOf", append(all, wrap))
			s.del("type")
		} else {
			s.rename("type", "anyOf", alts)
		}
	}
	if nullable {
		s.setAfter("type", "nullable", true)
	}
}
