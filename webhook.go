package roux

// This file holds the declaration of webhooks and callbacks: requests
// the API sends to others, described from a Go payload type and
// published as OpenAPI 3.1 webhooks (with [API.Webhook]) or as an
// operation's callbacks (with [Callback]). webhook_send.go sends them,
// signed; webhook_verify.go checks them on the receiving end.

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/roux-go/roux/openapi"
	"github.com/roux-go/roux/schema"
)

// Webhook is the declaration of a request the API sends to others: a
// POST of a JSON payload of type P to a URL the receiver registered,
// signed as Standard Webhooks (https://www.standardwebhooks.com) sign
// them — headers webhook-id, webhook-timestamp and webhook-signature.
// Publish it in the document with [API.Webhook], as the callback of an
// operation with [Callback], or both; send it with [Webhook.Send].
//
// Like an [Operation], a Webhook holds no server code, so it can be
// declared in the package of declarations that server and clients share.
// It is immutable and safe for concurrent use.
type Webhook[P any] struct {
	decl webhookDecl
}

// webhookDecl is the type-erased part of a webhook declaration.
type webhookDecl struct {
	name    string
	site    string
	payload reflect.Type
	cfg     opConfig
}

// AnyWebhook is a [*Webhook] of any payload type, as [API.Webhook] and
// [Callback] take it. The interface is sealed.
type AnyWebhook interface {
	webhook() *webhookDecl
}

func (w *Webhook[P]) webhook() *webhookDecl {
	if w == nil {
		return nil
	}
	return &w.decl
}

// Name returns the webhook's name, its key in the document's webhooks.
func (w *Webhook[P]) Name() string { return w.decl.name }

var webhookName = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// NewWebhook declares the webhook name, whose requests carry a JSON
// payload of type P (a struct, published as a component schema like any
// body). name is its key in the document's webhooks and, unless
// [OperationID] gives another, the operationId of its request; it is
// made of letters, digits, '.', '_' and '-'.
//
// opts document it: [Summary], [Description], [Tags], [Deprecated],
// [OperationID], and [Response] for the answers a receiver may give; for
// each class of answers not declared (2XX, 4XX, 5XX) the document says
// what the sender makes of it. Other options describe served operations,
// and NewWebhook panics with a *[RegistrationError] on them, as on a
// malformed name.
func NewWebhook[P any](name string, opts ...Option) *Webhook[P] {
	site := callerSite()
	w := &Webhook[P]{decl: webhookDecl{name: name, site: site, payload: reflect.TypeFor[P]()}}
	if err := w.decl.configure(opts); err != nil {
		panic(&RegistrationError{Site: site, Method: "webhook", Pattern: name, Err: err})
	}
	return w
}

func (d *webhookDecl) configure(opts []Option) error {
	if !webhookName.MatchString(d.name) {
		return fmt.Errorf("webhook name %q must be made of letters, digits, '.', '_' and '-'", d.name)
	}
	for _, opt := range opts {
		if s, ok := opt.(serverOption); ok {
			return fmt.Errorf("roux.%s is a server option; a webhook takes documentation options only", s.name)
		}
		opt.apply(&d.cfg)
	}
	switch c := &d.cfg; {
	case c.status != 0 || c.bodyLimit != 0 || c.mergePatch:
		return errors.New("roux.Status, roux.BodyLimit and roux.MergePatch describe a served operation's answer and input; document the receiver's answers with roux.Response")
	case len(c.callbacks) > 0:
		return errors.New("a webhook cannot have callbacks of its own")
	case c.public || len(c.examples) > 0:
		return errors.New("roux.Public and the named examples (RequestExample, ResponseExample, ParamExample) describe a served operation; a webhook takes neither")
	}
	if c := &d.cfg; c.docs != nil {
		docs, err := checkDocs(c.docs)
		if err != nil {
			return fmt.Errorf("option ExternalDocs: %w", err)
		}
		c.docs = docs
	}
	return nil
}

// webhooks are the webhooks an API publishes.
type webhooks struct {
	items map[string]*openapi.PathItem // by name
	sites map[string]string            // name -> site of API.Webhook
	tags  []string                     // of every webhook, in order
}

