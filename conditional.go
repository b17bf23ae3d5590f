package roux

// This file holds conditional requests (RFC 9110, section 13): entity
// tags, If-None-Match answered with 304 by roux, and If-Match required
// (428) and compared by the handler (412).
//
// An output envelope with a field tagged header:"ETag" makes a GET
// operation conditional: after the handler has answered 2xx, a request
// whose If-None-Match names the tag (weak comparison) gets 304 Not
// Modified with the envelope's headers and no body. An input field of
// type [ETags] tagged header:"If-Match" and required:"true" makes a
// write conditional: a request without the header gets 428 Precondition
// Required before anything else of it is read; the handler compares the
// tags with the resource's current one ([ETags.Match]) and answers
// [PreconditionFailed] (412 with the current ETag) on a mismatch. roux
// publishes all of it: the If-None-Match parameter and the 304, the 428
// and the 412 with their headers.

import (
	"net/http"
	"reflect"
	"strings"

	"github.com/roux-go/roux/openapi"
	"github.com/roux-go/roux/schema"
)

// ETags is the value of an If-Match or If-None-Match request header: a
// list of entity tags, or "*". Use it as the type of an input field
// tagged header:"If-Match" (or header:"If-None-Match"). A malformed value
// is kept as a list that matches nothing, so that a condition the client
// got wrong fails (412) instead of being ignored. The zero value is an
// absent header.
type ETags struct {
	raw  string
	any  bool
	tags []string // with their quotes; weak ones keep "W/"
	bad  bool
}

// ParseETags parses a header value: a comma-separated list of entity
// tags ("1", W/"2") or "*".
func ParseETags(s string) ETags {
	e := ETags{raw: s}
	if strings.TrimSpace(s) == "*" {
		e.any = true
		return e
	}
	rest := s
	for {
		rest = strings.TrimLeft(rest, " \t,")
		if rest == "" {
			break
		}
		tag, after, ok := cutETag(rest)
		if !ok {
			return ETags{raw: s, bad: true}
		}
		e.tags = append(e.tags, tag)
		rest = strings.TrimLeft(after, " \t")
		if rest != "" && rest[0] != ',' {
			return ETags{raw: s, bad: true}
		}
	}
	if len(e.tags) == 0 {
		e.bad = true
	}
	return e
}

// cutETag cuts one entity tag from the start of s.
func cutETag(s string) (tag, rest string, ok bool) {
	start := 0
	if strings.HasPrefix(s, "W/") {
		start = 2
	}
	if len(s) < start+2 || s[start] != '"' {
		return "", "", false
	}
	end := strings.IndexByte(s[start+1:], '"')
	if end < 0 {
		return "", "", false
	}
	tag = s[:start+end+2]
	for _, c := range []byte(tag[start+1 : len(tag)-1]) {
		if c < 0x21 || c == 0x7f { // etagc = %x21 / %x23-7E / obs-text
			return "", "", false
		}
	}
	return tag, s[len(tag):], true
}

// Sent reports whether the header was sent.
func (e ETags) Sent() bool { return e.raw != "" }

// Any reports whether the value is "*": any current representation.
func (e ETags) Any() bool { return e.any }

// Tags returns the entity tags listed, with their quotes and any "W/"
// prefix; nil for "*" and for a malformed value.
func (e ETags) Tags() []string { return e.tags }

// Match reports whether current, an entity tag such as "3", satisfies
// the list by the strong comparison of If-Match (RFC 9110, section
// 13.1.1): "*" matches any, weak tags match nothing.
func (e ETags) Match(current string) bool {
	if e.any {
		return current != ""
	}
	if strings.HasPrefix(current, "W/") {
		return false
	}
	for _, t := range e.tags {
		if t == current {
			return true
		}
	}
	return false
}

// MatchWeak reports whether current satisfies the list by the weak
// comparison of If-None-Match (RFC 9110, section 13.1.2): tags match
// whether or not either is weak.
func (e ETags) MatchWeak(current string) bool {
	if e.any {
		return current != ""
	}
	current = strings.TrimPrefix(current, "W/")
	for _, t := range e.tags {
		if strings.TrimPrefix(t, "W/") == current {
			return true
		}
	}
	return false
}

// String returns the header value as it was sent.
func (e ETags) String() string { return e.raw }

// MarshalText returns the header value, for the typed client.
func (e ETags) MarshalText() ([]byte, error) { return []byte(e.raw), nil }

// UnmarshalText parses a header value; it never fails (see [ETags]).
func (e *ETags) UnmarshalText(b []byte) error {
	*e = ParseETags(string(b))
	return nil
}

// JSONSchema publishes ETags as a string.
func (ETags) JSONSchema(*schema.Registry) *schema.Schema {
	one := 1
	return &schema.Schema{Type: schema.Types{"string"}, MinLength: &one, Description: `Entity tags such as "3" or W/"3", comma-separated, or *.`}
}

// PreconditionFailed is the 412 of a write whose If-Match does not name
// the resource's current entity tag; the answer carries that tag.
func PreconditionFailed(current string) *Error {
	e := NewError(http.StatusPreconditionFailed, "the resource has changed: its ETag is now "+current)
	if current != "" {
		e = e.WithHeader("ETag", current)
	}
	return e
}

var etagsType = reflect.TypeFor[ETags]()

// compileConditional finds what makes the operation conditional: a
// required If-Match input of type ETags, and an ETag output header on a
// GET.
func (op *operation) compileConditional() {
	for _, p := range op.params {
		if p.In == "header" && p.Key == "If-Match" && p.Required && p.Type() == etagsType {
			op.ifMatchRequired = true
		}
		if p.In == "header" && p.Key == "If-Match" && p.Type() == etagsType {
			op.ifMatch = true
		}
	}
	if op.method != http.MethodGet {
		return
	}
	for i, h := range op.resp.headers {
		if h.name == "Etag" || h.name == "ETag" {
			op.resp.etag = i + 1
		}
	}
}

// notModified reports whether r's If-None-Match names the ETag of the
// output at out: roux then answers 304.
func (op *operation) notModified(r *http.Request, out []string) bool {
	inm := r.Header["If-None-Match"]
	if len(inm) == 0 || len(out) == 0 {
		return false
	}
	return ParseETags(strings.Join(inm, ",")).MatchWeak(out[0])
}

// describeConditional publishes what compileConditional found.
func (op *operation) describeConditional(d *openapi.Operation, ok *openapi.Response, problems map[string]*openapi.MediaType) {
	if op.ifMatch {
		if op.ifMatchRequired {
			d.Responses["428"] = &openapi.Response{Description: "If-Match is missing", Content: problems}
		}
		d.Responses["412"] = &openapi.Response{Description: "The resource has changed since the ETag in If-Match", Content: problems,
			Headers: map[string]*openapi.Header{"Etag": {Description: "The resource's current entity tag.", Schema: &schema.Schema{Type: schema.Types{"string"}}}}}
	}
	if op.resp.etag == 0 {
		return
	}
	d.Responses["304"] = &openapi.Response{Description: "The representation named by If-None-Match is current", Headers: ok.Headers}
	for _, p := range d.Parameters {
		if p.In == "header" && http.CanonicalHeaderKey(p.Name) == "If-None-Match" {
			return
		}
	}
	d.Parameters = append(d.Parameters, &openapi.Parameter{Name: "If-None-Match", In: "header",
		Description: "Entity tags of representations you have: 304 Not Modified when one is current.",
		Schema:      &schema.Schema{Type: schema.Types{"string"}}})
}
