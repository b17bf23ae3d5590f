package roux

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/roux-go/roux/docs"
	"github.com/roux-go/roux/internal/yamlenc"
	"github.com/roux-go/roux/openapi"
	"github.com/roux-go/roux/schema"
)

// problemSchemas are the component references of the problem types.
type problemSchemas struct {
	problem *schema.Schema
}

func defineProblemSchemas(reg *schema.Registry) problemSchemas {
	str := func(desc string) *schema.Schema {
		return &schema.Schema{Type: schema.Types{"string"}, Description: desc}
	}
	detail, err := reg.Define("ProblemDetail", &schema.Schema{
		Type:        schema.Types{"object"},
		Description: "One failure of one value in the request.",
		Properties: map[string]*schema.Schema{
			"detail":    str("What is wrong, as a sentence."),
			"pointer":   str("JSON Pointer (RFC 6901) to the failing body member."),
			"parameter": str("Name of the failing parameter."),
			"in":        {Type: schema.Types{"string"}, Description: "Location of the failing parameter.", Enum: []any{"path", "query", "header", "cookie"}},
			"code":      str("The JSON Schema keyword that failed, such as minimum or required."),
			"value":     {Description: "The offending value, where it is safe to echo."},
		},
		PropertyOrder: []string{"detail", "pointer", "parameter", "in", "code", "value"},
		Required:      []string{"detail", "code"},
	})
	if err != nil {
		panic(err) // a fresh registry always accepts these names
	}
	problem, err := reg.Define("Problem", &schema.Schema{
		Type:        schema.Types{"object"},
		Description: "An RFC 9457 problem details object.",
		Properties: map[string]*schema.Schema{
			"type":     {Type: schema.Types{"string"}, Format: "uri-reference", Default: "about:blank", Description: "URI reference identifying the problem type."},
			"title":    str("Short summary of the problem type."),
			"status":   {Type: schema.Types{"integer"}, Minimum: ptrTo(400.0), Maximum: ptrTo(599.0), Description: "HTTP status code."},
			"detail":   str("Explanation of this occurrence of the problem."),
			"instance": {Type: schema.Types{"string"}, Format: "uri-reference", Description: "URI reference identifying this occurrence."},
			"errors":   {Type: schema.Types{"array"}, Items: detail, Description: "Every failure of the request's values, or the first 100 of them."},
			"omittedErrors": {Type: schema.Types{"integer"}, Minimum: ptrTo(1.0),
				Description: "How many failures errors leaves out, when there are more than it lists."},
		},
		PropertyOrder: []string{"type", "title", "status", "detail", "instance", "errors", "omittedErrors"},
		Required:      []string{"type", "title", "status"},
	})
	if err != nil {
		panic(err)
	}
	return problemSchemas{problem: problem}
}

func ptrTo[T any](v T) *T { return &v }

// clonePtr returns a pointer to a copy of *p, or nil.
func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	return ptrTo(*p)
}

