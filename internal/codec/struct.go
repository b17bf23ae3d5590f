package codec

import (
	"reflect"
	"strconv"
	"unsafe"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/roux-go/roux/internal/verr"
	"github.com/roux-go/roux/schema"
)

// structDecoder decodes a JSON object into a struct. It is shared by every
// place the struct type appears with the same schema, recursive ones
// included.
type structDecoder struct {
	fields []field
	index  map[string]int // member name -> index in fields
	absent []int          // fields that are required or have a default
	words  int            // uint64 words in the seen bit set
}

// field is one JSON member of a struct.
type field struct {
	name     string
	offset   uintptr // from the start of the outer struct
	decode   decodeFunc
	required bool
	missing  string        // detail of the failure when required and absent
	def      *defaultValue // applied when absent; nil if none
	// secret is set for writeOnly and password members, whose values are
	// never echoed in failures.
	secret bool
	// zeroOf is the type of an optional non-pointer member, whose zero
	// value the decoder notes for the validators when it is sent; nil
	// otherwise (see verr.List.NoteZero).
	zeroOf reflect.Type
}

// structOf returns the decodeFunc of struct type t, compiling it once per
// schema; a recursive reference finds the decoder in the cache before its
// fields are filled in.
func (c *compiler) structOf(t reflect.Type, at site) (decodeFunc, error) {
	key := structKey{t, at.s}
	sd, ok := c.structs[key]
	if !ok {
		sd = &structDecoder{}
		c.structs[key] = sd
		if err := c.fill(sd, t, at.s); err != nil {
			delete(c.structs, key)
			return nil, err
		}
	}
	nullable := at.nullable
	return func(st *state, p unsafe.Pointer) error { return sd.decode(st, p, nullable) }, nil
}

// fill compiles the members of struct t described by object schema s
// (nil: the Go rules decide what is required, and there are no defaults).
func (c *compiler) fill(sd *structDecoder, t reflect.Type, s *schema.Schema) error {
	fields, err := schema.JSONFields(t)
	if err != nil {
		return err
	}
	sd.fields = make([]field, len(fields))
	sd.index = make(map[string]int, len(fields))
	sd.words = (len(fields) + 63) / 64
	for i, f := range fields {
		var ps *schema.Schema
		if s != nil {
			ps = s.Properties[f.Name]
		}
		fn, err := c.compile(f.Type, ps)
		if err != nil {
			return err
		}
		required := s != nil && s.IsRequired(f.Name)
		if s == nil {
			if required, err = schema.BodyRequired(f); err != nil {
				return err
			}
		}
		def, err := newDefault(f, ps)
		if err != nil {
			return err
		}
		sd.fields[i] = field{
			name: f.Name, offset: f.Offset, decode: fn, required: required, def: def,
			missing: "required member " + strconv.Quote(f.Name) + " is missing",
		}
		if _, opt := schema.OptionalElem(f.Type); !required && f.Type.Kind() != reflect.Pointer && !opt {
			sd.fields[i].zeroOf = f.Type
		}
		if ps != nil {
			inner, _ := schema.Unwrap(ps)
			sd.fields[i].secret = ps.WriteOnly || inner.WriteOnly || inner.Format == "password" ||
				inner.Items != nil && inner.Items.Format == "password"
		}
		sd.index[f.Name] = i
		if required || def != nil {
			sd.absent = append(sd.absent, i)
		}
	}
	return nil
}

// decode decodes an object into the struct at p: members by exact name,
// unknown ones reported and skipped; then required members that were
// absent are reported and defaults of the others applied.
func (sd *structDecoder) decode(st *state, p unsafe.Pointer, nullable bool) error {
	ok, err := st.open('{', nullable, "must be an object")
	if !ok {
		return err
	}
	base := len(st.seen)
	for range sd.words {
		st.seen = append(st.seen, 0)
	}
	next := 0 // members usually come in declaration order: try that first
	names := st.openNames()
	for st.dec.PeekKind() != '}' {
		name, err := st.dec.ReadValue()
		if err != nil {
			return err
		}
		key := st.unquote(name)
		i, known := next, next < len(sd.fields) && sd.fields[next].name == string(key)
		if !known {
			if i, known = sd.index[string(key)]; !known {
				if err := st.unknown(name, names); err != nil {
					return err
				}
				continue
			}
		}
		next = i + 1
		f := &sd.fields[i]
		bit := &st.seen[base+i/64]
		if *bit&(1<<(i%64)) != 0 {
			return st.duplicate(name, f.name)
		}
		*bit |= 1 << (i % 64)
		st.push(f.name)
		fp := unsafe.Add(p, f.offset)
		failures := st.errs.Len()
		if f.secret {
			st.secret++
		}
		if err := f.decode(st, fp); err != nil {
			return err
		}
		if f.secret {
			st.secret--
		}
		if f.zeroOf != nil && st.errs.Len() == failures && reflect.NewAt(f.zeroOf, fp).Elem().IsZero() {
			st.errs.NoteZero(fp, f.zeroOf)
		}
		st.pop()
	}
	if _, err := st.dec.ReadToken(); err != nil {
		return err
	}
	for _, i := range sd.absent {
		if st.seen[base+i/64]&(1<<(i%64)) != 0 {
			continue
		}
		f := &sd.fields[i]
		if f.required {
			st.push(f.name)
			st.errs.Report(st.path, codeRequired, f.missing)
			st.pop()
			continue
		}
		f.def.apply(unsafe.Add(p, f.offset))
	}
	st.seen, st.names = st.seen[:base], st.names[:names.base]
	return nil
}

// unknown reports member name (raw) as unknown and skips its value; fr
// holds the object's other unknown names.
func (st *state) unknown(name jsontext.Value, fr nameFrame) error {
	n := string(st.unquote(name))
	if err := st.keepName(name, n, fr); err != nil {
		return err
	}
	st.push(n)
	st.errs.Report(st.path, codeAdditional, "unknown member "+strconv.Quote(verr.Clip(n, verr.MaxEcho)))
	if err := st.skip(); err != nil {
		return err
	}
	st.pop()
	return nil
}
