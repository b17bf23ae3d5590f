package openapi

// Downgrading works on the JSON form of a 3.1 document, not on the Go
// model: the document is marshalled, parsed into an order-keeping tree,
// and walked along the OpenAPI structure (paths, operations, parameters,
// bodies, responses, headers, components) to every Schema Object, which
// is rewritten bottom-up from JSON Schema 2020-12 into the OpenAPI 3.0
// schema dialect. Working on the tree keeps the downgrade independent of
// which keywords the model has, so schemas carried as extensions or
// added by users are downgraded too.
//
// Schema rules, in the order they are applied to each schema:
//
//   - anyOf/oneOf alternatives {"type": "null"} are removed and the schema
//     becomes nullable; a single remaining $ref becomes allOf [$ref], a
//     single remaining inline schema is merged into its parent.
//   - const c becomes enum [c]; examples [a, ...] becomes example a;
//     contentEncoding base64 becomes format byte (other encodings and
//     contentMediaType are dropped).
//   - A numeric exclusiveMinimum/exclusiveMaximum becomes minimum/maximum
//     with exclusiveMinimum/exclusiveMaximum true (the stricter bound wins
//     when both are present).
//   - A type array loses "null" for nullable: true; several remaining
//     types become anyOf [{type: t}, ...]; type "null" alone becomes
//     nullable with enum [null].
//   - Boolean subschemas become {} (true) or {"not": {}} (false), except
//     additionalProperties, where 3.0 allows booleans.
//   - Keywords 3.0 does not know ($schema, $id, $defs, prefixItems,
//     patternProperties, if/then/else, unevaluated*, dependent*, ...) are
//     dropped; x- extensions are kept.
//   - A $ref with siblings becomes allOf [{$ref}] beside them, since 3.0
//     ignores a $ref's siblings.
//   - An array schema without items gets items {}, which 3.0 requires.
//
// Outside schemas: openapi becomes 3.0.3; jsonSchemaDialect, webhooks
// (with the component schemas only they use), components.pathItems and
// info.summary are dropped; a licence's SPDX identifier becomes the url
// of its page at spdx.org (unless the licence has a url already);
// Reference Objects lose their siblings (summary, description); paths is
// added when missing; a security requirement of a scheme that is neither
// oauth2 nor openIdConnect lists no scopes (3.0 requires its array to be
// empty; 3.1 allows roles there), and an operation keeps the roles it
// listed in the extension x-roux-scopes ({"scheme": ["role", ...]}).

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Version30 is the OpenAPI version [Downgrade] produces.
const Version30 = "3.0.3"

// Downgrade returns doc as an OpenAPI 3.0.3 JSON document, indented like
// the 3.1 form, for tools that do not read 3.1. See [DowngradeJSON] for
// the rules. doc is not modified.
func Downgrade(doc *Document) ([]byte, error) {
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("openapi: downgrade: %w", err)
	}
	return DowngradeJSON(b)
}

// DowngradeJSON is [Downgrade] for an OpenAPI 3.1 document in JSON form.
// It rewrites every Schema Object into the 3.0 dialect: a "null" member
// of a type array becomes nullable: true, numeric exclusive bounds become
// minimum/maximum with boolean exclusiveMinimum/exclusiveMaximum,
// examples becomes example, const becomes enum, contentEncoding base64
// becomes format byte, anyOf [$ref, {type: null}] becomes allOf [$ref]
// with nullable, and keywords 3.0 lacks are dropped. Object members keep
// their order.
func DowngradeJSON(doc31 []byte) ([]byte, error) {
	tree, err := parseTree(doc31)
	if err != nil {
		return nil, fmt.Errorf("openapi: downgrade: %w", err)
	}
	d := asObject(tree)
	if d == nil {
		return nil, fmt.Errorf("openapi: downgrade: the document is not a JSON object")
	}
	if v, _ := d.get("openapi"); !isString(v, "3.1.") {
		return nil, fmt.Errorf("openapi: downgrade: got openapi %v, want 3.1.x", v)
	}
	downgradeDocument(d)
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("openapi: downgrade: %w", err)
	}
	return b, nil
}