// Webhook publishes the webhook w in the API's document (OpenAPI 3.1
// webhooks; the 3.0 document, which has no webhooks, leaves it out). It
// panics with a *[RegistrationError] when w's name is published already
// or its operationId is taken, or its payload type cannot be described.
func (a *API) Webhook(w AnyWebhook) {
	site := callerSite()
	var d *webhookDecl
	if w != nil {
		d = w.webhook()
	}
	if d == nil {
		panic(&RegistrationError{Site: site, Method: "webhook", Err: errors.New("the webhook is nil")})
	}
	fail := func(err error) {
		panic(&RegistrationError{Site: site, Method: "webhook", Pattern: d.name, Err: err})
	}
	if prev, ok := a.hooks.sites[d.name]; ok {
		fail(fmt.Errorf("the webhook is published already, at %s", prev))
	}
	id := d.cfg.id
	if id == "" {
		id = d.name
	}
	item, err := a.describeWebhook(d, id)
	if err != nil {
		fail(err)
	}
	if prev, taken := a.opIDs[id]; taken {
		fail(fmt.Errorf("operationId %q is already used by the operation registered at %s; give the webhook another with roux.OperationID", id, prev))
	}
	a.opIDs[id] = site
	if a.hooks.items == nil {
		a.hooks.items, a.hooks.sites = map[string]*openapi.PathItem{}, map[string]string{}
	}
	a.hooks.items[d.name] = item
	a.hooks.sites[d.name] = site
	for _, t := range d.cfg.tags {
		if !slices.Contains(a.hooks.tags, t) {
			a.hooks.tags = append(a.hooks.tags, t)
		}
	}
	a.invalidateDocument()
}

// describeWebhook builds the path item of the webhook d: a POST of its
// payload with the signature headers, and the receiver's answers.
func (a *API) describeWebhook(d *webhookDecl, id string) (*openapi.PathItem, error) {
	s, err := a.registry.Schema(d.payload)
	if err != nil {
		return nil, fmt.Errorf("payload %v: %w", d.payload, err)
	}
	c := &d.cfg
	op := &openapi.Operation{
		OperationID: id, Summary: c.summary, Description: c.description, ExternalDocs: clonePtr(c.docs),
		Tags: slices.Clone(c.tags), Deprecated: c.deprecated,
		// The API's security schemes are how its clients authenticate to
		// it; a message the API sends is authenticated by its signature
		// (its headers), so it needs none of them, and says so: linters
		// (Redocly's security-defined) want every operation to say.
		Security:   []map[string][]string{},
		Parameters: webhookHeaderDocs(),
		RequestBody: &openapi.RequestBody{Required: true,
			Content: map[string]*openapi.MediaType{"application/json": {Schema: s}}},
		Responses: map[string]*openapi.Response{},
	}
	declared := map[int]bool{} // the classes of the receiver's answers declared, by their first digit
	for _, x := range c.responses {
		if x.status < 100 || x.status > 599 {
			return nil, fmt.Errorf("option Response: status %d is not a valid response status", x.status)
		}
		r := &openapi.Response{Description: x.description}
		if r.Description == "" {
			r.Description = http.StatusText(x.status)
		}
		if x.body != nil {
			bs, err := a.registry.Schema(x.body)
			if err != nil {
				return nil, fmt.Errorf("option Response(%d): %w", x.status, err)
			}
			r.Content = map[string]*openapi.MediaType{"application/json": {Schema: bs}}
		}
		op.Responses[strconv.Itoa(x.status)] = r
		declared[x.status/100] = true
	}
	// What the sender makes of the answers not declared, by class.
	for class, desc := range map[int]string{
		2: "The receiver accepted the message.",
		4: "The receiver refused the message, which is not sent again; except 408 and 429, which are retried, after the Retry-After delay when the receiver sends one.",
		5: "The receiver failed; the message is sent again later, after the Retry-After delay when the receiver sends one.",
	} {
		if !declared[class] {
			op.Responses[strconv.Itoa(class)+"XX"] = &openapi.Response{Description: desc}
		}
	}
	item := &openapi.PathItem{}
	item.Set(http.MethodPost, op)
	return item, nil
}

