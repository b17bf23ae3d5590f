// Package verr collects the per-field failures of one request: the binder,
// the body decoder and the validators all report into one [List], so a
// client learns every problem with its request in one response.
package verr

import (
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// Error is one failure of one value. For a body member Pointer is set (an
// RFC 6901 JSON Pointer such as "/items/0/name"; "" is the whole body); for
// a parameter Parameter and In are set ("path", "query", "header" or
// "cookie"). Code is the failing JSON Schema keyword ("minimum", "type",
// "required", "additionalProperties", ...). Value is the offending value,
// set only when HasValue is true and it is safe to echo.
type Error struct {
	Detail    string
	Pointer   string
	Parameter string
	In        string
	Code      string
	Value     any
	HasValue  bool
}

// MaxItems bounds the failures a List keeps, so that a hostile request
// (a megabyte of unknown members, say) cannot make an enormous response.
// Further failures are only counted, in Dropped.
const MaxItems = 100

// MaxEcho is the most a failure repeats of one piece of the request, in
// bytes: a member or parameter name, a JSON Pointer, a header value. A
// longer one is cut by [Clip]. With [MaxItems], it bounds a problem's size
// whatever the request holds (a 500 KB member name made a 2 MB problem
// before it).
const MaxEcho = 100

// MaxCause is the most a failure repeats of the text of an error it did
// not write (a custom type's UnmarshalText or UnmarshalJSON, which may
// quote the input), in bytes.
const MaxCause = 300

// Clip returns s if it is at most n bytes long, and otherwise its first
// n bytes or fewer, cut at a character boundary, followed by "…". A JSON
// Pointer stays well-formed: the cut never leaves a "~" without the digit
// of its escape.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if cut > 0 && s[cut-1] == '~' {
		cut--
	}
	return s[:cut] + "…"
}

// List is a list of failures. The zero value is an empty list ready to use.
//
// A List also carries one fact from the decoder to the validators: which
// optional members were sent holding their type's zero value. After
// decoding, Go cannot tell those from absent members, which are not
// validated; the decoder notes them with [List.NoteZero] so that they are.
type List struct {
	Items   []Error
	Dropped int // failures beyond MaxItems, counted but not kept

	zeros []zeroMark
}

// zeroMark identifies a value by address and type: a struct and its first
// member share an address, never a type.
type zeroMark struct {
	p unsafe.Pointer
	t reflect.Type
}

// NoteZero records that the value of type t at p was sent, holding the
// zero value of t.
func (l *List) NoteZero(p unsafe.Pointer, t reflect.Type) {
	l.zeros = append(l.zeros, zeroMark{p, t})
}

// SentZero reports whether [List.NoteZero] recorded the value of type t
// at p. It is a linear search: such values are rare.
func (l *List) SentZero(p unsafe.Pointer, t reflect.Type) bool {
	for _, z := range l.zeros {
		if z.p == p && z.t == t {
			return true
		}
	}
	return false
}

// Add appends e, or counts it in Dropped once the list holds MaxItems.
func (l *List) Add(e Error) {
	if len(l.Items) >= MaxItems {
		l.Dropped++
		return
	}
	l.Items = append(l.Items, e)
}

// Len returns the number of failures, dropped ones included.
func (l *List) Len() int { return len(l.Items) + l.Dropped }

// Reset empties the list, keeping its storage.
func (l *List) Reset() {
	clear(l.Items)
	l.Items, l.Dropped = l.Items[:0], 0
	clear(l.zeros)
	l.zeros = l.zeros[:0]
}

// Path is the location of the value being decoded or validated. It is
// either a parameter (set by [Path.SetParam]) or a place in the body,
// tracked as a stack of member names and array indexes. Pushing and
// popping do not allocate once the stack has grown; the pointer string is
// only built when a failure is reported.
type Path struct {
	param, in string
	parts     []part
}

type part struct {
	name  string
	index int // -1 for a member name
}

// SetParam makes p refer to parameter name in location in (and clears the
// body path).
func (p *Path) SetParam(name, in string) { p.param, p.in, p.parts = name, in, p.parts[:0] }

// Reset forgets everything p held, keeping its storage.
func (p *Path) Reset() {
	clear(p.parts)
	p.param, p.in, p.parts = "", "", p.parts[:0]
}

// SetBody makes p refer to the request body root.
func (p *Path) SetBody() { p.param, p.in, p.parts = "", "", p.parts[:0] }

// Push enters object member name.
func (p *Path) Push(name string) { p.parts = append(p.parts, part{name: name, index: -1}) }

// PushIndex enters array element i.
func (p *Path) PushIndex(i int) { p.parts = append(p.parts, part{index: i}) }

// Pop leaves the innermost member or element.
func (p *Path) Pop() { p.parts = p.parts[:len(p.parts)-1] }

// Pointer returns the RFC 6901 JSON Pointer of the current body location,
// clipped to [MaxEcho] bytes (see [Clip]): a member name can be as long as
// the body, and nesting thousands of levels deep.
func (p *Path) Pointer() string {
	var b strings.Builder
	for _, pt := range p.parts {
		if b.Len() > MaxEcho {
			break
		}
		b.WriteByte('/')
		if pt.index >= 0 {
			b.WriteString(strconv.Itoa(pt.index))
			continue
		}
		name := pt.name
		if len(name) > MaxEcho {
			name = name[:MaxEcho+1] // Clip cuts it again, at a character boundary
		}
		if strings.ContainsAny(name, "~/") {
			b.WriteString(pointerEscaper.Replace(name))
		} else {
			b.WriteString(name)
		}
	}
	return Clip(b.String(), MaxEcho)
}

// pointerEscaper escapes a member name for a JSON Pointer (RFC 6901 §3).
var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// Report adds a failure at the current location of p to l.
func (l *List) Report(p *Path, code, detail string) {
	l.Add(p.errorAt(code, detail))
}

// ReportValue is Report with the offending value echoed.
func (l *List) ReportValue(p *Path, code, detail string, value any) {
	e := p.errorAt(code, detail)
	e.Value, e.HasValue = value, true
	l.Add(e)
}

// errorAt is a failure at p. A parameter's name is clipped: an unknown
// form field's is the client's.
func (p *Path) errorAt(code, detail string) Error {
	if p.in != "" {
		return Error{Detail: detail, Parameter: Clip(p.param, MaxEcho), In: p.in, Code: code}
	}
	return Error{Detail: detail, Pointer: p.Pointer(), Code: code}
}

// Within reports whether l holds a failure at p's location or below it:
// for a parameter, a failure of that parameter; in the body, one whose
// pointer is p's or continues it. Failures beyond MaxItems are not kept,
// so it reports true once any was dropped. It allocates only when l is
// not empty and p is in the body (to build p's pointer).
func (l *List) Within(p *Path) bool {
	switch {
	case l.Dropped > 0:
		return true
	case len(l.Items) == 0:
		return false
	case p.in != "":
		for _, e := range l.Items {
			if e.In == p.in && e.Parameter == p.param {
				return true
			}
		}
		return false
	}
	ptr := p.Pointer()
	for _, e := range l.Items {
		if e.In == "" && strings.HasPrefix(e.Pointer, ptr) && (len(e.Pointer) == len(ptr) || e.Pointer[len(ptr)] == '/') {
			return true
		}
	}
	return false
}
