package roux

// This file holds the document's metadata: the Config fields published
// at the document's root (info, servers, external docs, tags, the
// descriptions of security schemes), checked when the API is created, and
// the named examples of bodies and parameters, each checked when its
// operation is registered as the server would read or send it.

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/mail"
	"net/url"
	"reflect"
	"slices"
	"strings"

	jsonv1 "encoding/json"

	"github.com/go-json-experiment/json"

	"github.com/roux-go/roux/internal/verr"
	"github.com/roux-go/roux/internal/wire"
	"github.com/roux-go/roux/openapi"
)

// checkMetadata checks the document's metadata in c and copies what it
// points to, so that the caller's values can change without changing the
// document.
func (c *Config) checkMetadata() error {
	fail := func(field, format string, args ...any) error {
		return fmt.Errorf("roux: Config.%s: %s", field, fmt.Sprintf(format, args...))
	}
	if err := checkURL(c.TermsOfService); err != nil {
		return fail("TermsOfService", "%v", err)
	}
	if c.Contact != nil {
		ct := *c.Contact
		if err := checkURL(ct.URL); err != nil {
			return fail("Contact", "URL: %v", err)
		}
		if a, err := mail.ParseAddress(ct.Email); ct.Email != "" && (err != nil || a.Address != ct.Email) {
			return fail("Contact", "Email %q is not an email address (write it without a display name)", ct.Email)
		}
		c.Contact = &ct
	}
	if c.License != nil {
		l := *c.License
		switch {
		case l.Name == "":
			return fail("License", "Name is required")
		case l.Identifier != "" && l.URL != "":
			return fail("License", "give an SPDX Identifier or a URL, not both")
		}
		if err := checkURL(l.URL); err != nil {
			return fail("License", "URL: %v", err)
		}
		c.License = &l
	}
	c.Servers = slices.Clone(c.Servers)
	for i, s := range c.Servers {
		if s.URL == "" {
			return fail("Servers", "server %d has no URL; \"/\" is the host that serves the document", i)
		}
		if err := checkURL(s.URL); err != nil {
			return fail("Servers", "%v", err)
		}
	}
	if c.ExternalDocs != nil {
		d, err := checkDocs(c.ExternalDocs)
		if err != nil {
			return fail("ExternalDocs", "%v", err)
		}
		c.ExternalDocs = d
	}
	c.Tags = slices.Clone(c.Tags)
	seen := map[string]bool{}
	for i, t := range c.Tags {
		switch {
		case t.Name == "":
			return fail("Tags", "tag %d has no name", i)
		case seen[t.Name]:
			return fail("Tags", "tag %q is listed twice", t.Name)
		}
		seen[t.Name] = true
		if t.ExternalDocs != nil {
			d, err := checkDocs(t.ExternalDocs)
			if err != nil {
				return fail("Tags", "tag %q: ExternalDocs: %v", t.Name, err)
			}
			c.Tags[i].ExternalDocs = d
		}
	}
	c.SchemeDescriptions = maps.Clone(c.SchemeDescriptions)
	return nil
}

// checkURL checks that a URL of the document, if given, parses.
func checkURL(u string) error {
	if u == "" {
		return nil
	}
	if _, err := url.Parse(u); err != nil {
		return fmt.Errorf("%q is not a URL: %v", u, err)
	}
	return nil
}

// checkDocs checks an external documentation link and returns a copy.
func checkDocs(d *openapi.ExternalDocs) (*openapi.ExternalDocs, error) {
	if d.URL == "" {
		return nil, fmt.Errorf("URL is required")
	}
	if err := checkURL(d.URL); err != nil {
		return nil, err
	}
	c := *d
	return &c, nil
}

// documentTags lists the document's tags: those of Config.Tags in their
// order, then those the operations use, in order of first use, then
// those of webhooks.
func (a *API) documentTags() []openapi.Tag {
	tags := slices.Clone(a.cfg.Tags)
	listed := map[string]bool{}
	for _, t := range tags {
		listed[t.Name] = true
	}
	add := func(names []string) {
		for _, t := range names {
			if !listed[t] {
				listed[t] = true
				tags = append(tags, openapi.Tag{Name: t})
			}
		}
	}
	for _, op := range a.ops {
		add(op.doc.Tags)
	}
	add(a.hooks.tags)
	return tags
}

