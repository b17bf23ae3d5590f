package roux

// The JSON encoding of flat response bodies.
//
// json.MarshalWrite spends most of its time on a small body setting up:
// it takes a streaming encoder from a pool, joins the options, looks the
// type's marshaler up in a concurrent map and drives the encoder's state
// machine token by token. For a struct made of strings, integers and
// booleans (and structs of those), the bytes it writes follow from the
// type alone, so the encoding is compiled once at registration into a
// list of members, each with its offset, its kind and its name already
// quoted, and a request appends straight to the response buffer.
//
// Only types whose encoding is certain are compiled: a field or struct
// with exported methods (a marshaler, IsZero, a format), a float, a
// pointer, a collection, an embedded field, a tag option other than
// omitempty and omitzero, or a name the tag grammar would need quoting
// for, leaves the whole body to json.MarshalWrite. The output is the
// same byte for byte, as wire.JSON makes it: invalid UTF-8 becomes
// U+FFFD, '<', '>' and '&' are not escaped, and omitempty omits false, 0
// and "" as encoding/json does. FuzzFlatJSON compares the two.

import (
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/go-json-experiment/json/jsontext"
)

// flatJSON is the compiled encoding of a flat struct.
type flatJSON struct {
	members []flatMember
}

// flatMember is one member of a flat struct's JSON object.
type flatMember struct {
	offset uintptr
	kind   reflect.Kind
	omit   bool      // omitempty or omitzero: a zero value sends nothing
	name   string    // the quoted name and the colon: `"id":`
	sub    *flatJSON // the encoding of a struct member (kind Struct)
}

// maxFlatDepth bounds the nesting of flat structs, so that a deep type
// is left to the encoder rather than compiled into a deep recursion.
const maxFlatDepth = 8

// compileFlatJSON returns the encoding of t, or nil when t is not flat.
func compileFlatJSON(t reflect.Type) *flatJSON {
	return compileFlat(t, 0)
}

func compileFlat(t reflect.Type, depth int) *flatJSON {
	if t.Kind() != reflect.Struct || depth > maxFlatDepth || hasMethods(t) {
		return nil
	}
	enc := &flatJSON{}
	exported := false
	for i := range t.NumField() {
		sf := t.Field(i)
		tag, tagged := sf.Tag.Lookup("json")
		if sf.Anonymous {
			return nil // embedded fields promote members: left to the encoder
		}
		if !sf.IsExported() {
			if tagged && tag != "-" {
				return nil // an error for the encoder
			}
			continue
		}
		exported = true
		if tag == "-" {
			continue
		}
		name, opts, hasOpts := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		} else if strings.ContainsAny(name, "\\'\"`") || !utf8.ValidString(name) {
			return nil
		}
		m := flatMember{offset: sf.Offset, kind: sf.Type.Kind()}
		if hasOpts {
			for opt := range strings.SplitSeq(opts, ",") {
				if opt != "omitempty" && opt != "omitzero" || m.omit {
					return nil // another option, an empty one, or two
				}
				m.omit = true
			}
		}
		switch m.kind {
		case reflect.String, reflect.Bool,
			reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			if hasMethods(sf.Type) {
				return nil
			}
		case reflect.Struct:
			if m.omit {
				return nil // a zero struct would be omitted: rare, left to the encoder
			}
			if m.sub = compileFlat(sf.Type, depth+1); m.sub == nil {
				return nil
			}
		default:
			return nil
		}
		q, _ := jsontext.AppendQuote(nil, name)
		m.name = string(append(q, ':'))
		enc.members = append(enc.members, m)
	}
	if !exported && t.NumField() > 0 {
		return nil // the encoder refuses a struct with no exported field
	}
	return enc
}

// hasMethods reports whether t or *t has exported methods; any of them
// could change the encoding (MarshalJSON, MarshalText, IsZero, ...).
func hasMethods(t reflect.Type) bool {
	return t.NumMethod() > 0 || reflect.PointerTo(t).NumMethod() > 0
}

// appendTo appends the JSON object of the struct at p to b.
func (e *flatJSON) appendTo(b []byte, p unsafe.Pointer) []byte {
	b = append(b, '{')
	first := true
	for i := range e.members {
		m := &e.members[i]
		f := unsafe.Add(p, m.offset)
		if m.omit && isZeroScalar(m.kind, f) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, m.name...)
		switch m.kind {
		case reflect.String:
			b = appendJSONString(b, *(*string)(f))
		case reflect.Bool:
			b = strconv.AppendBool(b, *(*bool)(f))
		case reflect.Int:
			b = strconv.AppendInt(b, int64(*(*int)(f)), 10)
		case reflect.Int8:
			b = strconv.AppendInt(b, int64(*(*int8)(f)), 10)
		case reflect.Int16:
			b = strconv.AppendInt(b, int64(*(*int16)(f)), 10)
		case reflect.Int32:
			b = strconv.AppendInt(b, int64(*(*int32)(f)), 10)
		case reflect.Int64:
			b = strconv.AppendInt(b, *(*int64)(f), 10)
		case reflect.Uint:
			b = strconv.AppendUint(b, uint64(*(*uint)(f)), 10)
		case reflect.Uint8:
			b = strconv.AppendUint(b, uint64(*(*uint8)(f)), 10)
		case reflect.Uint16:
			b = strconv.AppendUint(b, uint64(*(*uint16)(f)), 10)
		case reflect.Uint32:
			b = strconv.AppendUint(b, uint64(*(*uint32)(f)), 10)
		case reflect.Uint64:
			b = strconv.AppendUint(b, *(*uint64)(f), 10)
		case reflect.Struct:
			b = m.sub.appendTo(b, f)
		}
	}
	return append(b, '}')
}

// isZeroScalar reports whether the scalar of kind k at p holds its zero
// value: what omitempty (with encoding/json's meaning) and omitzero skip.
func isZeroScalar(k reflect.Kind, p unsafe.Pointer) bool {
	switch k {
	case reflect.String:
		return len(*(*string)(p)) == 0
	case reflect.Bool, reflect.Int8, reflect.Uint8:
		return *(*uint8)(p) == 0
	case reflect.Int16, reflect.Uint16:
		return *(*uint16)(p) == 0
	case reflect.Int32, reflect.Uint32:
		return *(*uint32)(p) == 0
	case reflect.Int, reflect.Uint:
		return *(*uint)(p) == 0
	default: // Int64, Uint64
		return *(*uint64)(p) == 0
	}
}

// plainJSON marks the bytes a JSON string holds as they are: printable
// ASCII other than '"' and '\\'.
var plainJSON = func() (t [256]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendJSONString appends s quoted. A string of printable ASCII with
// nothing to escape, the common case, is copied as it is; anything else
// goes through jsontext.AppendQuote, whose output for invalid UTF-8 (each
// bad byte as U+FFFD, with an error this encoding does not report) is
// what jsontext.AllowInvalidUTF8 makes of it.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if !plainJSON[s[i]] {
			b, _ = jsontext.AppendQuote(b, s)
			return b
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
