package roux

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/roux-go/roux/internal/route"
	"github.com/roux-go/roux/internal/validate"
	"github.com/roux-go/roux/openapi"
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
	// TermsOfService, Contact and License are published in the
	// document's info object: the URL of the API's terms of service,
	// who to contact about it, and its licence. A licence names an SPDX
	// Identifier or a URL, not both; the 3.0 document, which lacks
	// identifiers, links the SPDX page of the identifier instead.
	TermsOfService string
	Contact        *openapi.Contact
	License        *openapi.License
	// Servers are the base URLs the API is served at. roux cannot know
	// where it is deployed: without Servers the document lists none, which
	// OpenAPI reads as "/", the host that served the document. A relative
	// URL ("/", "/v1") is resolved against the document's own URL.
	Servers []openapi.Server
	// ExternalDocs links documentation beyond the document, such as a
	// guide.
	ExternalDocs *openapi.ExternalDocs
	// Tags describes the tags operations are grouped by ([Tags]) and
	// orders them: the document lists these first, in this order, then
	// the tags operations use that Tags lacks, in the order they are
	// first used. A tag listed here that no operation uses is published
	// all the same.
	Tags []openapi.Tag
	// SchemeDescriptions describes security schemes in the document, by
	// scheme name (the first argument of [APIKeyAuth], [BearerAuth],
	// [BasicAuth], [OAuth2PasswordAuth] and [TokenAuth]); it replaces a
	// description the scheme has. A name that no operation's scheme has
	// is left out of the document, and [API.Start] logs a warning naming
	// it.
	SchemeDescriptions map[string]string
	// OpenAPIPath is where the document is served: OpenAPIPath+".json"
	// and OpenAPIPath+".yaml". It defaults to "/openapi"; "-" turns the
	// document routes off (API.OpenAPI still returns it).
	OpenAPIPath string
	// DocsPath is where the interactive API reference (package
	// [github.com/roux-go/roux/docs]) is served, showing the document at
	// OpenAPIPath+".json". It defaults to "/docs"; "-" turns the page off,
	// and so does turning the document routes off.
	DocsPath string
	// MaxBodyBytes limits request bodies; an operation can override it
	// with [BodyLimit]. It defaults to 1 MiB.
	MaxBodyBytes int64
	// UploadMemoryBytes is how many bytes of uploaded files ([FormFile])
	// one request may hold in memory; files beyond it are written to
	// temporary files in os.TempDir, removed when the handler returns. It
	// defaults to 256 KiB; a negative value writes every non-empty file
	// to disk.
	UploadMemoryBytes int64
	// Logger receives unexpected handler errors and recovered panics.
	// It defaults to slog.Default().
	Logger *slog.Logger
	// CPU sizes the pool that runs operations declared [CPUBound].
	CPU CPUConfig
	// Formats are response encodings offered besides JSON, chosen by the
	// request's Accept header; see [Format]. New panics when one is
	// malformed or offered twice.
	Formats []Format
	// TrustedOrigins are origins ("https://app.example.com") whose
	// browser pages may send unsafe requests to operations secured by a
	// cookie ([APIKeyAuth] with [InCookie]), which roux otherwise refuses
	// when they come from another origin (CSRF protection, with
	// http.CrossOriginProtection). New panics on a malformed origin.
	TrustedOrigins []string
	// CheckResponses checks every response an operation sends against its
	// published description: the status is documented, the headers
	// documented as required are present, and a JSON body satisfies its
	// schema. A response that breaks the description is logged and
	// replaced by a 500 problem of type [ResponseViolationType] naming
	// the operation, the status and the failing JSON pointers, so tests
	// fail loudly. It is meant for development and tests; the environment
	// variable ROUX_CHECK_RESPONSES=1 turns it on for every API of the
	// process. Its cost is in BENCHMARKS.md.
	CheckResponses bool
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
	docPaths   map[string]string // method+" "+OpenAPI path -> pattern
	mw         []func(http.Handler) http.Handler
	opWrappers []func(OperationInfo, http.Handler) http.Handler
	handler    http.Handler // dispatch wrapped in API middleware
	problems   problemSchemas
	deps       depScope
	life       lifecycle
	checking   bool // Config.CheckResponses or ROUX_CHECK_RESPONSES=1
	csrf       *http.CrossOriginProtection
	documented []DocumentedMiddleware       // added with UseDocumented
	front      map[string]*openapi.Response // added with DocumentFront
	cpuOnce    sync.Once
	cpu        *cpuPool
	refusals   refusals
	hooks      webhooks // published with API.Webhook

	docs   docCache
	shared docShare // the responses and parameters operations share (docshare.go)
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
	if c.DocsPath == "" {
		c.DocsPath = "/docs"
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 1 << 20
	}
	if c.UploadMemoryBytes == 0 {
		c.UploadMemoryBytes = defaultUploadMemory
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if err := checkFormats(c.Formats); err != nil {
		panic(err)
	}
	if err := c.checkMetadata(); err != nil {
		panic(err)
	}
	c.Formats = slices.Clone(c.Formats)
	a := &API{
		cfg:      c,
		router:   route.New[*operation](),
		registry: schema.NewRegistry(),
		opIDs:    map[string]string{},
		sites:    map[string]string{},
		docPaths: map[string]string{},
	}
	a.checking = c.CheckResponses || checkingFromEnv()
	a.csrf = http.NewCrossOriginProtection()
	for _, o := range c.TrustedOrigins {
		if err := a.csrf.AddTrustedOrigin(o); err != nil {
			panic(fmt.Errorf("roux: Config.TrustedOrigins: %w", err))
		}
	}
	a.validators = validate.NewCompiler(a.registry)
	a.validators.Custom = customCheck
	a.problems = defineProblemSchemas(a.registry)
	a.handler = http.HandlerFunc(a.dispatch)
	if c.OpenAPIPath != "-" {
		a.serveDocument(strings.TrimSuffix(c.OpenAPIPath, "/"))
		if c.DocsPath != "-" {
			a.serveDocs(strings.TrimSuffix(c.DocsPath, "/"), strings.TrimSuffix(c.OpenAPIPath, "/")+".json")
		}
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

// ServeHTTP routes r to its operation. A panic anywhere below it — in
// middleware or in the problem hook as much as in a handler — is logged
// and answered with a 500 problem; serving goes on.
//
// Every response carries X-Content-Type-Options: nosniff, so that no
// browser reads a JSON or problem body as HTML or script; a handler or
// middleware may delete it.
//
// A path with an empty, "." or ".." segment (a trailing slash aside,
// plain or percent-encoded: "/dishes//7", "/a/./b", "/a/%2e%2e/b") is
// answered 400, the "malformed request" problem every operation
// publishes, and is neither routed nor redirected. net/http's ServeMux
// redirects such a path to its clean form; for an API that redirect
// would be a silent rewrite of what the client named (an empty or ".."
// path parameter turning "/orders/{id}/cancel" into another resource,
// and an unsafe method followed there), undocumented, and a place where
// a proxy and the server could disagree on the resource. A segment with
// an escaped slash is data, as the router reads it: "..%2F.." is one
// segment, not two dot segments.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer a.recoverPanic(w, r)
	w.Header()[headerNosniff] = nosniff
	a.handler.ServeHTTP(w, r)
}

// recoverPanic is the last line of defence; handler panics are already
// recovered, with the operation named, in operation.serve. It writes the
// problem without the hook, which may be what panicked.
func (a *API) recoverPanic(w http.ResponseWriter, r *http.Request) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	a.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "roux: panic while serving", slog.Any("panic", v),
		slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("stack", stack()))
	body := `{"type":"about:blank","title":"Internal Server Error","status":500,"detail":"the server failed to handle the request"}`
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusInternalServerError)
	io.WriteString(w, body) //nolint:errcheck // the response may be half written; nothing more can be done
}

