package roux

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"unsafe"

	"github.com/roux-go/roux/internal/bind"
	"github.com/roux-go/roux/internal/codec"
	"github.com/roux-go/roux/internal/route"
	"github.com/roux-go/roux/internal/validate"
	"github.com/roux-go/roux/internal/verr"
	"github.com/roux-go/roux/openapi"
	"github.com/roux-go/roux/schema"
)

// operation is everything roux compiled for one registered operation.
// It is immutable once registered.
type operation struct {
	api        *API
	method     string
	pattern    string
	id         string
	site       string
	paramNames []string // path wildcards, positionally
	params     []param
	deps       depPlan
	security   []opSecurity
	secNodes   []int // the nodes of security schemes, run before the input is read
	// crossOrigin: an unsafe method secured by a cookie, whose
	// cross-origin browser requests are refused (CSRF).
	crossOrigin bool
	// ifMatch: the input has an If-Match field of type ETags;
	// ifMatchRequired: it is required, and its absence is a 428.
	ifMatch, ifMatchRequired bool
	tasksAt                  uintptr  // offset+1 of the *Tasks input field; 0 when none
	cpu                      *cpuPool // the pool of a CPU-bound operation, or nil
	body                     *bodyPlan
	form                     *formPlan
	resp                     responsePlan
	spec                     handlerSpec
	middleware               []func(http.Handler) http.Handler // the operation's own, outermost first
	wrapped                  http.Handler                      // the operation behind its middleware and the API's wrappers, or nil
	doc                      *openapi.Operation
	// inner holds doc's responses before the API's documented middleware
	// (describeAPIMiddleware): the operation's own, with its own
	// middleware's.
	inner     map[string]*openapi.Response
	inputRule func(unsafe.Pointer, *verr.Path, *verr.List) // the input type's Validate method, or nil (validator.go)
	idem      *idemPlan                                    // Idempotent's, or nil
}

// param is a compiled parameter: its binder, how to find its values and
// its validator (nil when there is nothing to check).
type param struct {
	*bind.Param
	pathIndex int // for path parameters
	validator *validate.Validator
	hidden    bool // not published: a security scheme describes it
}

// bodyPlan decodes and validates the request body into the Body field.
type bodyPlan struct {
	offset    uintptr
	typ       reflect.Type
	schema    *schema.Schema
	required  bool
	limit     int64
	decoder   *codec.Decoder
	validator *validate.Validator
	// mergePatch: the body is also accepted as application/merge-patch+json.
	mergePatch bool
}

var validMethod = regexp.MustCompile(`^[A-Z]+$`)

// bodyless returns, for a method whose request content has no defined
// meaning, the section of RFC 9110 that says so, and "" for the others.
// An input of such a method with a Body or Form field is refused.
func bodyless(method string) string {
	switch method {
	case http.MethodGet:
		return "9.3.1"
	case http.MethodHead:
		return "9.3.2"
	case http.MethodDelete:
		return "9.3.5"
	}
	return ""
}

// compile builds an operation, adds it to the router and returns it.
func (a *API) compile(method, pattern, site string, spec handlerSpec, opts []Option) (*operation, error) {
	if !validMethod.MatchString(method) {
		return nil, fmt.Errorf("method %q must be an uppercase token such as GET", method)
	}
	var cfg opConfig
	for _, o := range opts {
		o.apply(&cfg)
	}
	pat, err := route.ParsePattern(pattern)
	if err != nil {
		return nil, err
	}
	op := &operation{api: a, method: method, pattern: pattern, site: site, spec: spec, paramNames: pat.Params(), inputRule: customCheck(spec.in)}
	if err := op.compileInput(spec.in, pat, cfg); err != nil {
		return nil, err
	}
	if err := op.compileOutput(spec.out, cfg); err != nil {
		return nil, err
	}
	if err := op.assignID(cfg.id); err != nil {
		return nil, err
	}
	if cfg.cpuBound {
		op.cpu = a.cpuPool()
	}
	op.compileConditional()
	if err := op.compileIdempotency(cfg); err != nil {
		return nil, err
	}
	cfg.responses = append(op.deps.responses(), cfg.responses...)
	if op.doc, err = op.describe(cfg); err != nil {
		return nil, err
	}
	op.middleware = cfg.middleware
	op.wrap()
	docKey := method + " " + docPath(pattern)
	if prev, taken := a.docPaths[docKey]; taken {
		return nil, fmt.Errorf("%s and %s (registered at %s) are both published as the OpenAPI path %s, which cannot tell them apart; change one pattern", pattern, prev, a.sites[method+" "+prev], docPath(pattern))
	}
	if err := a.router.Add(method, pattern, op); err != nil {
		var ce *route.ConflictError
		if errors.As(err, &ce) {
			return nil, fmt.Errorf("conflicts with %s %s registered at %s: %v", ce.ExistingMethod, ce.Existing, a.sites[ce.ExistingMethod+" "+ce.Existing], err)
		}
		return nil, err
	}
	a.sites[method+" "+pattern] = site
	a.docPaths[docKey] = pattern
	a.ops = append(a.ops, op)
	a.invalidateDocument()
	return op, nil
}