// webhookHeaderDocs documents the headers of a signed message.
func webhookHeaderDocs() []*openapi.Parameter {
	str := func(name, desc, pattern string) *openapi.Parameter {
		return &openapi.Parameter{Name: name, In: "header", Required: true, Description: desc,
			Schema: &schema.Schema{Type: schema.Types{"string"}, Pattern: pattern}}
	}
	return []*openapi.Parameter{
		str(WebhookIDHeader, "The message's identifier: the same on every retry of one message, so the receiver can ignore a message it has handled.", ""),
		str(WebhookTimestampHeader, "When the message was signed, in seconds since the Unix epoch; receivers refuse messages signed too long ago.", "^[0-9]+$"),
		str(WebhookSignatureHeader, "Space-separated signatures, each \"v1,\" and the base64 HMAC-SHA256 of \"{webhook-id}.{webhook-timestamp}.{body}\" "+
			"keyed with the endpoint's secret (Standard Webhooks).", `^v1,[A-Za-z0-9+/=]+( v1,[A-Za-z0-9+/=]+)*$`),
	}
}

// callbackDecl is a callback of an operation, from [Callback].
type callbackDecl struct {
	name string
	expr string
	hook *webhookDecl
}

// Callback documents a request the operation's server may send back
// later, out of band: the webhook w, sent to the URL given by the runtime
// expression expr, published under name in the operation's callbacks (in
// both the 3.1 and the 3.0 document). expr is an OpenAPI runtime
// expression, alone or embedded in a URL, that names where the request
// said to send it, such as "{$request.body#/callbackUrl}" or
// "https://example.com/hooks?order={$response.body#/id}". Registration
// checks that a body pointer names a member of the operation's input or
// output body, and a parameter one of its parameters.
func Callback(name, expr string, w AnyWebhook) Option {
	var d *webhookDecl
	if w != nil {
		d = w.webhook()
	}
	return optionFunc(func(c *opConfig) {
		c.callbacks = append(c.callbacks, callbackDecl{name: name, expr: expr, hook: d})
	})
}

// describeCallbacks adds the operation's callbacks to d. Each request
// gets the operationId "<operation's id>-<callback name>".
func (op *operation) describeCallbacks(d *openapi.Operation, cbs []callbackDecl) error {
	for _, cb := range cbs {
		fail := func(err error) error { return fmt.Errorf("option Callback(%q): %w", cb.name, err) }
		switch {
		case cb.hook == nil:
			return fail(errors.New("the webhook is nil"))
		case !webhookName.MatchString(cb.name):
			return fail(errors.New("a callback name is made of letters, digits, '.', '_' and '-'"))
		case d.Callbacks[cb.name] != nil:
			return fail(errors.New("the operation has another callback of that name"))
		}
		exprs, err := parseCallbackURL(cb.expr)
		if err != nil {
			return fail(err)
		}
		for _, e := range exprs {
			if err := op.checkExpression(e); err != nil {
				return fail(err)
			}
		}
		id := op.id + "-" + cb.name
		if prev, taken := op.api.opIDs[id]; taken {
			return fail(fmt.Errorf("its request's operationId %q is already used by the operation registered at %s", id, prev))
		}
		item, err := op.api.describeWebhook(cb.hook, id)
		if err != nil {
			return fail(err)
		}
		op.api.opIDs[id] = op.site
		if d.Callbacks == nil {
			d.Callbacks = map[string]openapi.Callback{}
		}
		d.Callbacks[cb.name] = openapi.Callback{cb.expr: item}
	}
	return nil
}

// expression is a parsed runtime expression: "$url", "$method",
// "$statusCode", or a source ("request" or "response") with a place
// ("header", "query", "path" or "body") and a name (a header, parameter
// or JSON pointer; "" for the whole body).
type expression struct {
	source, place, name string
}

// parseCallbackURL parses a callback's key: a runtime expression, or a
// URL with runtime expressions embedded in braces (OpenAPI 3.1, section
// 4.8.20). It returns the expressions.
func parseCallbackURL(s string) ([]expression, error) {
	if s == "" {
		return nil, errors.New("the callback URL expression is empty")
	}
	if strings.HasPrefix(s, "$") {
		e, err := parseExpression(s)
		if err != nil {
			return nil, err
		}
		return []expression{e}, nil
	}
	var out []expression
	for rest := s; rest != ""; {
		open := strings.IndexAny(rest, "{}")
		if open < 0 {
			break
		}
		if rest[open] == '}' {
			return nil, fmt.Errorf("%q has a '}' without its '{'", s)
		}
		end := strings.IndexAny(rest[open+1:], "{}")
		if end < 0 || rest[open+1+end] == '{' {
			return nil, fmt.Errorf("%q has a '{' without its '}'", s)
		}
		e, err := parseExpression(rest[open+1 : open+1+end])
		if err != nil {
			return nil, err
		}
		out = append(out, e)
		rest = rest[open+1+end+1:]
	}
	if len(out) == 0 && !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
		return nil, fmt.Errorf("%q is neither a runtime expression such as {$request.body#/callbackUrl} nor an http(s) URL", s)
	}
	return out, nil
}