// describe builds the operation's OpenAPI description.
func (op *operation) describe(cfg opConfig) (*openapi.Operation, error) {
	d := &openapi.Operation{
		OperationID: op.id,
		Summary:     cfg.summary,
		Description: cfg.description,
		Tags:        cfg.tags,
		Deprecated:  cfg.deprecated,
		Responses:   map[string]*openapi.Response{},
	}
	params, err := op.publishedParams()
	if err != nil {
		return nil, err
	}
	op.describeSecurity(d)
	if cfg.public {
		if d.Security != nil {
			return nil, fmt.Errorf("option Public: the operation is secured by %s (roux.Secure, or a dep field of the scheme); an operation is public or secured, not both", schemeNames(d.Security))
		}
		d.Security = []map[string][]string{}
	}
	if cfg.docs != nil {
		docs, err := checkDocs(cfg.docs)
		if err != nil {
			return nil, fmt.Errorf("option ExternalDocs: %w", err)
		}
		d.ExternalDocs = docs
	}
	for _, p := range params {
		s := *p.Schema
		param := &openapi.Parameter{
			Name: p.Name, In: string(p.In), Required: p.Required, AllowEmptyValue: p.AllowEmpty,
			Description: s.Description, Deprecated: s.Deprecated, Schema: &s,
		}
		s.Description, s.Deprecated = "", false
		if len(s.Examples) > 0 {
			param.Example = s.Examples[0]
		}
		style, explode := p.Style()
		if p.Schema.Type.Has("array") {
			param.Style, param.Explode = style, &explode
		}
		d.Parameters = append(d.Parameters, param)
	}
	// The problems roux itself can answer with, each with the headers it
	// sends: the document says everything the server sends.
	problems := problemContent(op.api.problems.problem)
	problem := func(status int, desc string, headers map[string]*openapi.Header) {
		d.Responses[strconv.Itoa(status)] = &openapi.Response{Description: desc, Content: problems, Headers: headers}
	}
	problem(http.StatusBadRequest, "The request is malformed", nil)
	content, err := op.bodyContent(cfg)
	if err != nil {
		return nil, err
	}
	if op.body != nil {
		d.RequestBody = &openapi.RequestBody{Required: op.body.required, Content: content}
	}
	if op.form != nil {
		d.RequestBody = &openapi.RequestBody{Required: len(op.form.schema.Required) > 0, Content: op.form.content()}
	}
	if op.body != nil || op.form != nil {
		problem(http.StatusRequestEntityTooLarge, "The body is larger than the operation accepts", nil)
		headers := map[string]*openapi.Header{
			"Accept":          headerDoc("Sent when the body's media type was the cause: the media types the operation reads.", false),
			"Accept-Encoding": headerDoc("Sent when the body had a content coding: the codings accepted (identity).", false),
		}
		if op.method == http.MethodPatch {
			headers["Accept-Patch"] = headerDoc("Sent when the body's media type was the cause: the patch document types the operation reads.", false)
		}
		problem(http.StatusUnsupportedMediaType, "The body's media type or content coding is not one the operation accepts", headers)
	}
	if op.body != nil || op.form != nil || len(params) > 0 {
		problem(http.StatusUnprocessableEntity, "The request has invalid values", nil)
	}
	if len(op.secNodes) > 0 {
		problem(http.StatusUnauthorized, "The credentials are missing or not valid",
			map[string]*openapi.Header{"WWW-Authenticate": headerDoc("The challenge of the security scheme.", true)})
	}
	switch {
	case op.hasScopes() && op.crossOrigin:
		problem(http.StatusForbidden, "The credentials lack a required scope, or a browser page of another origin sent the request",
			map[string]*openapi.Header{"WWW-Authenticate": headerDoc("The scopes the operation needs (error=\"insufficient_scope\"), when they are what is missing.", false)})
	case op.hasScopes():
		problem(http.StatusForbidden, "The credentials lack a required scope",
			map[string]*openapi.Header{"WWW-Authenticate": headerDoc("The scopes the operation needs (error=\"insufficient_scope\").", true)})
	case op.crossOrigin:
		problem(http.StatusForbidden, "A browser page of another origin sent the request: refused, as the operation is secured by a cookie (CSRF)", nil)
	}
	problem(http.StatusInternalServerError, "The server failed to handle the request", nil)
	if cfg.cpuBound {
		d.Extensions = map[string]any{"x-roux-class": "cpu"}
		problem(http.StatusServiceUnavailable, "The server is busy; retry after the Retry-After delay",
			map[string]*openapi.Header{"Retry-After": retryAfterDoc()})
	}
	ok := &openapi.Response{Description: http.StatusText(op.resp.status)}
	status := op.resp.status // the documented success status
	switch {
	case !op.resp.hasBody:
	case op.resp.kind == bodyCustom:
		if status, err = op.describeResponseBody(d, ok); err != nil {
			return nil, fmt.Errorf("output body %v: %w", op.resp.bodyType, err)
		}
		if status != op.resp.status && ok.Description == http.StatusText(op.resp.status) {
			ok.Description = http.StatusText(status)
		}
	case op.resp.kind != bodyJSON:
		ok.Content = map[string]*openapi.MediaType{op.resp.contentType: {Schema: &schema.Schema{Type: schema.Types{"string"}, Format: "binary"}}}
	default:
		ct := op.resp.contentType
		if ct == "" {
			ct = "application/json"
		}
		ok.Content = map[string]*openapi.MediaType{ct: {Schema: op.resp.schema}}
		for _, f := range op.api.cfg.Formats {
			ok.Content[f.MediaType] = &openapi.MediaType{Schema: op.resp.schema}
		}
	}
	if op.resp.offers != nil {
		d.Responses["406"] = &openapi.Response{Description: "The Accept header admits none of the media types the operation sends", Content: problems}
	}
	if len(op.resp.offers) > 1 {
		ok.Headers = map[string]*openapi.Header{"Vary": headerDoc("Accept: the media type follows the request's Accept header.", true)}
	}
	for _, h := range op.resp.headers {
		if h.name == "Content-Type" {
			continue // OpenAPI ignores a Content-Type header: the content map says it
		}
		if ok.Headers == nil {
			ok.Headers = map[string]*openapi.Header{}
		}
		s := *h.schema
		ok.Headers[h.name] = &openapi.Header{Description: s.Description, Schema: &s}
		s.Description = ""
	}
	d.Responses[strconv.Itoa(status)] = ok
	op.describeConditional(d, ok, problems)
	for _, x := range cfg.responses {
		if x.status < 100 || x.status > 599 {
			return nil, fmt.Errorf("option Response: status %d is not a valid response status", x.status)
		}
		if x.status == status {
			// The success response is derived from the output type; the
			// option may only describe it.
			if x.body != nil {
				return nil, fmt.Errorf("option Response(%d): that is the operation's success status, whose body is the output type; pass nil", x.status)
			}
			if x.description != "" {
				ok.Description = x.description
			}
			continue
		}
		if prev := d.Responses[strconv.Itoa(x.status)]; prev != nil && x.body == nil {
			// One roux publishes already: the option describes it.
			if x.description != "" {
				prev.Description = x.description
			}
			continue
		}
		r := &openapi.Response{Description: x.description}
		if r.Description == "" {
			r.Description = http.StatusText(x.status)
		}
		if x.status < 400 && op.resp.statusAt != 0 {
			// The handler answers with its output and this Status (a 304,
			// say): the output's headers come along.
			r.Headers = ok.Headers
		}
		if x.body != nil && isHeaderStruct(x.body) {
			// A struct of header fields: a response without a body of its
			// own (a problem from 400 on) with those headers.
			hs, err := op.headerDocs(x.body)
			if err != nil {
				return nil, fmt.Errorf("option Response(%d): %w", x.status, err)
			}
			r.Headers = hs
			if x.status >= 400 {
				r.Content = problems
			}
			d.Responses[strconv.Itoa(x.status)] = r
			continue
		}
		switch {
		case x.body != nil:
			s, err := op.api.registry.Schema(x.body)
			if err != nil {
				return nil, fmt.Errorf("option Response(%d): %w", x.status, err)
			}
			ct := "application/json"
			if x.status >= 400 {
				ct = "application/problem+json"
			}
			r.Content = map[string]*openapi.MediaType{ct: {Schema: s}}
		case x.status >= 400:
			r.Content = problems
		}
		d.Responses[strconv.Itoa(x.status)] = r
	}
	if err := op.describeCallbacks(d, cfg.callbacks); err != nil {
		return nil, err
	}
	op.describeIdempotency(d, problems)
	// Innermost first: a middleware's headers go on the responses of what
	// it wraps, the operation's and those of the middleware inside it,
	// and not on the responses of middleware outside it, which never pass
	// through it. The operation's own middleware runs inside the API's.
	for _, m := range slices.Backward(cfg.documented) {
		op.describeMiddleware(d, m)
	}
	op.inner = maps.Clone(d.Responses)
	op.describeAPIMiddleware(d)
	if err := op.describeExamples(d, ok, cfg.examples); err != nil {
		return nil, err
	}
	describeNosniff(d)
	op.api.shared.share(d)
	return d, nil
}