// inputPlan is what compiling an input struct yields: parameter binders
// and fields filled by dependencies (the body goes to op.body).
type inputPlan struct {
	params []param
	deps   []depField
}

// compileInput compiles the operation's input struct and its dependency
// plan, and checks that path parameters and pattern wildcards match.
func (op *operation) compileInput(t reflect.Type, pat *route.Pattern, cfg opConfig) error {
	if t.Kind() != reflect.Struct {
		return fmt.Errorf("input type %v must be a struct", t)
	}
	dc := &depCompiler{op: op, index: map[*depDef]int{}, visiting: map[*depDef]bool{}}
	for i := len(cfg.provides) - 1; i >= 0; i-- {
		dc.scope = append(dc.scope, cfg.provides[i])
	}
	for i := len(op.api.deps.provides) - 1; i >= 0; i-- {
		dc.scope = append(dc.scope, op.api.deps.provides[i])
	}
	var in inputPlan
	if err := op.compileStruct(t, 0, &in, dc, true); err != nil {
		return err
	}
	if st := op.spec.server; st != nil {
		if err := op.compileServer(st, op.spec.serverAt, &in, dc); err != nil {
			return err
		}
	}
	op.params, op.deps.fields = in.params, in.deps
	for _, f := range in.deps {
		op.deps.nodes[f.node].needed = true
	}
	for _, r := range cfg.requires {
		i, err := dc.node(r.provider())
		if err != nil {
			return err
		}
		op.deps.nodes[i].needed = true
	}
	if err := op.compileSecurity(cfg, dc); err != nil {
		return err
	}
	bound := map[string]bool{}
	for _, params := range op.allParams() {
		for i := range params {
			p := &params[i]
			if p.In != bind.Path {
				continue
			}
			p.pathIndex = slices.Index(op.paramNames, p.Name)
			if p.pathIndex < 0 {
				return fmt.Errorf("input field for path parameter %q: the pattern has no {%s}", p.Name, p.Name)
			}
			bound[p.Name] = true
		}
	}
	for _, name := range op.paramNames {
		if !bound[name] {
			return fmt.Errorf("the pattern's {%s} has no input field; add a field tagged `path:%q` to %v", name, name, t)
		}
	}
	limit := op.api.cfg.MaxBodyBytes
	if cfg.bodyLimit > 0 {
		limit = cfg.bodyLimit
	}
	switch {
	case op.body != nil && op.form != nil:
		return fmt.Errorf("input %v has both Body and Form; an operation reads one kind of body", t)
	case (op.body != nil || op.form != nil) && bodyless(op.method) != "":
		field := "Body"
		if op.form != nil {
			field = "Form"
		}
		return fmt.Errorf("input %v has a %s field, but the content of a %s request has no defined meaning (RFC 9110, section %s) and proxies and clients may drop it; send the values as query parameters, or use POST", t, field, op.method, bodyless(op.method))
	case op.body != nil:
		op.body.limit, op.body.mergePatch = limit, cfg.mergePatch
	case op.form != nil:
		op.form.limit = limit
	}
	return nil
}

// allParams returns the parameter lists of the operation and of every
// dependency it uses.
func (op *operation) allParams() [][]param {
	all := [][]param{op.params}
	for _, n := range op.deps.nodes {
		all = append(all, n.params)
	}
	return all
}

// compileStruct walks an input struct (the operation's, or a provider's):
// tagged fields are parameters or dependencies, a field named Body is the
// request body (operations only), embedded structs are flattened.
func (op *operation) compileStruct(t reflect.Type, base uintptr, in *inputPlan, dc *depCompiler, bodyOK bool) error {
	if t.Kind() != reflect.Struct {
		return fmt.Errorf("input type %v must be a struct", t)
	}
	reg := op.api.registry
	for i := range t.NumField() {
		sf := t.Field(i)
		sf.Offset += base
		_, isParam := paramTag(sf.Tag)
		_, isDep := sf.Tag.Lookup("dep")
		switch {
		case sf.Anonymous && sf.Type.Kind() == reflect.Struct && !isParam && !isDep:
			if err := op.compileStruct(sf.Type, sf.Offset, in, dc, bodyOK); err != nil {
				return err
			}
		case isParam:
			bp, err := bind.Compile(sf, reg)
			if err != nil {
				return fmt.Errorf("input field %s: %w", sf.Name, err)
			}
			for _, q := range in.params {
				if q.Name == bp.Name && q.In == bp.In {
					return fmt.Errorf("input field %s: %s parameter %q is bound twice", sf.Name, bp.In, bp.Name)
				}
			}
			var v *validate.Validator
			bp.Schema, v, err = op.api.shared.paramValidator(op.api.validators, sf.Type, bp.Schema)
			if err != nil {
				return fmt.Errorf("input field %s: %w", sf.Name, err)
			}
			in.params = append(in.params, param{Param: bp, validator: v})
		case (isDep || sf.Type == tasksType) && bodyOK:
			return fmt.Errorf("input field %s is filled by the server, and the input holds only what a client sends; move it to the server struct of roux.HandleWith or roux.RegisterWith", sf.Name)
		case sf.Type == tasksType:
			return fmt.Errorf("input field %s: background tasks belong to operations, not dependencies", sf.Name)
		case isDep:
			if err := in.addDep(dc, sf); err != nil {
				return err
			}
		case sf.Name == "Form" && bodyOK:
			if err := op.compileForm(sf); err != nil {
				return err
			}
		case sf.Name == "Body" && bodyOK:
			if err := op.compileBody(sf); err != nil {
				return err
			}
		case !sf.IsExported():
		default:
			return fmt.Errorf("input field %s has no path, query, header, cookie or dep tag and is not Body; tag it or remove it", sf.Name)
		}
	}
	return nil
}