// describedSchemes returns the API's security schemes with the
// descriptions of Config.SchemeDescriptions; the schemes' own values are
// not changed.
func (a *API) describedSchemes() map[string]*openapi.SecurityScheme {
	m := a.securitySchemes()
	for name, s := range m {
		if desc, ok := a.cfg.SchemeDescriptions[name]; ok {
			c := *s
			c.Description = desc
			m[name] = &c
		}
	}
	return m
}

// warnUnusedDescriptions logs a warning for each name of
// Config.SchemeDescriptions that no registered scheme has: most likely a
// misspelt name, whose description the document would silently lack.
func (a *API) warnUnusedDescriptions(ctx context.Context) {
	names := slices.Sorted(maps.Keys(a.cfg.SchemeDescriptions))
	for _, name := range names {
		if _, ok := a.deps.schemes[name]; !ok {
			a.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "roux: Config.SchemeDescriptions names a security scheme that no operation uses",
				slog.String("scheme", name))
		}
	}
}

// exampleKind says what a named example shows.
type exampleKind uint8

const (
	requestExample exampleKind = iota
	responseExample
	paramExample
)

// namedExample is an example given by [RequestExample],
// [ResponseExample] or [ParamExample].
type namedExample struct {
	kind          exampleKind
	param         string // of a paramExample
	name, summary string
	value         any
}

// String names the option that gave e, for messages.
func (e namedExample) String() string {
	switch e.kind {
	case requestExample:
		return fmt.Sprintf("option RequestExample(%q)", e.name)
	case responseExample:
		return fmt.Sprintf("option ResponseExample(%q)", e.name)
	}
	return fmt.Sprintf("option ParamExample(%q, %q)", e.param, e.name)
}

// describeExamples checks every named example of the operation and adds
// it to the description d, whose success response is ok.
func (op *operation) describeExamples(d *openapi.Operation, ok *openapi.Response, examples []namedExample) error {
	type target struct {
		kind  exampleKind
		param string
	}
	names := map[target]map[string]bool{}
	for _, e := range examples {
		at := target{e.kind, strings.ToLower(e.param)}
		if e.name == "" {
			return fmt.Errorf("%v: an example needs a name", e)
		}
		if names[at][e.name] {
			return fmt.Errorf("%v: the name is given twice", e)
		}
		if names[at] == nil {
			names[at] = map[string]bool{}
		}
		names[at][e.name] = true
		var (
			js  []byte
			err error
		)
		switch e.kind {
		case requestExample:
			js, err = op.requestExample(e.value)
			if err == nil {
				addExample(d.RequestBody.Content, e, js)
			}
		case responseExample:
			js, err = op.responseExample(e.value)
			if err == nil {
				addExample(ok.Content, e, js)
			}
		case paramExample:
			err = op.paramExample(d, e)
		}
		if err != nil {
			return fmt.Errorf("%v: %w", e, err)
		}
	}
	return nil
}

// addExample adds the example e, whose value is the JSON text js, to
// every media type of content.
func addExample(content map[string]*openapi.MediaType, e namedExample, js []byte) {
	for _, mt := range content {
		if mt.Examples == nil {
			mt.Examples = map[string]*openapi.Example{}
		}
		mt.Examples[e.name] = &openapi.Example{Summary: e.summary, Value: jsonv1.RawMessage(js)}
	}
}

// requestExample encodes v as a client sends a body and reads it back as
// the server reads a request's: strictly, then validated. It returns the
// JSON text.
func (op *operation) requestExample(v any) ([]byte, error) {
	b := op.body
	if b == nil {
		return nil, fmt.Errorf("the operation has no JSON request body (a Body input field)")
	}
	js, err := json.Marshal(v, wire.JSON, json.Deterministic(true))
	if err != nil {
		return nil, fmt.Errorf("the example cannot be encoded as JSON: %v", err)
	}
	dst := reflect.New(b.typ).UnsafePointer()
	var path verr.Path
	var errs verr.List
	path.SetBody()
	if err := b.decoder.Decode(bytes.NewReader(js), dst, &path, &errs); err != nil {
		return nil, fmt.Errorf("the body %s is not one the operation reads: %v", js, err)
	}
	if errs.Len() == 0 && b.validator != nil {
		b.validator.Validate(dst, &path, &errs)
	}
	return js, exampleFailure(js, &errs)
}

