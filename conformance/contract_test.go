package conformance

// The contract test: the document the example service publishes is the
// only truth. For every operation it draws valid requests from the
// schemas (biased to the boundaries) and invalid ones (one fault each:
// a value that breaks a keyword, the wrong type, a missing or extra
// member, a missing required parameter, malformed or oversized bodies,
// the wrong media type), sends them over loopback HTTP and checks that
//
//   - kin-openapi's request validator agrees with the generator's label,
//     so the generator is itself checked against an independent reading
//     of the document;
//   - a valid request gets a documented 2xx status (or a documented 404
//     when it names a resource by a path parameter: the generator cannot
//     know which ids exist);
//   - an invalid one gets the documented 4xx status for its fault, as
//     application/problem+json;
//   - every response validates against the document with kin-openapi's
//     response validator, undocumented statuses included;
//   - every header of a response is one the document lists for its
//     status (but Content-Type and the framing headers).

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"pgregory.net/rapid"
)

var (
	contractChecks = flag.Int("contract.checks", 300, "number of requests the contract test draws (rapid.checks overrides it)")
	contractSeed   = flag.Uint64("contract.seed", 20261126, "seed of the contract test, fixed so CI is repeatable (rapid.seed overrides it; 0 picks one at random)")
)

// request is one request being built.
type request struct {
	op          *endpoint
	pathParams  map[string]string
	query       url.Values
	header      http.Header
	body        any    // JSON value, when raw is nil
	raw         []byte // exact body bytes, overriding body
	hasBody     bool
	contentType string
}

func (r *request) setParam(in, name, v string) {
	switch in {
	case "path":
		r.pathParams[name] = v
	case "query":
		r.query.Set(name, v)
	case "header":
		r.header.Set(name, v)
	}
}

// setValue sets parameter p to v as a client serializes it: an array as
// repeated keys in a query (the form style's explode, OpenAPI's default)
// and comma-separated elsewhere.
func (r *request) setValue(p *openapi3.Parameter, v any) {
	items, ok := v.([]any)
	if !ok {
		r.setParam(p.In, p.Name, paramText(v))
		return
	}
	texts := make([]string, len(items))
	for i, it := range items {
		texts[i] = paramText(it)
	}
	if p.In == "query" && (p.Explode == nil || *p.Explode) {
		r.query[p.Name] = texts
		return
	}
	r.setParam(p.In, p.Name, strings.Join(texts, ","))
}

func (r *request) deleteParam(in, name string) {
	switch in {
	case "query":
		r.query.Del(name)
	case "header":
		r.header.Del(name)
	}
}

func (r *request) bytes() []byte {
	if r.raw != nil {
		return r.raw
	}
	b, err := json.Marshal(r.body)
	if err != nil {
		panic(err)
	}
	return b
}

// build returns the HTTP request for base and the body it carries.
func (r *request) build(base string) (*http.Request, []byte, error) {
	path := r.op.path
	for k, v := range r.pathParams {
		path = strings.ReplaceAll(path, "{"+k+"}", url.PathEscape(v))
	}
	u := base + path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body []byte
	if r.hasBody {
		body = r.bytes()
	}
	req, err := http.NewRequest(r.op.method, u, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	maps(req.Header, r.header)
	if r.hasBody && r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	return req, body, nil
}

func maps(dst, src http.Header) {
	for k, v := range src {
		dst[k] = slices.Clone(v)
	}
}

// endpoint is one operation of the document.
type endpoint struct {
	method, path string
	item         *openapi3.PathItem
	op           *openapi3.Operation
}

func endpoints(doc *openapi3.T) []*endpoint {
	var out []*endpoint
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for _, method := range sortedKeys(item.Operations()) {
			out = append(out, &endpoint{method: method, path: path, item: item, op: item.GetOperation(method)})
		}
	}
	return out
}

