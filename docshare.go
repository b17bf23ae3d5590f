package roux

import (
	"reflect"

	"github.com/roux-go/roux/openapi"
)

// docShare holds one copy of each distinct response and parameter of the
// operations' descriptions, for every operation that describes an equal
// one to share: most operations of an API repeat the same problem
// responses with the same middleware headers, and the same path
// parameters, and an API keeps its descriptions for as long as it serves
// (for the document and the response check), where the garbage collector
// marks them on every cycle. Values are equal as [reflect.DeepEqual] has
// it, so a shared one publishes the same document; the descriptions are
// read-only once described (every later change copies what it changes
// first).
type docShare struct {
	responses map[string][]*openapi.Response    // by description
	params    map[paramKey][]*openapi.Parameter // by name and location
}

type paramKey struct{ name, in string }

// share replaces the responses and parameters of d by the equal ones of
// operations described before it, and keeps those that are new.
func (s *docShare) share(d *openapi.Operation) {
	if s.responses == nil {
		s.responses = map[string][]*openapi.Response{}
		s.params = map[paramKey][]*openapi.Parameter{}
	}
	for code, r := range d.Responses {
		d.Responses[code] = shareOne(s.responses, r.Description, r)
	}
	for i, p := range d.Parameters {
		d.Parameters[i] = shareOne(s.params, paramKey{p.Name, p.In}, p)
	}
}

// shareOne returns the value of m[k] equal to v, adding v when there is
// none.
func shareOne[K comparable, T any](m map[K][]*T, k K, v *T) *T {
	for _, prev := range m[k] {
		if prev == v || reflect.DeepEqual(prev, v) {
			return prev
		}
	}
	m[k] = append(m[k], v)
	return v
}
