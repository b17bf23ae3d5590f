package roux

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"unsafe"
)

// Registrar is where operations are registered: an [*API] or a [*Group].
// The interface is sealed.
type Registrar interface {
	scope() (*API, string, []Option)
}

// Group registers operations under a path prefix, with options (tags,
// middleware, ...) applied to each of them before the operation's own.
type Group struct {
	api    *API
	prefix string
	opts   []Option
}

func (a *API) scope() (*API, string, []Option) { return a, "", nil }

func (g *Group) scope() (*API, string, []Option) { return g.api, g.prefix, g.opts }

// Group returns a group of operations whose patterns start with prefix
// (for example "/v1") and which get opts.
func (a *API) Group(prefix string, opts ...Option) *Group {
	return &Group{api: a, prefix: strings.TrimSuffix(prefix, "/"), opts: opts}
}

// Group returns a subgroup: its prefix follows g's and its options come
// after g's.
func (g *Group) Group(prefix string, opts ...Option) *Group {
	return &Group{
		api:    g.api,
		prefix: g.prefix + strings.TrimSuffix(prefix, "/"),
		opts:   append(append([]Option(nil), g.opts...), opts...),
	}
}

// Operation is a registered operation. It identifies the operation to
// the typed client and tests; its methods describe it.
type Operation[In, Out any] struct {
	op *operation
}

// ID returns the operationId.
func (o *Operation[In, Out]) ID() string { return o.op.id }

// Method returns the HTTP method.
func (o *Operation[In, Out]) Method() string { return o.op.method }

// Pattern returns the full path pattern, group prefix included.
func (o *Operation[In, Out]) Pattern() string { return o.op.pattern }

// RegistrationError is the value roux panics with when an operation
// cannot be registered: a bad pattern or route conflict, an input or
// output type it cannot bind or describe, or a bad struct tag. Site is
// the caller's file:line.
type RegistrationError struct {
	Site    string // file:line of the registering call
	Method  string // the operation's method
	Pattern string // the operation's full pattern, group prefix included
	Err     error  // what is wrong
}

// Error returns "roux: <file:line>: <method> <pattern>: <cause>".
func (e *RegistrationError) Error() string {
	return fmt.Sprintf("roux: %s: %s %s: %v", e.Site, e.Method, e.Pattern, e.Err)
}

// Unwrap returns the cause.
func (e *RegistrationError) Unwrap() error { return e.Err }

// Register adds the operation method pattern to r, served by h.
//
// It panics with a *[RegistrationError] when the operation cannot be
// registered, as http.ServeMux.Handle does: such errors are programming
// errors found at start-up, never while serving.
func Register[In, Out any](r Registrar, method, pattern string, h func(context.Context, *In) (*Out, error), opts ...Option) *Operation[In, Out] {
	api, prefix, groupOpts := r.scope()
	site := callerSite()
	full := prefix + pattern
	op, err := api.compile(method, full, site, typeSpec[In, Out](h), append(append([]Option(nil), groupOpts...), opts...))
	if err != nil {
		panic(&RegistrationError{Site: site, Method: method, Pattern: full, Err: err})
	}
	return &Operation[In, Out]{op: op}
}

// Get registers a GET operation; see [Register].
func Get[In, Out any](r Registrar, pattern string, h func(context.Context, *In) (*Out, error), opts ...Option) *Operation[In, Out] {
	return Register(r, http.MethodGet, pattern, h, opts...)
}

// Post registers a POST operation; see [Register].
func Post[In, Out any](r Registrar, pattern string, h func(context.Context, *In) (*Out, error), opts ...Option) *Operation[In, Out] {
	return Register(r, http.MethodPost, pattern, h, opts...)
}

// Put registers a PUT operation; see [Register].
func Put[In, Out any](r Registrar, pattern string, h func(context.Context, *In) (*Out, error), opts ...Option) *Operation[In, Out] {
	return Register(r, http.MethodPut, pattern, h, opts...)
}

// Patch registers a PATCH operation; see [Register].
func Patch[In, Out any](r Registrar, pattern string, h func(context.Context, *In) (*Out, error), opts ...Option) *Operation[In, Out] {
	return Register(r, http.MethodPatch, pattern, h, opts...)
}

// Delete registers a DELETE operation; see [Register].
func Delete[In, Out any](r Registrar, pattern string, h func(context.Context, *In) (*Out, error), opts ...Option) *Operation[In, Out] {
	return Register(r, http.MethodDelete, pattern, h, opts...)
}

// handlerSpec is the type-erased form of a typed handler: roux compiles
// everything else from reflect types at registration, and calls through
// these closures per request without reflection.
type handlerSpec struct {
	in, out any // (*In)(nil), (*Out)(nil): carry the types
	newIn   func() unsafe.Pointer
	invoke  func(ctx context.Context, in unsafe.Pointer) (unsafe.Pointer, error)
}

func typeSpec[In, Out any](h func(context.Context, *In) (*Out, error)) handlerSpec {
	return handlerSpec{
		in:    (*In)(nil),
		out:   (*Out)(nil),
		newIn: func() unsafe.Pointer { return unsafe.Pointer(new(In)) },
		invoke: func(ctx context.Context, in unsafe.Pointer) (unsafe.Pointer, error) {
			out, err := h(ctx, (*In)(in))
			return unsafe.Pointer(out), err
		},
	}
}

// callerSite returns file:line of the first caller outside package roux.
func callerSite() string {
	pcs := make([]uintptr, 16)
	n := runtime.Callers(2, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, "github.com/roux-go/roux.") {
			return fmt.Sprintf("%s:%d", f.File, f.Line)
		}
		if !more {
			return "unknown"
		}
	}
}
