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
// quoted, and a request appends straight to the response buffer. A
// time.Time member is written as the encoder writes it (RFC 3339 with
// nanoseconds), and a slice of strings, integers, booleans or flat
// structs as an array of them (nil as [], as the encoder does).
//
// Only types whose encoding is certain are compiled: a field or struct
// with a method the encoder calls (MarshalJSONTo, MarshalJSON,
// AppendText, MarshalText, IsZero), a type of package time other than
// time.Time, a float, a pointer, a map, an array, a byte slice, an
// embedded field, a tag option other than omitempty and omitzero (or
// either on a time or a slice), or a name the tag grammar would need
// quoting for, leaves the whole body to json.MarshalWrite. The output is
// the same byte for byte, as wire.JSON makes it: invalid UTF-8 becomes
// U+FFFD, '<', '>' and '&' are not escaped, and omitempty omits false, 0
// and "" as encoding/json does. A time the encoder refuses (a year
// outside [0,9999], a zone offset of 24 hours or more) makes appendTo
// return nil, and the body goes to json.MarshalWrite, which says why.
// FuzzFlatJSON compares the two.

import (
	"reflect"
	"strconv"
	"strings"
	"time"
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
	kind   reflect.Kind // of the member; flatTime for a time.Time
	omit   bool         // omitempty or omitzero: a zero value sends nothing
	name   string       // the quoted name and the colon: `"id":`
	sub    *flatJSON    // the encoding of a struct member, or of a slice's struct elements
	elem   reflect.Kind // a slice's element kind
	size   uintptr      // a slice's element size
}

// flatTime is the kind of a time.Time member.
const flatTime = reflect.UnsafePointer + 1

var timeType = reflect.TypeFor[time.Time]()

// maxFlatDepth bounds the nesting of flat structs, so that a deep type
// is left to the encoder rather than compiled into a deep recursion.
const maxFlatDepth = 8

// compileFlatJSON returns the encoding of t, or nil when t is not flat.
func compileFlatJSON(t reflect.Type) *flatJSON {
	return compileFlat(t, 0)
}