// compileServer walks the server struct S of [HandleWith]: fields tagged
// dep and a *Tasks field, embedded structs flattened. Wire values belong
// in the input.
func (op *operation) compileServer(t reflect.Type, base uintptr, in *inputPlan, dc *depCompiler) error {
	if t.Kind() != reflect.Struct {
		return fmt.Errorf("the handler's server type %v must be a struct", t)
	}
	for i := range t.NumField() {
		sf := t.Field(i)
		sf.Offset += base
		_, isParam := paramTag(sf.Tag)
		_, isDep := sf.Tag.Lookup("dep")
		switch {
		case isParam || sf.Name == "Body" || sf.Name == "Form":
			return fmt.Errorf("server field %s of %v is read from the request; move it to the input %v, which describes what a client sends", sf.Name, t, op.spec.in)
		case sf.Anonymous && sf.Type.Kind() == reflect.Struct && !isDep:
			if err := op.compileServer(sf.Type, sf.Offset, in, dc); err != nil {
				return err
			}
		case sf.Type == tasksType:
			op.tasksAt = sf.Offset + 1
		case isDep:
			if err := in.addDep(dc, sf); err != nil {
				return err
			}
		case !sf.IsExported():
		default:
			return fmt.Errorf("server field %s of %v is neither tagged dep nor a *roux.Tasks; tag it `dep:\"\"` or remove it", sf.Name, t)
		}
	}
	return nil
}

// addDep adds the field sf, tagged dep, filled from its provider.
func (in *inputPlan) addDep(dc *depCompiler, sf reflect.StructField) error {
	f, err := dc.field(sf)
	if err != nil {
		return err
	}
	in.deps = append(in.deps, f)
	return nil
}

func paramTag(tag reflect.StructTag) (string, bool) {
	for _, k := range []string{"path", "query", "header", "cookie"} {
		if _, ok := tag.Lookup(k); ok {
			return k, true
		}
	}
	return "", false
}

// compileBody compiles the decoder and validator of the Body field. A
// pointer Body is an optional body; any other type is required.
func (op *operation) compileBody(sf reflect.StructField) error {
	reg := op.api.registry
	s, err := reg.Schema(sf.Type)
	if err != nil {
		return fmt.Errorf("input field Body: %w", err)
	}
	dec, err := codec.Compile(sf.Type, s, reg)
	if err != nil {
		return fmt.Errorf("input field Body: %w", err)
	}
	v, err := op.api.validators.Compile(sf.Type, s)
	if err != nil {
		return fmt.Errorf("input field Body: %w", err)
	}
	op.body = &bodyPlan{
		offset: sf.Offset, typ: sf.Type, schema: s,
		required: sf.Type.Kind() != reflect.Pointer,
		decoder:  dec, validator: v,
	}
	return nil
}

// assignID sets the operationId: the one given, or one derived from the
// method and pattern, made unique with a numeric suffix.
func (op *operation) assignID(id string) error {
	ids := op.api.opIDs
	if id != "" {
		if prev, taken := ids[id]; taken {
			return fmt.Errorf("operationId %q is already used by the operation registered at %s", id, prev)
		}
		op.id = id
		ids[id] = op.site
		return nil
	}
	base := deriveID(op.method, op.pattern)
	id = base
	for n := 2; ; n++ {
		if _, taken := ids[id]; !taken {
			break
		}
		id = fmt.Sprintf("%s-%d", base, n)
	}
	op.id = id
	ids[id] = op.site
	return nil
}

// deriveID is the operationId of an operation declared without one:
// the lowercase method and the pattern's segments, joined by dashes
// ("get-dishes-id" for GET /dishes/{id}).
func deriveID(method, pattern string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for seg := range strings.SplitSeq(pattern, "/") {
		seg = strings.Trim(seg, "{}.$")
		if seg == "" {
			continue
		}
		b.WriteByte('-')
		for _, c := range seg {
			if c < 128 && (c == '-' || c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
				b.WriteRune(c)
			} else {
				b.WriteByte('-')
			}
		}
	}
	return b.String()
}

// fieldPtr returns the address of the field at offset in the struct at p.
func fieldPtr(p unsafe.Pointer, offset uintptr) unsafe.Pointer {
	return unsafe.Add(p, offset)
}