// describeNosniff publishes on each response of d the
// X-Content-Type-Options header that every response of an API carries
// (API.ServeHTTP sets it), unless middleware published it already. Each
// response is copied before it changes: some share their headers.
func describeNosniff(d *openapi.Operation) {
	for code, r := range d.Responses {
		if declares(r, headerNosniff) {
			continue
		}
		c := *r
		c.Headers = make(map[string]*openapi.Header, len(r.Headers)+1)
		maps.Copy(c.Headers, r.Headers)
		c.Headers[headerNosniff] = nosniffDoc
		d.Responses[code] = &c
	}
}

// nosniffDoc describes X-Content-Type-Options.
var nosniffDoc = &openapi.Header{Description: "nosniff: browsers must not guess another media type than Content-Type's.", Required: true,
	Schema: &schema.Schema{Type: schema.Types{"string"}, Enum: []any{"nosniff"}}}

// schemeNames lists the schemes of a security requirement, for messages.
func schemeNames(security []map[string][]string) string {
	var names []string
	for _, req := range security {
		names = append(names, slices.Sorted(maps.Keys(req))...)
	}
	return strings.Join(names, ", ")
}

// content describes a form body: multipart/form-data with the accepted
// types of each file field as its encoding, and, for a form without
// files, application/x-www-form-urlencoded too.
func (f *formPlan) content() map[string]*openapi.MediaType {
	multipart := &openapi.MediaType{Schema: f.schema}
	for _, fp := range f.files {
		if len(fp.accept) == 0 {
			continue
		}
		if multipart.Encoding == nil {
			multipart.Encoding = map[string]*openapi.Encoding{}
		}
		multipart.Encoding[fp.name] = &openapi.Encoding{ContentType: strings.Join(fp.accept, ", ")}
	}
	content := map[string]*openapi.MediaType{"multipart/form-data": multipart}
	if len(f.files) == 0 {
		content["application/x-www-form-urlencoded"] = &openapi.MediaType{Schema: f.schema}
	}
	return content
}