// dispatch matches the route and runs the operation, or answers 404,
// 405 with Allow, an automatic OPTIONS, or a 400 for a path with an
// empty, "." or ".." segment (see [API.ServeHTTP]).
func (a *API) dispatch(w http.ResponseWriter, r *http.Request) {
	if isUnclean(r.URL.Path) && uncleanAsRouted(r.URL) {
		a.writeProblem(w, r, &Error{Status: http.StatusBadRequest, Detail: errUnclean})
		return
	}
	// The router matches the decoded path, unless an escaped slash in a
	// segment makes the escaped form the only one that splits right.
	path, escaped := r.URL.Path, false
	if raw := r.URL.RawPath; raw != "" && (strings.Contains(raw, "%2F") || strings.Contains(raw, "%2f")) {
		path, escaped = raw, true
	}
	st := getState()
	op, _, allow, ok := a.router.Lookup(r.Method, path, &st.params)
	if !ok {
		putState(st)
		switch {
		case allow == "":
			a.writeProblem(w, r, &Error{Status: http.StatusNotFound, Detail: "no operation matches the path " + echo(r.URL.Path)})
		case r.Method == http.MethodOptions:
			w.Header().Set("Allow", allow)
			w.WriteHeader(http.StatusNoContent)
		default:
			w.Header().Set("Allow", allow)
			a.writeProblem(w, r, &Error{Status: http.StatusMethodNotAllowed, Detail: "method " + echo(r.Method) + " is not allowed here; allowed: " + allow})
		}
		return
	}
	if !st.loadPathValues(escaped) {
		putState(st)
		a.writeProblem(w, r, &Error{Status: http.StatusBadRequest, Detail: "the request path has an invalid percent-encoding"})
		return
	}
	if a.checking && op.doc != nil { // the document and docs routes have none
		w = &checkWriter{ResponseWriter: w, op: op, r: r}
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

// isUnclean reports whether path has "." or ".." segments or an empty
// segment, which ServeMux would also redirect. One pass, no allocation:
// it runs for every request.
func isUnclean(p string) bool {
	for i := strings.IndexByte(p, '/'); i >= 0 && i < len(p)-1; {
		rest := p[i+1:]
		switch {
		case rest[0] == '/':
			return true
		case rest[0] == '.' && (len(rest) == 1 || rest[1] == '/'):
			return true
		case rest[0] == '.' && rest[1] == '.' && (len(rest) == 2 || rest[2] == '/'):
			return true
		}
		j := strings.IndexByte(rest, '/')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// errUnclean is the detail of the 400 answering a path that is not in
// its normal form.
const errUnclean = `the request path has an empty, "." or ".." segment; send it in its normal form (RFC 3986, section 6.2.2.3)`

// uncleanAsRouted reports whether u's path, which isUnclean found to have
// an empty, "." or ".." segment when decoded, has one as the router
// splits it: where the router matches the escaped path (an escaped slash
// in it), "..%2F.." is one segment of data, not two dot segments.
func uncleanAsRouted(u *url.URL) bool {
	if raw := u.RawPath; strings.Contains(raw, "%2F") || strings.Contains(raw, "%2f") {
		return route.CleanEscaped(raw) != raw
	}
	return true
}
