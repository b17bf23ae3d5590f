package validate

// This file turns (Go type, schema) pairs into nodes.
//
// Compilation has two phases. The first walks the type and the schema
// together and builds a node for every pair, whether or not it has
// anything to check; a component behind "$ref" gets its node before its
// members are compiled and is cached, so a recursive type refers back to
// the node under construction. The second phase (settle) marks the nodes
// from which some keyword check is reachable, a fixpoint because the graph
// may be cyclic, and drops every edge to an unmarked node. A root left
// unmarked means the type needs no validation, and Compile returns nil.

import (
	"encoding/json"
	"fmt"
	"reflect"
	"unsafe"

	"github.com/roux-go/roux/internal/verr"
	"github.com/roux-go/roux/schema"
)

// Compile builds a validator for values of type t described by s, which
// is typically the schema published for them: reg.Schema(t) for a body,
// or the schema of a parameter. References in s are resolved with reg.
//
// It returns (nil, nil) when no value of t can fail: the caller may skip
// validation. It returns an error when a keyword of s cannot apply to t
// (minLength on an int, minItems on a map) or cannot be met by any value
// of t (minimum 300 on a uint8); this is a registration error.
//
// Compile compiles every component it reaches; [Compiler] shares that work
// between the validators of one API.
func Compile(t reflect.Type, s *schema.Schema, reg *schema.Registry) (*Validator, error) {
	return NewCompiler(reg).Compile(t, s)
}

// Compiler compiles validators against one [schema.Registry], compiling the
// schema of each component once for each Go type it describes, however
// many validators use it. A Compiler is not safe for concurrent use: like
// the registry, it is used while an API is being set up. The validators it
// returns are safe for concurrent use and share their compiled components.
type Compiler struct {
	// Custom, when set, returns the custom validator of values of Go type
	// t, or nil when t has none; Compile calls it for each place in a
	// value where a type appears. A custom validator runs after the schema's checks of the
	// value and of everything in it, and only when none of those (nor any
	// failure already in the list, such as the decoder's) is at or below
	// the value's location: a rule about a whole value never sees parts
	// that did not fit their schema. It reports into the list like any
	// check. Set Custom before the first Compile.
	Custom func(t reflect.Type) func(p unsafe.Pointer, path *verr.Path, errs *verr.List)

	reg   *schema.Registry
	cache map[cacheKey]*node
	fresh []*node    // nodes built by the current Compile call
	keys  []cacheKey // cache entries made by the current Compile call
	defs  []pendingDefault
}

// pendingDefault is a default value met while compiling, checked against
// its node once the graph is complete.
type pendingDefault struct {
	t reflect.Type
	s *schema.Schema
	n *node
}

// cacheKey names a compiled component. Values under a writeOnly schema are
// never echoed, so such a use compiles separately.
type cacheKey struct {
	t      reflect.Type
	s      *schema.Schema
	secret bool
}

// NewCompiler returns a compiler that resolves references with reg. reg
// may be nil if no schema passed to it contains a "$ref".
func NewCompiler(reg *schema.Registry) *Compiler {
	return &Compiler{reg: reg, cache: map[cacheKey]*node{}}
}

// Compile is like the package function [Compile], with the references
// resolved by c's registry and their compiled form shared with the other
// validators c has built.
func (c *Compiler) Compile(t reflect.Type, s *schema.Schema) (*Validator, error) {
	c.fresh, c.keys, c.defs = c.fresh[:0], c.keys[:0], c.defs[:0]
	root, err := c.at(t, s, false)
	if err == nil {
		settle(c.fresh)
		err = c.checkDefaults()
	}
	clear(c.fresh)
	clear(c.defs)
	if err != nil {
		for _, k := range c.keys {
			delete(c.cache, k)
		}
		return nil, fmt.Errorf("validate: %v: %w", t, err)
	}
	if root == nil || !root.live {
		return nil, nil
	}
	return &Validator{t: t, root: root}, nil
}

func (c *Compiler) newNode() *node {
	n := new(node)
	c.fresh = append(c.fresh, n)
	return n
}

