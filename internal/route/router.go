package route

import (
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"sync"
)

// Router maps (method, path) pairs to values of type T.
//
// The zero value is not usable; use [New]. [Router.Add] is not safe for
// concurrent use; [Router.Lookup] is safe for concurrent use once
// registration is done (all Add calls happen before the first Lookup).
type Router[T any] struct {
	root   node[T]
	custom []string // methods beyond the well-known ones; method bit is 1<<(nKnown+i)
	routes []Route

	// allow caches the Allow header value for each set of methods, so that
	// 405 answers and CORS preflights (OPTIONS without an OPTIONS route) do
	// not allocate once warm.
	allowMu sync.RWMutex
	allow   map[uint64]string
}

// Route is a registered (method, pattern) pair.
type Route struct {
	Method  string
	Pattern *Pattern
}

// maxAllowCache bounds the Allow cache; the number of distinct method sets is
// bounded by the routes, so this is only a backstop.
const maxAllowCache = 256

// New returns an empty router.
func New[T any]() *Router[T] {
	return &Router[T]{allow: make(map[uint64]string)}
}

// Well-known methods have fixed bits so that Lookup finds them with a switch.
var known = [...]string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"}

const (
	nKnown  = len(known)
	getBit  = 1 << 0
	headBit = 1 << 1
	optBit  = 1 << 6
)

// bit returns the bit of method, or 0 if no route uses it.
func (r *Router[T]) bit(method string) uint64 {
	switch method {
	case "GET":
		return 1 << 0
	case "HEAD":
		return 1 << 1
	case "POST":
		return 1 << 2
	case "PUT":
		return 1 << 3
	case "PATCH":
		return 1 << 4
	case "DELETE":
		return 1 << 5
	case "OPTIONS":
		return 1 << 6
	case "CONNECT":
		return 1 << 7
	case "TRACE":
		return 1 << 8
	}
	for i, m := range r.custom {
		if m == method {
			return 1 << (nKnown + i)
		}
	}
	return 0
}

// methodName returns the method of bit number i.
func (r *Router[T]) methodName(i int) string {
	if i < nKnown {
		return known[i]
	}
	return r.custom[i-nKnown]
}

// Add registers v for method and pattern.
//
// method is an HTTP method token in upper case, such as "GET". A GET route
// also answers HEAD requests unless a HEAD route matches.
//
// Add returns a *[PatternError] for an invalid pattern, and a
// *[ConflictError] when an existing route for the same method matches some of
// the same paths and neither is more specific (net/http's rule), including an
// exact duplicate, which wraps [ErrDuplicate]. On error the router is
// unchanged.
func (r *Router[T]) Add(method, pattern string, v T) error {
	if err := checkMethod(method); err != nil {
		return err
	}
	p, err := ParsePattern(pattern)
	if err != nil {
		return err
	}
	for _, rt := range r.routes {
		if err := checkConflict(method, p, rt.Method, rt.Pattern); err != nil {
			return err
		}
	}
	bit := r.bit(method)
	if bit == 0 {
		if nKnown+len(r.custom) == 64 {
			return fmt.Errorf("route: too many distinct methods (at most 64), cannot add %s", method)
		}
		r.custom = append(r.custom, method)
		bit = r.bit(method)
	}
	r.root.add(p.segs, leaf[T]{bit: bit, pat: p, val: v})
	r.routes = append(r.routes, Route{method, p})
	return nil
}

// checkMethod checks that m is an upper-case HTTP token (RFC 9110 tchar).
func checkMethod(m string) error {
	if m == "" {
		return fmt.Errorf("route: empty method")
	}
	for i := 0; i < len(m); i++ {
		c := m[i]
		switch {
		case 'a' <= c && c <= 'z':
			return fmt.Errorf("route: method %q must be upper case (write %q)", m, strings.ToUpper(m))
		case 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return fmt.Errorf("route: method %q is not an HTTP token (invalid byte %q)", m, c)
		}
	}
	return nil
}

// Lookup finds the route for method and path and reports its value and
// pattern, filling ps with the wildcard values (ps is truncated first and must
// not be nil).
//
// path is a URL path as in r.URL.Path, or r.URL.RawPath when that is set. The
// router does not clean or unescape it: wildcard values are substrings of
// path, and literal segments match byte for byte.
//
// When no route matches, ps is empty and ok is false. If a route for another
// method matches the path, allow is the value for an Allow header: the
// sorted, comma-separated methods that would match, with HEAD when GET is
// among them, and always OPTIONS (the caller answers OPTIONS itself when no
// OPTIONS route exists). If nothing matches the path, allow is "".
//
// A successful match with at most 8 wildcards does not allocate.
func (r *Router[T]) Lookup(method, path string, ps *Params) (v T, pat *Pattern, allow string, ok bool) {
	ps.truncate(0)
	if path == "" || path[0] != '/' {
		return v, nil, "", false
	}
	if bit := r.bit(method); bit != 0 {
		if l := r.root.match(path, bit, ps); l != nil {
			return l.val, l.pat, "", true
		}
		if bit == headBit {
			if l := r.root.match(path, getBit, ps); l != nil {
				return l.val, l.pat, "", true
			}
		}
	}
	return v, nil, r.allowed(path), false
}

// allowed returns the Allow header value for path, or "" if no route matches.
func (r *Router[T]) allowed(path string) string {
	set := r.root.methods(path)
	if set == 0 {
		return ""
	}
	if set&getBit != 0 {
		set |= headBit
	}
	set |= optBit
	r.allowMu.RLock()
	s, ok := r.allow[set]
	r.allowMu.RUnlock()
	if ok {
		return s
	}
	names := make([]string, 0, bits.OnesCount64(set))
	for rest := set; rest != 0; rest &= rest - 1 {
		names = append(names, r.methodName(bits.TrailingZeros64(rest)))
	}
	slices.Sort(names)
	s = strings.Join(names, ", ")
	r.allowMu.Lock()
	if len(r.allow) < maxAllowCache {
		r.allow[set] = s
	}
	r.allowMu.Unlock()
	return s
}

// Routes returns the registered routes in registration order. The caller owns
// the returned slice.
func (r *Router[T]) Routes() []Route { return slices.Clone(r.routes) }
