package roux

import (
	"hash/maphash"
	"reflect"

	"github.com/roux-go/roux/internal/validate"
	"github.com/roux-go/roux/openapi"
	"github.com/roux-go/roux/schema"
)

// docShare holds one copy of each distinct response, response header
// set and parameter of the operations' descriptions, for every operation
// that describes an equal one to share: most operations of an API repeat
// the same problem responses with the same middleware headers, and the
// same path parameters, and an API keeps its descriptions for as long as
// it serves (for the document and the response check), where the
// garbage collector marks them on every cycle. Values are equal as
// [reflect.DeepEqual] has it, so a shared one publishes the same
// document; they are found by a hash of their text, so registering many
// operations stays linear. The descriptions are read-only once described:
// every later change copies what it changes first.
//
// The parameters' schemas, and the validators compiled from them, are
// shared the same way (paramValidator): every operation of an API often
// binds the same path parameter.
type docShare struct {
	seed       maphash.Seed
	responses  map[uint64][]*openapi.Response
	headers    map[uint64][]map[string]*openapi.Header
	params     map[uint64][]*openapi.Parameter
	schemas    map[uint64][]*schema.Schema
	validators map[paramCheck]*validate.Validator
}

// paramCheck names the validator of a parameter: its Go type and its
// (shared) schema.
type paramCheck struct {
	t reflect.Type
	s *schema.Schema
}

func (s *docShare) init() {
	if s.responses == nil {
		s.seed = maphash.MakeSeed()
		s.responses = map[uint64][]*openapi.Response{}
		s.headers = map[uint64][]map[string]*openapi.Header{}
		s.params = map[uint64][]*openapi.Parameter{}
		s.schemas = map[uint64][]*schema.Schema{}
		s.validators = map[paramCheck]*validate.Validator{}
	}
}

// paramValidator returns the schema of a parameter of type t, shared with
// the parameters of other operations whose schema is equal to sc, and its
// validator, compiled once for all of them (nil when there is nothing to
// check).
func (s *docShare) paramValidator(c *validate.Compiler, t reflect.Type, sc *schema.Schema) (*schema.Schema, *validate.Validator, error) {
	s.init()
	sc, _ = find(s.schemas, s.hashSchema(sc), sc)
	k := paramCheck{t, sc}
	if v, ok := s.validators[k]; ok {
		return sc, v, nil
	}
	v, err := c.Compile(t, sc)
	if err != nil {
		return nil, nil, err
	}
	s.validators[k] = v
	return sc, v, nil
}

// share replaces the responses and parameters of d by the equal ones of
// operations described before it, and keeps those that are new; a new
// response whose headers equal those of another is copied to share them.
func (s *docShare) share(d *openapi.Operation) {
	s.init()
	for code, r := range d.Responses {
		hh := s.hashHeaders(r.Headers)
		k := hh ^ s.str(r.Description)
		for name, mt := range r.Content {
			k += s.str(name) ^ s.hashSchema(mt.Schema)
		}
		shared, found := find(s.responses, k, r)
		if !found && len(r.Headers) > 0 {
			if hs, ok := find(s.headers, hh, r.Headers); ok && reflect.ValueOf(hs).UnsafePointer() != reflect.ValueOf(r.Headers).UnsafePointer() {
				c := *r // r may be another's: copy it to change it
				c.Headers = hs
				shared = &c
				s.responses[k][len(s.responses[k])-1] = shared
			}
		}
		d.Responses[code] = shared
	}
	for i, p := range d.Parameters {
		k := s.str(p.Name) ^ s.str(p.In)<<1 ^ s.str(p.Description)<<2 ^ s.hashSchema(p.Schema)
		d.Parameters[i], _ = find(s.params, k, p)
	}
}

// find returns the value of m[k] equal to v, adding v when there is none,
// and whether it found one.
func find[T any](m map[uint64][]T, k uint64, v T) (T, bool) {
	for _, prev := range m[k] {
		if reflect.DeepEqual(prev, v) {
			return prev, true
		}
	}
	m[k] = append(m[k], v)
	return v, false
}

// hashHeaders hashes a header set, in any order.
func (s *docShare) hashHeaders(hs map[string]*openapi.Header) uint64 {
	var k uint64
	for name, h := range hs {
		k += s.str(name) ^ s.str(h.Description)<<1 ^ s.hashSchema(h.Schema)
	}
	return k
}

// hashSchema hashes what tells most schemas apart, and nothing that
// equal schemas could have differently.
func (s *docShare) hashSchema(sc *schema.Schema) uint64 {
	if sc == nil {
		return 0
	}
	k := s.str(sc.Ref) ^ s.str(sc.Description)<<1 ^ s.str(sc.Format)<<2
	for _, t := range sc.Type {
		k += s.str(t)
	}
	return k
}

func (s *docShare) str(v string) uint64 { return maphash.String(s.seed, v) }