// documented returns the operation's documented statuses.
func (e *endpoint) documented() []int {
	var out []int
	for code := range e.op.Responses.Map() {
		if n, err := strconv.Atoi(code); err == nil {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// validRequest draws a request the document says is valid. A path
// parameter is drawn, half the time, from the values of the response
// members of the same name seen so far (seen[name]), so that requests
// naming a resource often find one.
func validRequest(t *rapid.T, e *endpoint, seen map[string][]string) *request {
	r := &request{op: e, pathParams: map[string]string{}, query: url.Values{}, header: http.Header{}}
	for _, pr := range e.op.Parameters {
		p := pr.Value
		if !p.Required && !rapid.Bool().Draw(t, p.Name+" sent") {
			continue
		}
		if p.In == "path" && len(seen[p.Name]) > 0 && rapid.Bool().Draw(t, p.Name+" seen before") {
			r.setParam(p.In, p.Name, rapid.SampledFrom(seen[p.Name]).Draw(t, p.Name))
			continue
		}
		r.setValue(p, validValue(t, p.Schema.Value, p.In+" "+p.Name, false))
	}
	if rb := e.op.RequestBody; rb != nil {
		r.hasBody, r.contentType = true, "application/json"
		r.body = clone(validValue(t, rb.Value.Content.Get("application/json").Schema.Value, "body", true))
	}
	return r
}

// TestContract runs the contract against each published form of the
// document: the 3.1 one, read by kin-openapi's JSON Schema 2020-12
// validator, and the 3.0.3 downgrade, read by its 3.0 validator.
func TestContract(t *testing.T) {
	setDefault(t, "rapid.checks", strconv.Itoa(*contractChecks))
	setDefault(t, "rapid.seed", strconv.FormatUint(*contractSeed, 10))
	// A failure prints its seed; no fail files in the source tree.
	setDefault(t, "rapid.nofailfile", "true")
	for _, path := range documentPaths {
		t.Run(strings.TrimPrefix(path, "/"), func(t *testing.T) {
			base, doc := helloDocument(t, path)
			// The in-memory menu holds at most 1,000 dishes.
			checkContract(t, base, doc, contract{stateful: map[string][]int{"POST /dishes": {409}}})
		})
	}
}

// contract is what a service's contract run needs besides its document.
type contract struct {
	// header is sent with every request: the credentials of every
	// security scheme the service has.
	header http.Header
	// stateful lists, by "METHOD path", the documented statuses a valid
	// request may get because of what the server holds: a precondition
	// with a stale entity tag, an order of a dish since removed.
	stateful map[string][]int
}

func checkContract(t *testing.T, base string, doc *openapi3.T, c contract) {
	eps := endpoints(doc)
	if len(eps) == 0 {
		t.Fatal("the document has no operations")
	}
	stats := map[string]int{}
	seen := map[string][]string{}
	rapid.Check(t, func(t *rapid.T) {
		e := rapid.SampledFrom(eps).Draw(t, "operation")
		r := validRequest(t, e, seen)
		var m *mutation
		maps(r.header, c.header)
		if rapid.Bool().Draw(t, "invalid") {
			muts := paramMutations(e.op)
			if secured(doc, e.op) && len(c.header) > 0 {
				muts = append(muts, mutation{"credentials missing", []int{401}, false, func(_ *rapid.T, r *request) {
					for k := range c.header {
						r.header.Del(k)
					}
				}})
			}
			if e.op.RequestBody != nil {
				muts = append(muts, bodyMutations(e.op.RequestBody.Value, r.body)...)
			}
			if len(muts) > 0 {
				m = &muts[rapid.IntRange(0, len(muts)-1).Draw(t, "mutation index")]
				t.Logf("mutation: %s", m.name)
				m.apply(t, r)
			}
		}
		req, body, err := r.build(base)
		if err != nil {
			t.Fatal(err)
		}
		route := &routers.Route{Spec: doc, Path: e.path, PathItem: e.item, Method: e.method, Operation: e.op}
		in := &openapi3filter.RequestValidationInput{Request: req.Clone(context.Background()), PathParams: r.pathParams, Route: route,
			Options: &openapi3filter.Options{MultiError: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
		in.Request.Body = io.NopCloser(bytes.NewReader(body))
		verdict := openapi3filter.ValidateRequest(context.Background(), in)
		switch {
		case m == nil && verdict != nil:
			t.Fatalf("generator bug: kin-openapi rejects a request labelled valid: %v", verdict)
		case m != nil && m.oracle && verdict == nil:
			t.Fatalf("generator bug: kin-openapi accepts a request labelled invalid (%s)", m.name)
		}

		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		res, err := http.DefaultClient.Do(req.WithContext(ctx))
		if err != nil {
			t.Fatal(err)
		}
		resBody, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s %s (%d body bytes) -> %d %s", req.Method, req.URL.RequestURI(), len(body), res.StatusCode, truncate(resBody))
		documented := e.documented()
		if !slices.Contains(documented, res.StatusCode) {
			t.Fatalf("status %d is not documented for %s %s (documented: %v)", res.StatusCode, e.method, e.path, documented)
		}
		switch {
		case m == nil && res.StatusCode/100 == 2:
			stats["valid, success"]++
			remember(seen, resBody)
		case m == nil && res.StatusCode == 404 && len(r.pathParams) > 0:
			stats["valid, not found"]++
		case m == nil && res.StatusCode == http.StatusNotModified && req.Header.Get("If-None-Match") != "":
			// A valid If-None-Match matched the current representation
			// ("*" matches any): 304 is the server's state, not a fault.
			stats["valid, 304 by a matching If-None-Match"]++
		case m == nil && slices.Contains(c.stateful[e.method+" "+e.path], res.StatusCode):
			stats[fmt.Sprintf("valid, %d by the server's state", res.StatusCode)]++
		case m == nil:
			t.Fatalf("valid request got %d: %s", res.StatusCode, resBody)
		case !slices.Contains(m.status, res.StatusCode):
			t.Fatalf("invalid request (%s) got %d, want one of %v: %s", m.name, res.StatusCode, m.status, resBody)
		default:
			stats["invalid, rejected"]++
			if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("invalid request (%s) got Content-Type %q, want application/problem+json", m.name, ct)
			}
		}
		if name := undeclaredHeader(e, res); name != "" {
			t.Fatalf("%s %s answered %d with the header %s, which the document does not list for it", e.method, e.path, res.StatusCode, name)
		}
		out := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: in, Status: res.StatusCode, Header: res.Header,
			Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true,
				// An event stream is checked by its status and headers;
				// kin-openapi has no decoder for text/event-stream.
				ExcludeResponseBody: strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream")},
		}
		out.SetBodyBytes(resBody)
		if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
			t.Fatalf("the response does not match the document: %v\nresponse: %d %s", err, res.StatusCode, resBody)
		}
	})
	t.Logf("outcomes: %v", stats)
	if !t.Failed() && (stats["valid, success"] == 0 || stats["invalid, rejected"] == 0) {
		t.Errorf("the generator exercised too little: %v", stats)
	}
}

// implicitHeaders are the response headers a document need not list:
// Content-Type, which OpenAPI describes by the content's media types,
// and the framing headers net/http manages.
var implicitHeaders = []string{"Content-Type", "Content-Length", "Date", "Transfer-Encoding", "Connection", "Trailer"}

// undeclaredHeader returns the name of a header of res that e's
// response for its status does not list, or "".
func undeclaredHeader(e *endpoint, res *http.Response) string {
	r := e.op.Responses.Status(res.StatusCode)
	if r == nil {
		r = e.op.Responses.Default()
	}
	for name := range res.Header {
		if slices.Contains(implicitHeaders, name) {
			continue
		}
		found := false
		if r != nil && r.Value != nil {
			for k := range r.Value.Headers {
				found = found || strings.EqualFold(k, name)
			}
		}
		if !found {
			return name
		}
	}
	return ""
}

// secured reports whether op needs credentials: its own security
// requirement, or the document's.
func secured(doc *openapi3.T, op *openapi3.Operation) bool {
	req := doc.Security
	if op.Security != nil {
		req = *op.Security
	}
	for _, alt := range req {
		if len(alt) == 0 {
			return false // one alternative needs nothing
		}
	}
	return len(req) > 0
}

// remember adds the scalar members of a JSON object, or of the objects of
// a JSON array, to seen.
func remember(seen map[string][]string, body []byte) {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return
	}
	objs, _ := v.([]any)
	if o, ok := v.(map[string]any); ok {
		objs = []any{o}
	}
	for _, o := range objs {
		o, _ := o.(map[string]any)
		for k, m := range o {
			if f, ok := m.(float64); ok {
				if s := paramText(f); !slices.Contains(seen[k], s) {
					seen[k] = append(seen[k], s)
				}
			}
		}
	}
}

// setDefault sets flag name to v unless it was given on the command line.
func setDefault(t *testing.T, name, v string) {
	t.Helper()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	if set {
		return
	}
	if err := flag.Set(name, v); err != nil {
		t.Fatal(err)
	}
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return fmt.Sprintf("%s... (%d bytes)", b[:300], len(b))
	}
	return string(b)
}