func isString(v any, prefix string) bool {
	s, ok := v.(string)
	return ok && strings.HasPrefix(s, prefix)
}

func downgradeDocument(d *object) {
	d.set("openapi", Version30)
	d.del("jsonSchemaDialect")
	dropWebhooks(d) // and the schemas only they use
	emptyRoleLists(d)
	if info := d.member("info"); info != nil {
		info.del("summary")
		if lic := info.member("license"); lic != nil {
			// 3.0 names a licence by URL only: an SPDX identifier becomes
			// the URL of its page in the SPDX licence list.
			id, _ := lic.get("identifier")
			if s, ok := id.(string); ok && s != "" && !lic.has("url") {
				lic.rename("identifier", "url", "https://spdx.org/licenses/"+s+".html")
			}
			lic.del("identifier")
		}
	}
	if !d.has("paths") {
		d.set("paths", newObject())
	}
	if paths := d.member("paths"); paths != nil {
		eachMember(paths, pathItem)
	}
	c := d.member("components")
	if c == nil {
		return
	}
	c.del("pathItems")
	if s := c.member("schemas"); s != nil {
		for _, k := range s.keys {
			s.vals[k] = schema30(s.vals[k])
		}
	}
	for _, f := range []struct {
		key  string
		walk func(*object)
	}{
		{"parameters", parameter}, {"headers", parameter}, {"requestBodies", requestBody},
		{"responses", response}, {"callbacks", callback},
	} {
		if m := c.member(f.key); m != nil {
			eachMember(m, f.walk)
		}
	}
}

// eachMember calls walk on every object member of m.
func eachMember(m *object, walk func(*object)) {
	for _, k := range m.keys {
		if o := asObject(m.vals[k]); o != nil {
			walk(o)
		}
	}
}

// reference reports whether o is a Reference Object, and drops the
// siblings 3.1 allows and 3.0 does not.
func reference(o *object) bool {
	ref, ok := o.get("$ref")
	if !ok {
		return false
	}
	o.keys, o.vals = []string{"$ref"}, map[string]any{"$ref": ref}
	return true
}

var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

func pathItem(p *object) {
	if _, ok := p.get("$ref"); ok {
		return // a path item $ref may have siblings in 3.0 too
	}
	eachIn(p, "parameters", parameter)
	for _, m := range methods {
		op := p.member(m)
		if op == nil {
			continue
		}
		eachIn(op, "parameters", parameter)
		if rb := op.member("requestBody"); rb != nil {
			requestBody(rb)
		}
		if rs := op.member("responses"); rs != nil {
			eachMember(rs, response)
		}
		if cb := op.member("callbacks"); cb != nil {
			eachMember(cb, callback)
		}
	}
}

// eachIn calls walk on every object in the array member k of o.
func eachIn(o *object, k string, walk func(*object)) {
	a, _ := o.vals[k].([]any)
	for _, v := range a {
		if e := asObject(v); e != nil {
			walk(e)
		}
	}
}

func callback(cb *object) {
	if !reference(cb) {
		eachMember(cb, pathItem)
	}
}

// parameter handles Parameter and Header Objects, which hold a schema or
// content.
func parameter(p *object) {
	if reference(p) {
		return
	}
	if s, ok := p.get("schema"); ok {
		p.set("schema", schema30(s))
	}
	if c := p.member("content"); c != nil {
		eachMember(c, mediaType)
	}
}

func requestBody(rb *object) {
	if reference(rb) {
		return
	}
	if c := rb.member("content"); c != nil {
		eachMember(c, mediaType)
	}
}

func response(r *object) {
	if reference(r) {
		return
	}
	if h := r.member("headers"); h != nil {
		eachMember(h, parameter)
	}
	if c := r.member("content"); c != nil {
		eachMember(c, mediaType)
	}
}

func mediaType(m *object) {
	if s, ok := m.get("schema"); ok {
		m.set("schema", schema30(s))
	}
	if enc := m.member("encoding"); enc != nil {
		eachMember(enc, func(e *object) {
			if h := e.member("headers"); h != nil {
				eachMember(h, parameter)
			}
		})
	}
}
