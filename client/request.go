package client

// Encoding a request is binding run backwards: each parameter's encoder
// (internal/bind) formats its field as the text its binder reads back;
// this file puts those texts where the binders look for them — the path
// by the pattern, the query, headers and one Cookie header — and encodes
// the body as the server decodes it.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"unsafe"

	"github.com/go-json-experiment/json"

	"github.com/roux-go/roux/internal/bind"
	"github.com/roux-go/roux/internal/plan"
	"github.com/roux-go/roux/internal/wire"
)

// request is an encoded input: everything needed to build the HTTP
// request of each attempt.
type request struct {
	path        string // escaped path below the base URL's
	rawPath     string // the same, decoded
	query       string
	header      http.Header
	body        []byte  // nil: no body
	upload      *upload // a multipart body, streamed; body is nil
	contentType string
	sent        []bool // per parameter (Params, then Form.Params): was it sent?
}

// encode encodes the input at in by p.
func encode(p *plan.Operation, in unsafe.Pointer) (*request, error) {
	r := &request{header: http.Header{}, sent: make([]bool, 0, len(p.Params))}
	pathVals := map[string]string{}
	var query, cookies strings.Builder
	var vals []string
	for _, prm := range p.Params {
		var err error
		if vals, err = prm.Encoder.Encode(in, vals[:0]); err != nil {
			return nil, err
		}
		r.sent = append(r.sent, len(vals) > 0)
		if len(vals) == 0 {
			continue
		}
		switch prm.In {
		case bind.Path:
			pathVals[prm.Name] = vals[0]
		case bind.Query:
			addPairs(&query, prm.Name, vals)
		case bind.Header:
			r.header[prm.Key] = append(r.header[prm.Key], vals...)
		case bind.Cookie:
			for _, v := range vals {
				if cookies.Len() > 0 {
					cookies.WriteString("; ")
				}
				cookies.WriteString(prm.Name)
				cookies.WriteByte('=')
				if strings.ContainsAny(v, " ,") {
					v = `"` + v + `"` // as net/http quotes them; its parser unquotes
				}
				cookies.WriteString(v)
			}
		}
	}
	if cookies.Len() > 0 {
		r.header["Cookie"] = []string{cookies.String()}
	}
	r.query = query.String()
	var err error
	if r.path, r.rawPath, err = buildPath(p.Pattern, pathVals); err != nil {
		return nil, err
	}
	switch {
	case p.Body != nil:
		err = r.encodeBody(p, in)
	case p.Form != nil && len(p.Form.Files) > 0:
		err = r.encodeMultipart(p.Form, in)
	case p.Form != nil:
		err = r.encodeForm(p.Form, in)
	}
	return r, err
}

func addPairs(b *strings.Builder, name string, vals []string) {
	key := url.QueryEscape(name)
	for _, v := range vals {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(key)
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(v))
	}
}

// encodeBody encodes the Body field as JSON, with the options the server
// encodes its responses with; a nil pointer Body sends no body.
func (r *request) encodeBody(p *plan.Operation, in unsafe.Pointer) error {
	v := reflect.NewAt(p.Body.Type, unsafe.Add(in, p.Body.Offset)).Elem()
	if v.Kind() == reflect.Pointer && v.IsNil() {
		return nil
	}
	b, err := json.Marshal(v.Interface(), wire.JSON)
	if err != nil {
		return fmt.Errorf("request body: %w", err)
	}
	r.body, r.contentType = b, "application/json"
	return nil
}

// encodeForm encodes the Form field as application/x-www-form-urlencoded,
// each field by the rules of a query parameter.
func (r *request) encodeForm(f *plan.Form, in unsafe.Pointer) error {
	var b strings.Builder
	err := r.formValues(f, in, func(name string, vals []string) { addPairs(&b, name, vals) })
	r.body, r.contentType = []byte(b.String()), "application/x-www-form-urlencoded"
	return err
}

