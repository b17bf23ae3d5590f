package roux

// This file holds dependencies: values an operation's input asks for,
// computed per request by provider functions, FastAPI's Depends in Go.
//
// A provider has an input struct of its own, bound like an operation's:
// parameters, and fields filled by other dependencies. At registration
// each operation compiles its dependency graph into a plan: the providers
// it needs in an order where each comes after those it depends on, with
// their parameter binders. Per request the plan binds every parameter —
// the operation's and its dependencies' — before anything runs, so all
// failures are reported together; then it calls each provider once, in
// order, and fills the input fields from their results.

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Dep is a dependency: a value of type T computed for each request that
// needs it, by a provider function, at most once per request. Create it
// with [Depends] or [DependsCleanup], make it available with [Provide] (or
// [API.Provide]), and ask for it with an input field of type T tagged
// `dep:""`. A Dep may be shared by several APIs.
type Dep[T any] struct {
	def *depDef
}

// Provider is implemented by *[Dep] of every type; it is sealed.
type Provider interface {
	provider() *depDef
}

func (d *Dep[T]) provider() *depDef { return d.def }

// Name returns the provider function's name, for messages.
func (d *Dep[T]) Name() string { return d.def.name }

// Response declares a response that d's provider may cause — a 503 while
// what it depends on is down, say — so that every operation using d
// publishes it, as if it had the option [Response](status, description,
// body), with the same rules for body. An operation's own Response
// option for the same status comes after it (and, without a body, only
// describes it). Call it before registering the operations that use d;
// it returns d.
func (d *Dep[T]) Response(status int, description string, body any) *Dep[T] {
	var t reflect.Type
	if body != nil {
		t = reflect.TypeOf(body)
	}
	d.def.responses = append(d.def.responses, extraResponse{status, description, t})
	return d
}

// depDef is the type-erased definition of a dependency.
type depDef struct {
	name   string
	site   string
	in     reflect.Type // the provider's input struct P
	out    reflect.Type // T
	newIn  func() unsafe.Pointer
	call   func(ctx context.Context, in unsafe.Pointer) (out unsafe.Pointer, cleanup func(), err error)
	assign func(dst, src unsafe.Pointer) // *dst = *src, as T

	security  *securityInfo   // set for security schemes
	responses []extraResponse // declared with Dep.Response
}

// Depends defines a dependency computed by fn from its input P: a struct
// whose fields are parameters (tagged path, query, header or cookie, with
// the same rules and validation as an operation's) and other dependencies
// (tagged dep). Those parameters are published on every operation that
// uses the dependency. fn may fail with an *[Error] to stop the request
// (401, say); any other error is a 500.
func Depends[T, P any](fn func(ctx context.Context, in *P) (T, error)) *Dep[T] {
	return newDep[T, P](func(ctx context.Context, in *P) (T, func(), error) {
		v, err := fn(ctx, in)
		return v, nil, err
	}, funcName(fn))
}

// DependsCleanup is [Depends] for a provider that also returns a cleanup,
// such as closing a transaction. Cleanups run after the response has been
// written, in the reverse order of their providers, also when a later
// step failed. A nil cleanup is allowed.
func DependsCleanup[T, P any](fn func(ctx context.Context, in *P) (T, func(), error)) *Dep[T] {
	return newDep(fn, funcName(fn))
}

func newDep[T, P any](fn func(context.Context, *P) (T, func(), error), name string) *Dep[T] {
	return &Dep[T]{def: &depDef{
		name:  name,
		site:  callerSite(),
		in:    reflect.TypeFor[P](),
		out:   reflect.TypeFor[T](),
		newIn: func() unsafe.Pointer { return unsafe.Pointer(new(P)) },
		call: func(ctx context.Context, in unsafe.Pointer) (unsafe.Pointer, func(), error) {
			v, cleanup, err := fn(ctx, (*P)(in))
			if err != nil {
				return nil, cleanup, err
			}
			return unsafe.Pointer(&v), cleanup, nil
		},
		assign: func(dst, src unsafe.Pointer) { *(*T)(dst) = *(*T)(src) },
	}}
}

func funcName(fn any) string {
	f := runtime.FuncForPC(reflect.ValueOf(fn).Pointer())
	if f == nil {
		return "dependency"
	}
	name := f.Name()
	return name[strings.LastIndexByte(name, '/')+1:]
}

// Provide makes deps available to an operation, or to every operation of
// a group. A dep provided closer to the operation wins over one of the
// same type further out (operation, then groups from the innermost, then
// the API).
func Provide(deps ...Provider) Option {
	return serverOption{"Provide", func(c *opConfig) { c.provides = append(c.provides, deps...) }}
}

// Requires runs deps for an operation, or every operation of a group,
// even though no input field asks for their values: for checks such as
// authentication, whose failure stops the request. Required deps are
// also provided.
func Requires(deps ...Provider) Option {
	return serverOption{"Requires", func(c *opConfig) {
		c.provides = append(c.provides, deps...)
		c.requires = append(c.requires, deps...)
	}}
}

// Provide makes deps available to every operation of the API registered
// after the call.
func (a *API) Provide(deps ...Provider) {
	a.deps.provides = append(a.deps.provides, deps...)
}

