// Package yamlenc converts a JSON document to block-style YAML 1.2,
// keeping the order of object members. Strings are written as YAML
// double-quoted scalars, whose escapes are a superset of JSON's, so every
// JSON string is carried over exactly; numbers, booleans and null are
// written as they are.
package yamlenc

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// FromJSON returns the YAML form of the JSON value in b.
func FromJSON(b []byte) ([]byte, error) {
	dec := jsontext.NewDecoder(bytes.NewReader(b))
	var out bytes.Buffer
	w := &writer{dec: dec, out: &out}
	if err := w.value(0, false); err != nil {
		return nil, fmt.Errorf("yamlenc: %w", err)
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

type writer struct {
	dec *jsontext.Decoder
	out *bytes.Buffer
}

// value writes the next value. inline is true when the value follows a
// "key:" or "- " on the same line, so a block collection must start on a
// new line (objects after "- " are the exception, handled by the caller).
func (w *writer) value(indent int, inline bool) error {
	switch w.dec.PeekKind() {
	case '{':
		return w.object(indent, inline)
	case '[':
		return w.array(indent, inline)
	}
	v, err := w.dec.ReadValue()
	if err != nil {
		return err
	}
	if inline {
		w.out.WriteByte(' ')
	}
	w.out.Write(v)
	return nil
}

func (w *writer) object(indent int, inline bool) error {
	if _, err := w.dec.ReadToken(); err != nil {
		return err
	}
	if w.dec.PeekKind() == '}' {
		_, err := w.dec.ReadToken()
		w.space(inline)
		w.out.WriteString("{}")
		return err
	}
	first := true
	for w.dec.PeekKind() != '}' {
		name, err := w.dec.ReadValue()
		if err != nil {
			return err
		}
		if !(first && !inline && w.out.Len() > 0 && w.afterDash()) {
			w.newline(indent)
		}
		first = false
		w.out.WriteString(key(name))
		w.out.WriteByte(':')
		if err := w.value(indent+2, true); err != nil {
			return err
		}
	}
	_, err := w.dec.ReadToken()
	return err
}

func (w *writer) array(indent int, inline bool) error {
	if _, err := w.dec.ReadToken(); err != nil {
		return err
	}
	if w.dec.PeekKind() == ']' {
		_, err := w.dec.ReadToken()
		w.space(inline)
		w.out.WriteString("[]")
		return err
	}
	for w.dec.PeekKind() != ']' {
		w.newline(indent)
		w.out.WriteString("- ")
		var err error
		switch w.dec.PeekKind() {
		case '{':
			err = w.object(indent+2, false)
		case '[':
			err = w.array(indent+2, false)
		default:
			var v jsontext.Value
			v, err = w.dec.ReadValue()
			w.out.Write(v)
		}
		if err != nil {
			return err
		}
	}
	_, err := w.dec.ReadToken()
	return err
}

// afterDash reports whether the output ends in "- ", where an object's
// first member goes on the same line.
func (w *writer) afterDash() bool { return bytes.HasSuffix(w.out.Bytes(), []byte("- ")) }

func (w *writer) space(inline bool) {
	if inline {
		w.out.WriteByte(' ')
	}
}

func (w *writer) newline(indent int) {
	if w.out.Len() > 0 {
		w.out.WriteByte('\n')
	}
	w.out.WriteString(strings.Repeat(" ", indent))
}

var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

var reserved = map[string]bool{"true": true, "false": true, "null": true, "yes": true, "no": true, "on": true, "off": true, "y": true, "n": true}

// key writes a member name plainly when that cannot be misread, and as a
// double-quoted scalar otherwise.
func key(quoted jsontext.Value) string {
	s := string(quoted)
	if !strings.Contains(s, `\`) {
		raw := s[1 : len(s)-1]
		if plainKey.MatchString(raw) && !reserved[strings.ToLower(raw)] {
			return raw
		}
	}
	return s
}