// compile returns the node checking values of t against s, or nil when
// there is nothing to check by construction (no schema, an interface).
func (c *Compiler) compile(t reflect.Type, s *schema.Schema, secret bool) (*node, error) {
	if s == nil || s == schema.False {
		return nil, nil
	}
	s, _ = schema.Unwrap(s) // a nullable reference; null is the decoder's business
	if elem, ok := schema.OptionalElem(t); ok {
		return c.optional(t, elem, s, secret)
	}
	switch t.Kind() {
	case reflect.Interface:
		return nil, nil // dynamic values are not validated
	case reflect.Pointer:
		elem, err := c.at(t.Elem(), s, secret)
		if elem == nil || err != nil {
			return nil, err
		}
		n := c.newNode()
		n.kind, n.elem = kindPointer, elem
		return n, nil
	}
	var n *node
	var err error
	if s.Ref != "" {
		n, err = c.ref(t, s, secret || s.WriteOnly)
	} else {
		n = c.newNode()
		err = c.fill(n, t, s, secret)
	}
	if s.Default != nil && n != nil {
		c.defs = append(c.defs, pendingDefault{t, s, n})
	}
	return n, err
}

// checkDefaults checks every default met by the current Compile call
// against its own schema: a default that fails would make every request
// that leaves the value out fail, blaming the client.
func (c *Compiler) checkDefaults() error {
	for _, d := range c.defs {
		if !d.n.live {
			continue
		}
		b, err := json.Marshal(d.s.Default)
		if err != nil {
			return fmt.Errorf("default %v: %w", d.s.Default, err)
		}
		v := reflect.New(d.t)
		if err := json.Unmarshal(b, v.Interface()); err != nil {
			return fmt.Errorf("default %s does not fit %v: %w", b, d.t, err)
		}
		var path verr.Path
		var errs verr.List
		d.n.validate(v.UnsafePointer(), &path, &errs, 0)
		if len(errs.Items) > 0 {
			e := errs.Items[0]
			where := ""
			if e.Pointer != "" {
				where = " at " + e.Pointer
			}
			return fmt.Errorf("default %s fails its own %s keyword%s: %s", b, e.Code, where, e.Detail)
		}
	}
	return nil
}

// ref returns the node of the component s refers to, wrapped in a node for
// the keywords s has beside "$ref" (a minProperties tag on a struct field).
func (c *Compiler) ref(t reflect.Type, s *schema.Schema, secret bool) (*node, error) {
	if c.reg == nil {
		return nil, fmt.Errorf("%q: no registry to resolve references with", s.Ref)
	}
	target := c.reg.Resolve(s)
	if target == nil || target.Ref != "" {
		return nil, fmt.Errorf("%q does not name a component of the registry", s.Ref)
	}
	k := cacheKey{t, target, secret}
	comp, ok := c.cache[k]
	if !ok {
		comp = c.newNode()
		c.cache[k] = comp
		c.keys = append(c.keys, k)
		if err := c.fill(comp, t, target, secret); err != nil {
			return nil, err
		}
	}
	if !hasSiblings(s) {
		return comp, nil
	}
	sib := *s
	sib.Ref, sib.Required = "", target.Required // members count as present by the component's rule
	n := c.newNode()
	n.also = []*node{comp}
	return n, c.fill(n, t, &sib, secret)
}

// hasSiblings reports whether reference s carries keywords beside "$ref"
// other than annotations.
func hasSiblings(s *schema.Schema) bool {
	c := *s
	c.Ref, c.Title, c.Description, c.Default, c.Examples = "", "", "", nil, nil
	c.Deprecated, c.ReadOnly, c.WriteOnly, c.Extensions = false, false, false, nil
	return !reflect.ValueOf(c).IsZero()
}

// fill makes n check values of t against inline schema s.
func (c *Compiler) fill(n *node, t reflect.Type, s *schema.Schema, secret bool) error {
	secret = secret || s.WriteOnly || s.Format == "password"
	if len(s.AnyOf) > 0 || len(s.OneOf) > 0 {
		return fmt.Errorf("anyOf and oneOf are not supported on %v: check alternatives in the type's UnmarshalJSON", t)
	}
	for _, sub := range s.AllOf {
		m, err := c.compile(t, sub, secret)
		if err != nil {
			return fmt.Errorf("allOf: %w", err)
		}
		if m != nil {
			n.also = append(n.also, m)
		}
	}
	chk, err := valueCheck(t, s, !secret)
	if err != nil {
		return err
	}
	if chk != nil {
		n.checks = append(n.checks, chk)
	}
	return c.children(n, t, s, secret)
}