func compileFlat(t reflect.Type, depth int) *flatJSON {
	if t.Kind() != reflect.Struct || depth > maxFlatDepth || hasJSONMethods(t) || t.PkgPath() == "time" {
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
		switch {
		case sf.Type == timeType:
			if m.omit {
				return nil // omitempty never omits a struct, omitzero the zero time: left to the encoder
			}
			m.kind = flatTime
		case isFlatScalar(sf.Type):
		case m.kind == reflect.Struct:
			if m.omit {
				return nil // a zero struct would be omitted: rare, left to the encoder
			}
			if m.sub = compileFlat(sf.Type, depth+1); m.sub == nil {
				return nil
			}
		case m.kind == reflect.Slice:
			et := sf.Type.Elem()
			if m.omit || hasJSONMethods(sf.Type) {
				return nil // omitempty and omitzero differ on an empty slice: left to the encoder
			}
			m.elem, m.size = et.Kind(), et.Size()
			switch {
			case m.elem == reflect.Uint8:
				return nil // base64
			case isFlatScalar(et):
			case m.elem == reflect.Struct && et != timeType:
				if m.sub = compileFlat(et, depth+1); m.sub == nil {
					return nil
				}
			default:
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

// jsonMethods are the methods the encoder calls on a value of any type:
// its marshaler interfaces, and IsZero for omitzero.
var jsonMethods = []string{"MarshalJSONTo", "MarshalJSON", "AppendText", "MarshalText", "IsZero"}

// hasJSONMethods reports whether t or *t has a method of jsonMethods,
// whatever its signature: any of them could change the encoding. Other
// methods (String, a schema's Enum) do not.
func hasJSONMethods(t reflect.Type) bool {
	pt := reflect.PointerTo(t)
	for _, name := range jsonMethods {
		if _, ok := pt.MethodByName(name); ok { // *t has the methods of t too
			return true
		}
	}
	return false
}

// isFlatScalar reports whether t is a string, boolean or integer type the
// flat encoding writes: none of package time (a Duration is a number of
// nanoseconds by wire.JSON's option, left to the encoder) and none with
// a method of jsonMethods.
func isFlatScalar(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return t.PkgPath() != "time" && !hasJSONMethods(t)
	}
	return false
}

// appendTo appends the JSON object of the struct at p to b. It returns
// nil when a time in it is one the encoder refuses.
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
		switch m.kind { // the commonest kinds first, without a call
		case reflect.String:
			b = appendJSONString(b, *(*string)(f))
		case reflect.Int64:
			b = strconv.AppendInt(b, *(*int64)(f), 10)
		case reflect.Int:
			b = strconv.AppendInt(b, int64(*(*int)(f)), 10)
		case reflect.Struct:
			if b = m.sub.appendTo(b, f); b == nil {
				return nil
			}
		case reflect.Slice:
			if b = m.appendSlice(b, f); b == nil {
				return nil
			}
		case flatTime:
			if b = appendJSONTime(b, (*time.Time)(f)); b == nil {
				return nil
			}
		default:
			b = appendScalar(b, m.kind, f)
		}
	}
	return append(b, '}')
}

// appendSlice appends the slice at p as a JSON array (nil is []), or
// returns nil as appendTo does.
func (m *flatMember) appendSlice(b []byte, p unsafe.Pointer) []byte {
	s := (*sliceHeader)(p)
	b = append(b, '[')
	for i := range s.len {
		if i > 0 {
			b = append(b, ',')
		}
		e := unsafe.Add(s.data, uintptr(i)*m.size)
		if m.sub == nil {
			b = appendScalar(b, m.elem, e)
		} else if b = m.sub.appendTo(b, e); b == nil {
			return nil
		}
	}
	return append(b, ']')
}

// sliceHeader is the layout of a slice.
type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

// appendScalar appends the string, boolean or integer of kind k at p.
func appendScalar(b []byte, k reflect.Kind, p unsafe.Pointer) []byte {
	switch k {
	case reflect.String:
		return appendJSONString(b, *(*string)(p))
	case reflect.Bool:
		return strconv.AppendBool(b, *(*bool)(p))
	case reflect.Int:
		return strconv.AppendInt(b, int64(*(*int)(p)), 10)
	case reflect.Int8:
		return strconv.AppendInt(b, int64(*(*int8)(p)), 10)
	case reflect.Int16:
		return strconv.AppendInt(b, int64(*(*int16)(p)), 10)
	case reflect.Int32:
		return strconv.AppendInt(b, int64(*(*int32)(p)), 10)
	case reflect.Int64:
		return strconv.AppendInt(b, *(*int64)(p), 10)
	case reflect.Uint:
		return strconv.AppendUint(b, uint64(*(*uint)(p)), 10)
	case reflect.Uint8:
		return strconv.AppendUint(b, uint64(*(*uint8)(p)), 10)
	case reflect.Uint16:
		return strconv.AppendUint(b, uint64(*(*uint16)(p)), 10)
	case reflect.Uint32:
		return strconv.AppendUint(b, uint64(*(*uint32)(p)), 10)
	default: // Uint64
		return strconv.AppendUint(b, *(*uint64)(p), 10)
	}
}

// appendJSONTime appends t as the encoder does by default: RFC 3339 with
// nanoseconds, quoted. It returns nil for what the encoder refuses: a
// year that is not four digits, a zone offset of 24 hours or more.
func appendJSONTime(b []byte, t *time.Time) []byte {
	b = append(b, '"')
	n := len(b)
	b = t.AppendFormat(b, time.RFC3339Nano)
	v := b[n:]
	if v[len("9999")] != '-' {
		return nil
	}
	if v[len(v)-1] != 'Z' {
		if c := v[len(v)-len("Z07:00")]; '0' <= c && c <= '9' || (v[len(v)-5]-'0')*10+v[len(v)-4]-'0' >= 24 {
			return nil
		}
	}
	return append(b, '"')
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
