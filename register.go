package roux

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"unsafe"

	"github.com/roux-go/roux/internal/plan"
	"github.com/roux-go/roux/internal/route"
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

// Operation is an operation's declaration: its method, its path pattern,
// its input and output types and its documentation. It is the contract
// the server, the typed client (package client) and the OpenAPI document
// share, and it holds no server code: declare operations in a package of
// their own with [NewOperation], attach handlers to them on the server
// with [Handle] or [HandleWith], and call them from a client with
// client.Call. [Register] and its shorthands ([Get], [Post], ...)
// declare and implement in one call, and return the declaration.
//
// In carries only what goes on the wire: fields tagged path, query,
// header or cookie, and a Body or Form field. What a handler needs
// besides (dependencies, the authenticated principal, background tasks)
// comes in the second struct of [HandleWith].
//
// An Operation is immutable and safe for concurrent use; one declaration
// may be served by several APIs.
type Operation[In, Out any] struct {
	method  string
	pattern string
	id      string // as declared with OperationID, or derived from method and pattern
	site    string
	opts    []Option

	// lazy builds the typed client's plan on first use; the embedded
	// field (named by the unexported alias) carries its unexported
	// method to package client through internal/plan.
	lazy
}

// lazy is the client plan of a declaration, built on first use.
type lazy = plan.Lazy

// ID returns the operationId: the one given with [OperationID], or one
// derived from the method and the pattern ("get-dishes-id").
func (o *Operation[In, Out]) ID() string { return o.id }

// Method returns the HTTP method.
func (o *Operation[In, Out]) Method() string { return o.method }

// Pattern returns the full path pattern.
func (o *Operation[In, Out]) Pattern() string { return o.pattern }

// NewOperation declares the operation method pattern, taking In and
// returning Out. opts document it ([Summary], [Tags], [Response], ...);
// options that only a server can carry out ([Middleware], [Provide],
// [Requires], [Secure], [CPUBound]) belong to [Handle] or a [Group], and
// NewOperation refuses them.
//
// NewOperation checks the method and the pattern at once and panics with
// a *[RegistrationError] when either is malformed; In and Out are
// compiled where the declaration is used: by [Handle] on the server and
// by the first client.Call.
func NewOperation[In, Out any](method, pattern string, opts ...Option) *Operation[In, Out] {
	site := callerSite()
	o, err := declare[In, Out](method, pattern, site, opts)
	if err != nil {
		panic(&RegistrationError{Site: site, Method: method, Pattern: pattern, Err: err})
	}
	return o
}

func declare[In, Out any](method, pattern, site string, opts []Option) (*Operation[In, Out], error) {
	if !validMethod.MatchString(method) {
		return nil, fmt.Errorf("method %q must be an uppercase token such as GET", method)
	}
	if _, err := route.ParsePattern(pattern); err != nil {
		return nil, err
	}
	var cfg opConfig
	for _, opt := range opts {
		if s, ok := opt.(serverOption); ok {
			return nil, fmt.Errorf("roux.%s is a server option: give it to roux.Handle, roux.HandleWith or a Group, not to the declaration", s.name)
		}
		opt.apply(&cfg)
	}
	o := &Operation[In, Out]{method: method, pattern: pattern, site: site, opts: slices.Clone(opts), id: cfg.id}
	if o.id == "" {
		o.id = deriveID(method, pattern)
	}
	plan.Init(&o.lazy, func() (*plan.Operation, error) { return clientPlanOf(o) })
	return o, nil
}

// Handle attaches h to the declared operation op in r, with opts added
// to op's own (after any group's). In a [Group], op's pattern must start
// with the group's prefix: the pattern a declaration carries is the one
// clients see.
//
// It panics with a *[RegistrationError] when the operation cannot be
// registered, as http.ServeMux.Handle does: such errors are programming
// errors found at start-up, never while serving. A nil h is refused.
func Handle[In, Out any](r Registrar, op *Operation[In, Out], h func(context.Context, *In) (*Out, error), opts ...Option) {
	if h == nil || op == nil {
		panic(nilHandler(op))
	}
	register(r, op, typeSpec(h), opts)
}

// HandleWith is [Handle] for a handler that needs more than the request:
// its second struct S holds the operation's dependencies (fields tagged
// `dep:""`, security principals among them) and a *[Tasks] field for
// background work. S's fields are resolved at registration, so a
// dependency nobody provides is a registration error, and filled per
// request after the input has been bound and validated.
func HandleWith[In, S, Out any](r Registrar, op *Operation[In, Out], h func(context.Context, *In, *S) (*Out, error), opts ...Option) {
	if h == nil || op == nil {
		panic(nilHandler(op))
	}
	register(r, op, serverSpec(h), opts)
}

func nilHandler[In, Out any](op *Operation[In, Out]) *RegistrationError {
	if op == nil {
		return &RegistrationError{Site: callerSite(), Err: errors.New("the operation is nil")}
	}
	return &RegistrationError{Site: callerSite(), Method: op.method, Pattern: op.pattern, Err: errors.New("the handler is nil")}
}