// children compiles what n descends into: struct members, elements, map
// values. Subschemas on a type that has no such parts are an error.
func (c *Compiler) children(n *node, t reflect.Type, s *schema.Schema, secret bool) error {
	k := t.Kind()
	switch {
	case s.Items != nil && (k == reflect.Slice || k == reflect.Array):
		elem, err := c.at(t.Elem(), s.Items, secret)
		if err != nil {
			return fmt.Errorf("items: %w", err)
		}
		n.kind, n.elem, n.size, n.n = kindSlice, elem, t.Elem().Size(), 0
		if k == reflect.Array {
			n.kind, n.n = kindArray, t.Len()
		}
	case s.Items != nil:
		return fmt.Errorf("items applies to slices and arrays, not %v", t)
	case k == reflect.Map && s.AdditionalProperties != nil:
		elem, err := c.at(t.Elem(), s.AdditionalProperties, secret)
		if err != nil {
			return fmt.Errorf("map values: %w", err)
		}
		n.kind, n.elem, n.typ = kindMap, elem, t
	case len(s.Properties) > 0 && k == reflect.Struct:
		return c.members(n, t, s, secret)
	case len(s.Properties) > 0:
		return fmt.Errorf("properties apply to structs, not %v", t)
	}
	return nil
}

// members compiles the struct members that s describes. A member that is
// not required and not a pointer is skipped at run time when it holds its
// zero value, unless the decoder noted that it was sent that way (see the
// package documentation).
func (c *Compiler) members(n *node, t reflect.Type, s *schema.Schema, secret bool) error {
	fields, err := schema.JSONFields(t)
	if err != nil {
		return err
	}
	n.kind = kindStruct
	for _, f := range fields {
		fs, ok := s.Properties[f.Name]
		if !ok {
			continue
		}
		child, err := c.at(f.Type, fs, secret)
		if err != nil {
			return fmt.Errorf("field %s.%s: %w", t.Name(), f.Struct.Name, err)
		}
		if child == nil {
			continue
		}
		m := member{name: f.Name, offset: f.Offset, node: child, typ: f.Type}
		if _, opt := schema.OptionalElem(f.Type); !s.IsRequired(f.Name) && f.Type.Kind() != reflect.Pointer && !opt {
			m.absent = zeroTest(f.Type)
		}
		n.fields = append(n.fields, m)
	}
	return nil
}

// optional compiles a schema.Optional[elem]: its value is checked against
// s when the flag says the member was present.
func (c *Compiler) optional(t, elem reflect.Type, s *schema.Schema, secret bool) (*node, error) {
	if f := t.Field(0); f.Offset != 0 || f.Type != elem || t.Field(1).Type.Kind() != reflect.Bool {
		return nil, fmt.Errorf("%v does not have the layout of schema.Optional", t)
	}
	en, err := c.at(elem, s, secret)
	if en == nil || err != nil {
		return nil, err
	}
	n := c.newNode()
	n.kind, n.elem, n.size = kindOptional, en, t.Field(1).Offset
	return n, nil
}

// at compiles the node for the value of type t at one place in a value
// (the root, a member, an element, a pointer's or Optional's target):
// compile's node, wrapped in a node that runs t's custom validator when
// it has one. Further schemas of the same value (allOf, a component
// behind $ref) are compiled without the wrapper, so the custom validator
// runs once per place however the schema is composed.
func (c *Compiler) at(t reflect.Type, s *schema.Schema, secret bool) (*node, error) {
	n, err := c.compile(t, s, secret)
	if err != nil || c.Custom == nil {
		return n, err
	}
	chk := c.Custom(t)
	if chk == nil {
		return n, nil
	}
	w := c.newNode()
	w.kind, w.custom = kindCustom, chk
	if n != nil {
		w.also = []*node{n}
	}
	return w, nil
}
