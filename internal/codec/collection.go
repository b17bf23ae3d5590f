package codec

import (
	"encoding"
	"fmt"
	"reflect"
	"unsafe"

	"github.com/roux-go/roux/internal/verr"
	"github.com/roux-go/roux/schema"
)

// pointer decodes null as a nil pointer and anything else into a newly
// allocated (or the existing) pointee.
func (c *compiler) pointer(t reflect.Type, at site) (decodeFunc, error) {
	elem := t.Elem()
	fn, err := c.compile(elem, at.s)
	if err != nil {
		return nil, err
	}
	return func(st *state, p unsafe.Pointer) error {
		switch st.dec.PeekKind() {
		case 'n':
			*(*unsafe.Pointer)(p) = nil
			_, err := st.dec.ReadValue()
			return err
		case 0: // a syntax or read error, returned by the next read
			_, err := st.dec.ReadToken()
			return err
		}
		q := *(*unsafe.Pointer)(p)
		if q == nil {
			q = reflect.New(elem).UnsafePointer()
			*(*unsafe.Pointer)(p) = q
		}
		return fn(st, q)
	}, nil
}

// sliceHeader is the memory layout of a Go slice.
type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

// slice decodes an array into a slice, growing it through reflect (which
// zeroes the new capacity) and decoding each element in place.
func (c *compiler) slice(t reflect.Type, at site) (decodeFunc, error) {
	fn, err := c.compile(t.Elem(), items(at))
	if err != nil {
		return nil, err
	}
	size, nullable := t.Elem().Size(), at.nullable
	return func(st *state, p unsafe.Pointer) error {
		ok, err := st.open('[', nullable, "must be an array")
		if !ok {
			return err
		}
		sv := reflect.NewAt(t, p).Elem()
		h := (*sliceHeader)(p)
		for i := 0; st.dec.PeekKind() != ']'; i++ {
			if h.len == h.cap { // double, from 4: one allocation for short arrays
				sv.Grow(max(4, h.cap))
			}
			q := unsafe.Add(h.data, uintptr(h.len)*size)
			h.len++
			st.pushIndex(i)
			if err := fn(st, q); err != nil {
				return err
			}
			st.pop()
		}
		if h.data == nil { // [] is an empty slice, not nil
			sv.Set(reflect.MakeSlice(t, 0, 0))
		}
		_, err = st.dec.ReadToken()
		return err
	}, nil
}

// array decodes a JSON array of exactly the array's length; other lengths
// are failures (minItems, maxItems), and extra elements are skipped.
func (c *compiler) array(t reflect.Type, at site) (decodeFunc, error) {
	fn, err := c.compile(t.Elem(), items(at))
	if err != nil {
		return nil, err
	}
	n, size, nullable := t.Len(), t.Elem().Size(), at.nullable
	tooFew := fmt.Sprintf("must have at least %d items", n)
	tooMany := fmt.Sprintf("must have at most %d items", n)
	return func(st *state, p unsafe.Pointer) error {
		ok, err := st.open('[', nullable, "must be an array")
		if !ok {
			return err
		}
		i := 0
		for ; st.dec.PeekKind() != ']'; i++ {
			if i >= n {
				if i == n {
					st.errs.Report(st.path, codeMaxItems, tooMany)
				}
				st.pushIndex(i)
				if err := st.skip(); err != nil {
					return err
				}
				st.pop()
				continue
			}
			st.pushIndex(i)
			if err := fn(st, unsafe.Add(p, uintptr(i)*size)); err != nil {
				return err
			}
			st.pop()
		}
		if i < n {
			st.errs.Report(st.path, codeMinItems, tooFew)
		}
		_, err = st.dec.ReadToken()
		return err
	}, nil
}

// mapOf decodes an object into a map with string keys, or keys whose
// pointer implements encoding.TextUnmarshaler (preferred, as encoding/json
// does; a key it rejects is a propertyNames failure, and two names that
// unmarshal to one key are duplicates). Each value is decoded into one
// scratch value and then copied in.
func (c *compiler) mapOf(t reflect.Type, at site) (decodeFunc, error) {
	kt, et := t.Key(), t.Elem()
	textKey := reflect.PointerTo(kt).Implements(textUnmarshalerType)
	if !textKey && kt.Kind() != reflect.String {
		return nil, fmt.Errorf("codec: cannot decode JSON objects into %v: keys must be strings or implement encoding.TextUnmarshaler", t)
	}
	fn, err := c.compile(et, values(at))
	if err != nil {
		return nil, err
	}
	nullable := at.nullable
	return func(st *state, p unsafe.Pointer) error {
		ok, err := st.open('{', nullable, "must be an object")
		if !ok {
			return err
		}
		mv := reflect.NewAt(t, p).Elem()
		if mv.IsNil() {
			mv.Set(reflect.MakeMap(t))
		}
		ev := reflect.New(et).Elem()
		names := st.openNames()
		for st.dec.PeekKind() != '}' {
			name, err := st.dec.ReadValue()
			if err != nil {
				return err
			}
			key := string(st.unquote(name))
			kv, kerr := mapKey(kt, key, textKey)
			switch {
			case kerr != nil:
				err = st.keepName(name, key, names)
			case mv.MapIndex(kv).IsValid():
				err = st.duplicate(name, key)
			}
			if err != nil {
				return err
			}
			st.push(key)
			if kerr == nil {
				ev.SetZero()
				err = fn(st, ev.Addr().UnsafePointer())
				mv.SetMapIndex(kv, ev)
			} else {
				st.errs.Report(st.path, codePropertyNames, "invalid member name: "+verr.Clip(kerr.Error(), verr.MaxCause))
				err = st.skip()
			}
			if err != nil {
				return err
			}
			st.pop()
		}
		st.names = st.names[:names.base]
		_, err = st.dec.ReadToken()
		return err
	}, nil
}

// mapKey converts member name key into a map key of type kt, or returns
// the error of UnmarshalText.
func mapKey(kt reflect.Type, key string, textKey bool) (reflect.Value, error) {
	if !textKey {
		return reflect.ValueOf(key).Convert(kt), nil
	}
	kp := reflect.New(kt)
	if err := kp.Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(key)); err != nil {
		return reflect.Value{}, err
	}
	return kp.Elem(), nil
}

// optional decodes a schema.Optional[elem]: the value, null included when
// elem admits it, goes to the value at offset 0, and the flag is set
// whatever the value, so that a failure is not mistaken for an absent
// member. An absent member is never decoded: its zero value says so.
func (c *compiler) optional(t, elem reflect.Type, s *schema.Schema) (decodeFunc, error) {
	if f := t.Field(0); f.Offset != 0 || f.Type != elem || t.Field(1).Type.Kind() != reflect.Bool {
		return nil, fmt.Errorf("codec: %v does not have the layout of schema.Optional", t)
	}
	fn, err := c.compile(elem, s)
	if err != nil {
		return nil, err
	}
	setAt := t.Field(1).Offset
	return func(st *state, p unsafe.Pointer) error {
		*(*bool)(unsafe.Add(p, setAt)) = true
		return fn(st, p)
	}, nil
}