// parseExpression parses one runtime expression (without its braces).
func parseExpression(s string) (expression, error) {
	bad := func(why string) (expression, error) {
		return expression{}, fmt.Errorf("runtime expression %q %s", s, why)
	}
	switch s {
	case "$url", "$method", "$statusCode":
		return expression{source: s}, nil
	}
	src, rest, ok := strings.Cut(s, ".")
	if !ok || src != "$request" && src != "$response" {
		return bad("must be $url, $method, $statusCode, or start with $request. or $response.")
	}
	e := expression{source: src[1:]}
	if rest == "body" || strings.HasPrefix(rest, "body#") {
		e.place = "body"
		ptr := strings.TrimPrefix(strings.TrimPrefix(rest, "body"), "#")
		if ptr != "" && ptr[0] != '/' {
			return bad("has a JSON pointer that does not start with '/'")
		}
		for i := 0; i < len(ptr); i++ {
			if ptr[i] == '~' && (i+1 == len(ptr) || ptr[i+1] != '0' && ptr[i+1] != '1') {
				return bad("has a JSON pointer with a '~' not followed by 0 or 1")
			}
		}
		e.name = ptr
		return e, nil
	}
	place, name, ok := strings.Cut(rest, ".")
	if !ok || name == "" {
		return bad("must name a header., query., path. or body source")
	}
	switch place {
	case "header":
		for _, c := range []byte(name) {
			if !isTokenChar(c) {
				return bad("names a header that is not a token")
			}
		}
		name = http.CanonicalHeaderKey(name)
	case "query", "path":
	default:
		return bad("must name a header., query., path. or body source")
	}
	e.place, e.name = place, name
	return e, nil
}

// isTokenChar reports whether c may appear in an RFC 9110 token.
func isTokenChar(c byte) bool {
	return c < 0x7f && c > 0x20 && !strings.ContainsRune(`"(),/:;<=>?@[\]{}`, rune(c))
}

// checkExpression checks that e names something the operation has: a
// parameter of the request, or a member of its request or response body.
func (op *operation) checkExpression(e expression) error {
	switch {
	case e.place == "":
		return nil
	case e.place == "body" && e.source == "request":
		if op.body == nil {
			return fmt.Errorf("%s.body: the operation's input has no JSON Body", "$"+e.source)
		}
		return op.checkPointer(op.body.schema, e.name)
	case e.place == "body":
		if !op.resp.hasBody || op.resp.kind != bodyJSON {
			return errors.New("$response.body: the operation's output has no JSON body")
		}
		return op.checkPointer(op.resp.schema, e.name)
	case e.source == "request":
		for _, p := range op.params {
			if string(p.In) == e.place && (p.Name == e.name || e.place == "header" && p.Key == e.name) {
				return nil
			}
		}
		return fmt.Errorf("$request.%s.%s: the operation's input has no such %s parameter", e.place, e.name, e.place)
	case e.place == "header":
		for _, h := range op.resp.headers {
			if http.CanonicalHeaderKey(h.name) == e.name {
				return nil
			}
		}
		return fmt.Errorf("$response.header.%s: the operation's output has no such header", e.name)
	}
	return fmt.Errorf("$response.%s: a response has no %s parameters", e.place, e.place)
}

// checkPointer checks that the JSON pointer ptr names a member the
// schema s describes (or may describe: a schema that says nothing of
// its members accepts any).
func (op *operation) checkPointer(s *schema.Schema, ptr string) error {
	if ptr == "" {
		return nil
	}
	reg := op.api.registry
	at := ""
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		s, _ = schema.Unwrap(s)
		s = reg.Resolve(s)
		switch {
		case s == nil:
			return nil
		case s.Properties != nil:
			next, ok := s.Properties[tok]
			if !ok {
				return fmt.Errorf("the body has no member %s/%s; the members there are %s", at, tok, strings.Join(slices.Sorted(maps.Keys(s.Properties)), ", "))
			}
			s = next
		case s.Items != nil:
			if _, err := strconv.ParseUint(tok, 10, 32); err != nil {
				return fmt.Errorf("the body's %s is an array, indexed by numbers, not %q", at, tok)
			}
			s = s.Items
		default:
			return nil
		}
		at += "/" + tok
	}
	return nil
}