// Override replaces dep's provider in a with fn, for tests: operations
// already registered use it from their next request on. fn takes no
// input, so the overridden provider's parameters are not bound (they are
// still published). Overriding again replaces the override; a nil fn
// removes it. Override is safe for concurrent use with serving.
func Override[T any](a *API, dep *Dep[T], fn func(ctx context.Context) (T, error)) {
	a.deps.mu.Lock()
	defer a.deps.mu.Unlock()
	slot := a.deps.slotLocked(dep.def)
	if fn == nil {
		slot.override.Store(nil)
	} else {
		sec := dep.def.security
		call := func(ctx context.Context) (unsafe.Pointer, error) {
			v, err := fn(ctx)
			if err != nil {
				return nil, err
			}
			if sec != nil {
				// A scheme's value carries its scopes: an override grants
				// every scope the scheme defines.
				return sec.box(unsafe.Pointer(&v)), nil
			}
			return unsafe.Pointer(&v), nil
		}
		slot.override.Store(&call)
	}
	a.deps.overridden.Store(a.deps.countOverridesLocked())
}

// depScope is the dependency state of an API.
type depScope struct {
	provides   []Provider
	mu         sync.Mutex // guards slots: Override may run beside registration and other Overrides
	slots      map[*depDef]*depSlot
	overridden atomic.Int32       // how many slots hold an override
	schemes    map[string]*depDef // security schemes by name
}

// depSlot holds what an API may replace of one dependency.
type depSlot struct {
	override atomic.Pointer[func(context.Context) (unsafe.Pointer, error)]
}

func (s *depScope) slot(d *depDef) *depSlot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.slotLocked(d)
}

func (s *depScope) slotLocked(d *depDef) *depSlot {
	if s.slots == nil {
		s.slots = map[*depDef]*depSlot{}
	}
	sl, ok := s.slots[d]
	if !ok {
		sl = new(depSlot)
		s.slots[d] = sl
	}
	return sl
}

func (s *depScope) countOverridesLocked() int32 {
	var n int32
	for _, sl := range s.slots {
		if sl.override.Load() != nil {
			n++
		}
	}
	return n
}

// depPlan is an operation's compiled dependency graph.
type depPlan struct {
	nodes []*depNode // each after the nodes it depends on
	// fields of the operation's input filled from nodes
	fields []depField
}

// responses returns the responses the plan's dependencies declare
// ([Dep.Response]), in the plan's order.
func (p *depPlan) responses() []extraResponse {
	var rs []extraResponse
	for _, n := range p.nodes {
		rs = append(rs, n.def.responses...)
	}
	return rs
}

// depNode is one dependency in a plan.
type depNode struct {
	def    *depDef
	slot   *depSlot
	params []param
	fields []depField // fields of the provider's input filled from nodes
	needed bool       // asked for by the operation (field or Requires)
}

// depField fills the field at offset from the value of node.
type depField struct {
	offset uintptr
	node   int
}

// depCompiler builds one operation's plan.
type depCompiler struct {
	op       *operation
	scope    []Provider // innermost first
	index    map[*depDef]int
	visiting map[*depDef]bool
	path     []string
}

// provider finds the dependency providing type t in scope.
func (c *depCompiler) provider(t reflect.Type) *depDef {
	for _, p := range c.scope {
		if d := p.provider(); d.out == t {
			return d
		}
	}
	return nil
}

// node returns the index of d's node, compiling it (and what it depends
// on) first.
func (c *depCompiler) node(d *depDef) (int, error) {
	if i, ok := c.index[d]; ok {
		return i, nil
	}
	if c.visiting[d] {
		return 0, fmt.Errorf("dependency cycle: %s -> %s", strings.Join(c.path, " -> "), d.name)
	}
	c.visiting[d] = true
	c.path = append(c.path, d.name)
	n := &depNode{def: d, slot: c.op.api.deps.slot(d)}
	var in inputPlan
	if err := c.op.compileStruct(d.in, 0, &in, c, false); err != nil {
		return 0, fmt.Errorf("dependency %s (defined at %s): %w", d.name, d.site, err)
	}
	n.params, n.fields = in.params, in.deps
	c.path = c.path[:len(c.path)-1]
	delete(c.visiting, d)
	plan := &c.op.deps
	plan.nodes = append(plan.nodes, n)
	c.index[d] = len(plan.nodes) - 1
	return len(plan.nodes) - 1, nil
}

// field resolves an input field tagged dep.
func (c *depCompiler) field(sf reflect.StructField) (depField, error) {
	d := c.provider(sf.Type)
	if d == nil {
		return depField{}, fmt.Errorf("field %s asks for a dependency of type %v, but none is provided; add roux.Provide(dep) to the operation, a group or the API", sf.Name, sf.Type)
	}
	i, err := c.node(d)
	return depField{offset: sf.Offset, node: i}, err
}

// publishedParams lists the parameters the operation reads, its own and
// its dependencies', each once. Two dependencies may read the same
// parameter (the Authorization header, say) if they describe it alike.
func (op *operation) publishedParams() ([]param, error) {
	var out []param
	seen := map[string]*param{}
	for _, params := range op.allParams() {
		for i := range params {
			p := &params[i]
			if p.hidden {
				continue
			}
			key := string(p.In) + " " + p.Key
			if prev, ok := seen[key]; ok {
				a, _ := json.Marshal(prev.Schema)
				b, _ := json.Marshal(p.Schema)
				if string(a) != string(b) || prev.Required != p.Required {
					return nil, fmt.Errorf("%s parameter %q is read twice with different schemas or requiredness (%s and %s); describe it alike everywhere", p.In, p.Name, a, b)
				}
				continue
			}
			seen[key] = p
			out = append(out, *p)
		}
	}
	return out, nil
}