// register compiles op with spec in r's API and adds it to the router.
func register[In, Out any](r Registrar, op *Operation[In, Out], spec handlerSpec, opts []Option) {
	api, prefix, groupOpts := r.scope()
	site := callerSite()
	fail := func(err error) {
		panic(&RegistrationError{Site: site, Method: op.method, Pattern: op.pattern, Err: err})
	}
	if !strings.HasPrefix(op.pattern, prefix+"/") && op.pattern != prefix {
		fail(fmt.Errorf("the group's prefix %q does not start the declared pattern; a declaration carries its full pattern", prefix))
	}
	all := make([]Option, 0, len(groupOpts)+len(op.opts)+len(opts))
	all = append(append(append(all, groupOpts...), op.opts...), opts...)
	all = append(all, OperationID(op.id)) // the declared one, which clients report
	if _, err := api.compile(op.method, op.pattern, site, spec, all); err != nil {
		fail(err)
	}
}

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

// Register declares the operation method pattern in r and attaches h
// to it in one call, for a service that keeps declaration and
// implementation together. pattern follows the group's prefix; opts may
// mix documentation and server options. It returns the declaration, which
// the typed client calls.
//
// It panics with a *[RegistrationError] when the operation cannot be
// registered, as http.ServeMux.Handle does: such errors are programming
// errors found at start-up, never while serving.
func Register[In, Out any](r Registrar, method, pattern string, h func(context.Context, *In) (*Out, error), opts ...Option) *Operation[In, Out] {
	if h == nil {
		return registerOne[In, Out](r, method, pattern, handlerSpec{}, opts)
	}
	return registerOne[In, Out](r, method, pattern, typeSpec(h), opts)
}

// RegisterWith is [Register] for a handler that also takes a server
// struct, as [HandleWith] does.
func RegisterWith[In, S, Out any](r Registrar, method, pattern string, h func(context.Context, *In, *S) (*Out, error), opts ...Option) *Operation[In, Out] {
	if h == nil {
		return registerOne[In, Out](r, method, pattern, handlerSpec{}, opts)
	}
	return registerOne[In, Out](r, method, pattern, serverSpec(h), opts)
}

func registerOne[In, Out any](r Registrar, method, pattern string, spec handlerSpec, opts []Option) *Operation[In, Out] {
	api, prefix, groupOpts := r.scope()
	site := callerSite()
	full := prefix + pattern
	fail := func(err error) {
		panic(&RegistrationError{Site: site, Method: method, Pattern: full, Err: err})
	}
	if spec.invoke == nil {
		fail(errors.New("the handler is nil"))
	}
	var docOpts []Option
	for _, o := range opts {
		if _, ok := o.(serverOption); !ok {
			docOpts = append(docOpts, o)
		}
	}
	op, err := declare[In, Out](method, full, site, docOpts)
	if err != nil {
		fail(err)
	}
	all := append(append([]Option(nil), groupOpts...), opts...)
	c, err := api.compile(method, full, site, spec, all)
	if err != nil {
		fail(err)
	}
	op.id = c.id // a derived ID may have been made unique with a suffix
	return op
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
//
// newIn allocates the request's values: the input at offset 0 and, for
// [HandleWith], the server struct after it at serverAt.
type handlerSpec struct {
	in, out  reflect.Type
	server   reflect.Type // S of HandleWith, or nil
	serverAt uintptr
	newIn    func() unsafe.Pointer
	invoke   func(ctx context.Context, in unsafe.Pointer) (unsafe.Pointer, error)
}

func typeSpec[In, Out any](h func(context.Context, *In) (*Out, error)) handlerSpec {
	return handlerSpec{
		in:    reflect.TypeFor[In](),
		out:   reflect.TypeFor[Out](),
		newIn: func() unsafe.Pointer { return unsafe.Pointer(new(In)) },
		invoke: func(ctx context.Context, in unsafe.Pointer) (unsafe.Pointer, error) {
			out, err := h(ctx, (*In)(in))
			return unsafe.Pointer(out), err
		},
	}
}

// withServer is what a request of a [HandleWith] handler allocates: the
// input and the server struct in one allocation.
type withServer[In, S any] struct {
	in In
	s  S
}

func serverSpec[In, S, Out any](h func(context.Context, *In, *S) (*Out, error)) handlerSpec {
	return handlerSpec{
		in:       reflect.TypeFor[In](),
		out:      reflect.TypeFor[Out](),
		server:   reflect.TypeFor[S](),
		serverAt: unsafe.Offsetof(withServer[In, S]{}.s),
		newIn:    func() unsafe.Pointer { return unsafe.Pointer(new(withServer[In, S])) },
		invoke: func(ctx context.Context, p unsafe.Pointer) (unsafe.Pointer, error) {
			v := (*withServer[In, S])(p)
			out, err := h(ctx, &v.in, &v.s)
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