// headerDoc documents a string response header.
func headerDoc(desc string, required bool) *openapi.Header {
	return &openapi.Header{Description: desc, Required: required, Schema: &schema.Schema{Type: schema.Types{"string"}}}
}

// retryAfterDoc documents Retry-After as roux sends it: delay-seconds.
func retryAfterDoc() *openapi.Header {
	return &openapi.Header{Description: "Seconds to wait before retrying.", Required: true,
		Schema: &schema.Schema{Type: schema.Types{"string"}, Pattern: "^[0-9]+$"}}
}

// hasScopes reports whether the operation requires OAuth 2 scopes.
func (op *operation) hasScopes() bool {
	for _, s := range op.security {
		if len(s.scopes) > 0 {
			return true
		}
	}
	return false
}

// isHeaderStruct reports whether t is a struct of response header fields
// only (every exported field tagged header), as [Response] accepts to
// document the headers of a response.
func isHeaderStruct(t reflect.Type) bool {
	if t.Kind() != reflect.Struct || t.NumField() == 0 {
		return false
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if _, ok := f.Tag.Lookup("header"); !ok && f.IsExported() {
			return false
		}
	}
	return true
}

// headerDocs documents the header fields of the struct t, each required
// unless it is a pointer or tagged omitempty-like `required:"false"`.
func (op *operation) headerDocs(t reflect.Type) (map[string]*openapi.Header, error) {
	hs := map[string]*openapi.Header{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, ok := f.Tag.Lookup("header")
		if !ok {
			continue
		}
		s, err := op.api.registry.FieldSchema(f)
		if err != nil {
			return nil, fmt.Errorf("header field %s: %w", f.Name, err)
		}
		c := *s
		desc := c.Description
		c.Description = ""
		hs[http.CanonicalHeaderKey(name)] = &openapi.Header{Description: desc, Schema: &c,
			Required: f.Type.Kind() != reflect.Pointer && f.Tag.Get("required") != "false"}
	}
	return hs, nil
}

func problemContent(ref *schema.Schema) map[string]*openapi.MediaType {
	return map[string]*openapi.MediaType{"application/problem+json": {Schema: ref}}
}

// OpenAPI returns the OpenAPI 3.1 document describing every operation
// registered so far. The Document and its maps are new on each call, but
// the operations and schemas in it are the API's own: treat them as
// read-only (operations that describe equal responses or parameters share
// one copy). The API serves its own rendering, built on first request.
func (a *API) OpenAPI() *openapi.Document {
	c := &a.cfg
	doc := &openapi.Document{
		OpenAPI:           openapi.Version,
		JSONSchemaDialect: "https://spec.openapis.org/oas/3.1/dialect/base",
		Info: openapi.Info{Title: c.Title, Version: c.Version, Description: c.Description,
			TermsOfService: c.TermsOfService, Contact: clonePtr(c.Contact), License: clonePtr(c.License)},
		Servers:      slices.Clone(c.Servers),
		Paths:        map[string]*openapi.PathItem{},
		Tags:         a.documentTags(),
		ExternalDocs: clonePtr(c.ExternalDocs),
	}
	for _, op := range a.ops {
		path := docPath(op.pattern)
		item := doc.Paths[path]
		if item == nil {
			item = &openapi.PathItem{}
			doc.Paths[path] = item
		}
		item.Set(op.method, op.doc)
	}
	if len(a.hooks.items) > 0 {
		doc.Webhooks = maps.Clone(a.hooks.items)
	}
	doc.Components = &openapi.Components{Schemas: a.registry.Components(), SecuritySchemes: a.describedSchemes()}
	return doc
}

// docPath turns a roux pattern into an OpenAPI path template:
// "{rest...}" becomes "{rest}" and "{$}" is dropped.
func docPath(pattern string) string {
	return strings.ReplaceAll(strings.ReplaceAll(pattern, "...}", "}"), "{$}", "")
}