// formValues encodes each text field of the Form at in, by the rules of a
// query parameter, and records whether it was sent.
func (r *request) formValues(f *plan.Form, in unsafe.Pointer, add func(name string, vals []string)) error {
	base := unsafe.Add(in, f.Offset)
	var vals []string
	for _, prm := range f.Params {
		var err error
		if vals, err = prm.Encoder.Encode(base, vals[:0]); err != nil {
			return err
		}
		r.sent = append(r.sent, len(vals) > 0)
		add(prm.Name, vals)
	}
	return nil
}

// buildPath fills the wildcards of pattern with vals, returning the
// escaped path and the decoded one. A {name} value is one segment, its
// slashes escaped; a {name...} value keeps its slashes, each segment
// escaped. A value that would give the server a path with an empty, "."
// or ".." segment is refused: the server refuses such paths (400) rather
// than guess which resource they name.
func buildPath(pattern string, vals map[string]string) (escaped, decoded string, err error) {
	var esc, dec strings.Builder
	for seg := range strings.SplitSeq(pattern[1:], "/") {
		esc.WriteByte('/')
		dec.WriteByte('/')
		if len(seg) < 2 || seg[0] != '{' || seg == "{$}" {
			if seg != "{$}" {
				esc.WriteString(url.PathEscape(seg))
				dec.WriteString(seg)
			}
			continue
		}
		name, multi := strings.CutSuffix(seg[1:len(seg)-1], "...")
		v := vals[name]
		if v == "" && !multi {
			return "", "", fmt.Errorf("path parameter %q is empty, and an empty path segment matches no route", name)
		}
		dec.WriteString(v)
		if !multi {
			esc.WriteString(url.PathEscape(v))
			continue
		}
		for i, part := range strings.Split(v, "/") {
			if i > 0 {
				esc.WriteByte('/')
			}
			esc.WriteString(url.PathEscape(part))
		}
	}
	if d := dec.String(); unclean(d) {
		return "", "", fmt.Errorf("path %q has an empty, \".\" or \"..\" segment, which the server refuses; change the path parameters", d)
	}
	return esc.String(), dec.String(), nil
}

// unclean reports whether the decoded path p has an empty, "." or ".."
// segment (a trailing slash aside), as the server's isUnclean does.
func unclean(p string) bool {
	return strings.Contains(p, "//") || strings.Contains(p, "/./") || strings.Contains(p, "/../") ||
		strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..")
}

// newRequest builds the HTTP request of one attempt.
func (c *Client) newRequest(ctx context.Context, cfg *config, p *plan.Operation, r *request) (*http.Request, error) {
	u := *c.base
	u.Path = c.base.Path + r.rawPath
	u.RawPath = c.base.EscapedPath() + r.path
	u.RawQuery = r.query
	var body io.Reader
	switch {
	case r.body != nil:
		body = bytes.NewReader(r.body) // sets ContentLength and GetBody, for redirects
	case r.upload != nil:
		pr, err := r.upload.open()
		if err != nil {
			return nil, err
		}
		body = pr
	}
	req, err := http.NewRequestWithContext(ctx, p.Method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	for k, vs := range cfg.header {
		req.Header[k] = append([]string(nil), vs...)
	}
	for k, vs := range r.header {
		req.Header[k] = vs
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	if _, set := req.Header["Accept"]; !set {
		req.Header.Set("Accept", accept(p))
	}
	for _, edit := range cfg.editors {
		if err := edit(req); err != nil {
			return nil, fmt.Errorf("client: request editor: %w", err)
		}
	}
	return req, nil
}

// accept is the Accept header of p's requests: the success body's media
// type and problems.
func accept(p *plan.Operation) string {
	switch {
	case !p.Response.HasBody || p.Response.Kind == plan.JSON && p.Response.ContentType == "":
		return "application/json, application/problem+json"
	case p.Response.ContentType != "":
		return p.Response.ContentType + ", application/problem+json"
	}
	return "*/*"
}