// responseExample encodes v, a value of the output's body type, as roux
// encodes a response, and checks it against the body's schema.
func (op *operation) responseExample(v any) ([]byte, error) {
	r := &op.resp
	if !r.hasBody || r.kind != bodyJSON {
		return nil, fmt.Errorf("the operation's response has no JSON body")
	}
	rv := reflect.ValueOf(v)
	if rv.IsValid() && rv.Kind() == reflect.Pointer && rv.Type().Elem() == r.bodyType && !rv.IsNil() {
		rv = rv.Elem()
	}
	if !rv.IsValid() || rv.Type() != r.bodyType {
		return nil, fmt.Errorf("the example is a %T; give a %v, the response body's type", v, r.bodyType)
	}
	p := reflect.New(r.bodyType)
	p.Elem().Set(rv)
	js, err := json.Marshal(p.Interface(), wire.JSON, json.Deterministic(true))
	if err != nil {
		return nil, fmt.Errorf("the example cannot be encoded as JSON: %v", err)
	}
	check := r.checker
	if check == nil {
		if check, err = op.api.validators.Compile(r.bodyType, r.schema); err != nil {
			return nil, err
		}
	}
	var path verr.Path
	var errs verr.List
	path.SetBody()
	check.Validate(p.UnsafePointer(), &path, &errs)
	return js, exampleFailure(js, &errs)
}

// paramExample checks the example e of a parameter against the
// parameter's type and schema, and adds it to the parameter in d.
func (op *operation) paramExample(d *openapi.Operation, e namedExample) error {
	var found *param
	params, err := op.publishedParams()
	if err != nil {
		return err
	}
	for i, p := range params {
		if p.Name == e.param || p.In == "header" && strings.EqualFold(p.Name, e.param) {
			if found != nil {
				return fmt.Errorf("the operation has a %s and a %s parameter %q; rename one", found.In, p.In, e.param)
			}
			found = &params[i]
		}
	}
	if found == nil {
		return fmt.Errorf("the operation has no parameter %q", e.param)
	}
	js, err := json.Marshal(e.value, wire.JSON, json.Deterministic(true))
	if err != nil {
		return fmt.Errorf("the example cannot be encoded as JSON: %v", err)
	}
	dst := reflect.New(found.Type())
	if err := json.Unmarshal(js, dst.Interface()); err != nil {
		return fmt.Errorf("the example %s does not fit the parameter's type %v", js, found.Type())
	}
	var path verr.Path
	var errs verr.List
	path.SetParam(found.Name, string(found.In))
	if found.validator != nil {
		found.validator.Validate(dst.UnsafePointer(), &path, &errs)
	}
	if err := exampleFailure(js, &errs); err != nil {
		return err
	}
	for _, dp := range d.Parameters {
		if dp.Name == found.Name && dp.In == string(found.In) {
			if dp.Examples == nil {
				dp.Examples = map[string]*openapi.Example{}
			}
			dp.Example = nil // example and examples are exclusive
			dp.Examples[e.name] = &openapi.Example{Summary: e.summary, Value: jsonv1.RawMessage(js)}
		}
	}
	return nil
}

// exampleFailure describes the first failure of the example js, or
// returns nil.
func exampleFailure(js []byte, errs *verr.List) error {
	if errs.Len() == 0 {
		return nil
	}
	it := errs.Items[0]
	where := ""
	if it.Pointer != "" {
		where = " at " + it.Pointer
	}
	more := ""
	if n := errs.Len() - 1; n > 0 {
		more = fmt.Sprintf(" (and %d more)", n)
	}
	return fmt.Errorf("the example %s fails its %s keyword%s: %s%s", js, it.Code, where, it.Detail, more)
}