// document is the served form of the OpenAPI document, built once: the
// 3.1 document and its 3.0.3 downgrade, each as JSON and YAML with an
// ETag of its own.
type document struct {
	json, yaml     []byte
	etag           string
	json30, yaml30 []byte
	etag30         string
}

// docCache holds the built document; registration clears it.
type docCache struct {
	mu  sync.Mutex
	doc *document
}

func (a *API) invalidateDocument() {
	a.docs.mu.Lock()
	a.docs.doc = nil
	a.docs.mu.Unlock()
}

func (a *API) builtDocument() (*document, error) {
	a.docs.mu.Lock()
	defer a.docs.mu.Unlock()
	if a.docs.doc != nil {
		return a.docs.doc, nil
	}
	js, err := json.MarshalIndent(a.OpenAPI(), "", "  ")
	if err != nil {
		return nil, err
	}
	ym, err := yamlenc.FromJSON(js)
	if err != nil {
		return nil, err
	}
	js30, err := openapi.DowngradeJSON(js)
	if err != nil {
		return nil, err
	}
	ym30, err := yamlenc.FromJSON(js30)
	if err != nil {
		return nil, err
	}
	a.docs.doc = &document{json: js, yaml: ym, etag: etagOf(js), json30: js30, yaml30: ym30, etag30: etagOf(js30)}
	return a.docs.doc, nil
}

func etagOf(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`
}

// serveDocument registers prefix+".json" and prefix+".yaml" (OpenAPI
// 3.1), and prefix+"-3.0.json" and prefix+"-3.0.yaml" (the 3.0.3
// downgrade, see [openapi.Downgrade]).
func (a *API) serveDocument(prefix string) {
	for _, f := range []struct {
		suffix, ct string
		form       func(*document) ([]byte, string)
	}{
		{".json", "application/json", func(d *document) ([]byte, string) { return d.json, d.etag }},
		{".yaml", "application/yaml", func(d *document) ([]byte, string) { return d.yaml, d.etag }},
		{"-3.0.json", "application/json", func(d *document) ([]byte, string) { return d.json30, d.etag30 }},
		{"-3.0.yaml", "application/yaml", func(d *document) ([]byte, string) { return d.yaml30, d.etag30 }},
	} {
		op := &operation{api: a, method: http.MethodGet, pattern: prefix + f.suffix}
		op.wrapped = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			d, err := a.builtDocument()
			if err != nil {
				a.internalError(w, r, fmt.Errorf("building the OpenAPI document: %w", err))
				return
			}
			body, etag := f.form(d)
			h := w.Header()
			h.Set("ETag", etag)
			h.Set("Cache-Control", "no-cache")
			if match := r.Header.Get("If-None-Match"); match != "" && etagMatch(match, etag) {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			h.Set("Content-Type", f.ct)
			h.Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(http.StatusOK)
			if _, err := w.Write(body); err != nil {
				a.cfg.Logger.LogAttrs(r.Context(), slogDebug, "roux: writing the document", attrErr(err))
			}
		})
		if err := a.router.Add(http.MethodGet, op.pattern, op); err != nil {
			panic(&RegistrationError{Site: callerSite(), Method: "GET", Pattern: op.pattern, Err: fmt.Errorf("Config.OpenAPIPath: %w", err)})
		}
		a.sites["GET "+op.pattern] = "roux.New (Config.OpenAPIPath)"
	}
}

// serveDocs registers the docs page at path and its assets below it,
// showing the document at specURL. Like the document routes, these are
// not operations of the document. Each asset gets its own literal route,
// not a wildcard, so the page cannot conflict with the API's patterns.
func (a *API) serveDocs(path, specURL string) {
	h := docs.New(specURL, docs.Path(path), docs.Title(a.cfg.Title))
	for _, pattern := range h.Paths() {
		op := &operation{api: a, method: http.MethodGet, pattern: pattern, wrapped: h}
		if err := a.router.Add(http.MethodGet, pattern, op); err != nil {
			panic(&RegistrationError{Site: callerSite(), Method: "GET", Pattern: pattern, Err: fmt.Errorf("Config.DocsPath: %w", err)})
		}
		a.sites["GET "+pattern] = "roux.New (Config.DocsPath)"
	}
}

// etagMatch implements If-None-Match's weak comparison for a list.
func etagMatch(header, etag string) bool {
	for t := range strings.SplitSeq(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

// declares reports whether r publishes the header name, in any case.
func declares(r *openapi.Response, name string) bool {
	for k := range r.Headers {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}
