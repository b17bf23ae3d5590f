package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
)

// object is a JSON object that keeps the order of its members, so a
// transformed document lists properties in the order they were
// published. Values are *object, []any, string, json.Number, bool or nil.
type object struct {
	keys []string
	vals map[string]any
}

func newObject() *object { return &object{vals: map[string]any{}} }

// get returns the value of member k.
func (o *object) get(k string) (any, bool) {
	v, ok := o.vals[k]
	return v, ok
}

// has reports whether member k is present.
func (o *object) has(k string) bool {
	_, ok := o.vals[k]
	return ok
}

// set replaces the value of member k in place, or appends the member.
func (o *object) set(k string, v any) {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

// setAfter sets member k, placing a new member right after member at
// (or last when at is absent).
func (o *object) setAfter(at, k string, v any) {
	if o.has(k) {
		o.vals[k] = v
		return
	}
	i := slices.Index(o.keys, at)
	if i < 0 {
		o.set(k, v)
		return
	}
	o.keys = slices.Insert(o.keys, i+1, k)
	o.vals[k] = v
}

// rename replaces member old by member k with value v, in old's place.
// If old is absent, k is set as by set.
func (o *object) rename(old, k string, v any) {
	i := slices.Index(o.keys, old)
	if i < 0 || o.has(k) && k != old {
		o.del(old)
		o.set(k, v)
		return
	}
	delete(o.vals, old)
	o.keys[i] = k
	o.vals[k] = v
}

// del removes member k, if present.
func (o *object) del(k string) {
	if _, ok := o.vals[k]; !ok {
		return
	}
	delete(o.vals, k)
	o.keys = slices.DeleteFunc(o.keys, func(s string) bool { return s == k })
}

// MarshalJSON writes the members in order.
func (o *object) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, k := range o.keys {
		if i > 0 {
			b = append(b, ',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		vb, err := json.Marshal(o.vals[k])
		if err != nil {
			return nil, err
		}
		b = append(append(append(b, kb...), ':'), vb...)
	}
	return append(b, '}'), nil
}

// asObject returns v as an object, or nil.
func asObject(v any) *object {
	o, _ := v.(*object)
	return o
}

// member returns member k of o as an object, or nil.
func (o *object) member(k string) *object {
	v, _ := o.get(k)
	return asObject(v)
}

// parseTree decodes one JSON value, keeping object member order and
// numbers as written.
func parseTree(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	v, err := parseValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, fmt.Errorf("unexpected data after the document")
	}
	return v, nil
}

func parseValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return tok, nil // string, json.Number, bool or nil
	}
	switch d {
	case '{':
		o := newObject()
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			v, err := parseValue(dec)
			if err != nil {
				return nil, err
			}
			o.set(kt.(string), v)
		}
		_, err := dec.Token() // '}'
		return o, err
	case '[':
		a := []any{}
		for dec.More() {
			v, err := parseValue(dec)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		_, err := dec.Token() // ']'
		return a, err
	}
	return nil, fmt.Errorf("unexpected %v", d)
}
