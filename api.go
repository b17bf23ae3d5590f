package roux

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/roux-go/roux/internal/route"
	"github.com/roux-go/roux/internal/validate"
	"github.com/roux-go/roux/schema"
)

// Config configures an [API]. The zero value is a working configuration:
// every field has a default.
type Config struct {
	// Title and Version are published in the document's info object.
	// They default to "API" and "0.0.0".
	Title   string
	Version string
	// Description is published in the document's info object.
	Description string
	// OpenAPIPath is where the document is served: OpenAPIPath+".json"
	// and OpenAPIPath+".yaml". It defaults to "/openapi"; "-" turns the
	// document routes off (API.OpenAPI still returns it).
	OpenAPIPath string
	// MaxBodyBytes limits request bodies; an operation can override it
	// with [BodyLimit]. It defaults to 1 MiB.
	MaxBodyBytes int64
	// Logger receives unexpected handler errors and recovered panics.
	// It defaults to slog.Default().
	Logger *slog.Logger
	// ProblemHook, when set, is called with every problem roux is about
	// to send, before it is written, and may change it (for example to
	// set Type URIs or add extension members).
	ProblemHook func(r *http.Request, p *Error)
}

// API is a set of operations served as one http.Handler, with the
// OpenAPI document that describes them. Create it with [New], register
// operations with [Get], [Post], [Put], [Patch], [Delete] or [Register],
// then serve it.
//
// Registration is not safe for concurrent use and must be complete
// before the API serves its first request; serving is safe for
// concurrent use.
type API struct {
	cfg      Config
	router   *route.Router[*operation]
	registry *schema.Registry
	// validators compiles each component schema once for all operations.
	validators *validate.Compiler
	ops        []*operation
	opIDs      map[string]string // operationId -> registration site
	sites      map[string]string // method+" "+pattern -> registration site
	mw         []func(http.Handler) http.Handler
	handler    http.Handler // dispatch wrapped in API middleware
	problems   problemSchemas

	docs docCache
}

// New returns an empty API configured by c.
func New(c Config) *API {
	if c.Title == "" {
		c.Title = "API"
	}
	if c.Version == "" {
		c.Version = "0.0.0"
	}
	if c.OpenAPIPath == "" {
		c.OpenAPIPath = "/openapi"
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 1 << 20
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	a := &API{
		cfg:      c,
		router:   route.New[*operation](),
		registry: schema.NewRegistry(),
		opIDs:    map[string]string{},
		sites:    map[string]string{},
	}
	a.validators = validate.NewCompiler(a.registry)
	a.problems = defineProblemSchemas(a.registry)
	a.handler = http.HandlerFunc(a.dispatch)
	if c.OpenAPIPath != "-" {
		a.serveDocument(strings.TrimSuffix(c.OpenAPIPath, "/"))
	}
	return a
}

// Use adds middleware that wraps the whole API, including the answers
// for unknown routes and the document. The first added runs outermost.
func (a *API) Use(mw ...func(http.Handler) http.Handler) {
	a.mw = append(a.mw, mw...)
	var h http.Handler = http.HandlerFunc(a.dispatch)
	for i := len(a.mw) - 1; i >= 0; i-- {
		h = a.mw[i](h)
	}
	a.handler = h
}

// Registry returns the schema registry holding the API's component
// schemas, for custom types and hand-written schemas.
func (a *API) Registry() *schema.Registry { return a.registry }

// ServeHTTP routes r to its operation.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.handler.ServeHTTP(w, r)
}

// dispatch matches the route and runs the operation, or answers 404,
// 405 with Allow, or an automatic OPTIONS.
func (a *API) dispatch(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	raw := r.URL.RawPath != ""
	if raw {
		path = r.URL.RawPath
	}
	st := getState()
	op, _, allow, ok := a.router.Lookup(r.Method, path, &st.params)
	if !ok {
		putState(st)
		switch {
		case allow == "":
			a.writeProblem(w, r, &Error{Status: http.StatusNotFound, Detail: "no operation matches the path " + strconv.Quote(r.URL.Path)})
		case r.Method == http.MethodOptions:
			w.Header().Set("Allow", allow)
			w.WriteHeader(http.StatusNoContent)
		default:
			w.Header().Set("Allow", allow)
			a.writeProblem(w, r, &Error{Status: http.StatusMethodNotAllowed, Detail: "method " + r.Method + " is not allowed here; allowed: " + allow})
		}
		return
	}
	if !st.loadPathValues(raw) {
		putState(st)
		a.writeProblem(w, r, &Error{Status: http.StatusBadRequest, Detail: "the request path has an invalid percent-encoding"})
		return
	}
	if op.wrapped != nil {
		// Middleware sees the path values through r.PathValue; the
		// wrapped handler reads them back from there.
		for i, name := range op.paramNames {
			r.SetPathValue(name, st.pathVals[i])
		}
		putState(st)
		op.wrapped.ServeHTTP(w, r)
		return
	}
	op.serve(w, r, st)
	putState(st)
}
