package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// TestHostileAgainstDocument sends what a catalogue of hostile requests
// holds to the example services over loopback — path parameters that
// are empty, dot segments or escaped slashes, bodies of JSON media types
// the document does not publish, integers written as 2.0 and 1e999999 —
// and checks each answer against the operation the request names in the
// published document, as a schema-driven fuzzer does: the status is
// documented, an error is a problem, every header is listed for its
// status, and kin-openapi's response validator agrees.
func TestHostileAgainstDocument(t *testing.T) {
	for _, svc := range []struct {
		name   string
		s      *service
		header func(base string) http.Header
	}{
		{"hello", hello, func(string) http.Header { return http.Header{} }},
		{"kitchen", kitchen, func(base string) http.Header {
			return http.Header{"X-Staff-Key": {kitchenStaffKey}, "Authorization": {"Bearer " + registerCustomer(t, base)}}
		}},
	} {
		t.Run(svc.name, func(t *testing.T) {
			base, doc := svc.s.document(t, documentPaths[0])
			header := svc.header(base)
			for _, e := range endpoints(doc) {
				for _, seg := range []string{"", ".", "..", "%2e", "%2E%2e", "..%2F..%2Fdocs", "%2F", "a%2Fb", "%00", "1.0", "1e2"} {
					path := e.path
					for _, p := range e.op.Parameters {
						if p.Value.In == "path" {
							path = strings.ReplaceAll(path, "{"+p.Value.Name+"}", seg)
						}
					}
					if path == e.path {
						break // no path parameter
					}
					body := ""
					if e.op.RequestBody != nil {
						body = "{}"
					}
					res, resBody := hostileSend(t, base, e.method, path, "application/json", body, header)
					checkAnswer(t, doc, e, res, resBody)
				}
				if e.op.RequestBody == nil {
					continue
				}
				for _, ct := range []string{"application/vnd.example+json", "application/json-patch+json", "application/problem+json", "application/merge-patch+json"} {
					if e.op.RequestBody.Value.Content.Get(ct) != nil {
						continue
					}
					path := e.path
					for _, p := range e.op.Parameters {
						if p.Value.In == "path" {
							path = strings.ReplaceAll(path, "{"+p.Value.Name+"}", "1")
						}
					}
					res, resBody := hostileSend(t, base, e.method, path, ct, "{}", header)
					checkAnswer(t, doc, e, res, resBody)
					if res.StatusCode/100 == 2 {
						t.Errorf("%s %s sent as %s: got %d, want it refused (not published)", e.method, path, ct, res.StatusCode)
					}
				}
			}
		})
	}
}

// TestIntegralNumbersAgainstDocument: integers written with a fraction or
// an exponent are integers to JSON Schema, and so to the kitchen; a
// fraction and a huge exponent are refused.
func TestIntegralNumbersAgainstDocument(t *testing.T) {
	base, doc := kitchen.document(t, documentPaths[0])
	header := http.Header{"X-Staff-Key": {kitchenStaffKey}, "Authorization": {"Bearer " + registerCustomer(t, base)}}
	ops := map[string]*endpoint{}
	for _, e := range endpoints(doc) {
		ops[e.method+" "+e.path] = e
	}
	res, body := hostileSend(t, base, "POST", "/dishes", "application/json",
		`{"name":"Gazpacho","price_cents":7.5e2,"station":"cold","prep_seconds":3.0}`, header)
	checkAnswer(t, doc, ops["POST /dishes"], res, body)
	var dish struct {
		ID         int64 `json:"id"`
		PriceCents int64 `json:"price_cents"`
	}
	if res.StatusCode != 201 || json.Unmarshal(body, &dish) != nil || dish.PriceCents != 750 {
		t.Fatalf("adding a dish priced 7.5e2 cents: got %d %s, want 201 and 750", res.StatusCode, truncate(body))
	}
	id := strconv.FormatInt(dish.ID, 10)
	for _, tt := range []struct {
		body   string
		status int
	}{
		{`{"items":[{"dish_id":` + id + `.0,"quantity":2e0}]}`, 202},
		{`{"items":[{"dish_id":` + id + `0e-1,"quantity":200e-2}]}`, 202},
		{`{"items":[{"dish_id":` + id + `,"quantity":1.5}]}`, 422},
		{`{"items":[{"dish_id":` + id + `,"quantity":1e999999}]}`, 422},
	} {
		res, resBody := hostileSend(t, base, "POST", "/orders", "application/json", tt.body, header)
		if res.StatusCode != tt.status {
			t.Errorf("%s: got %d %s, want %d", tt.body, res.StatusCode, truncate(resBody), tt.status)
		}
		checkAnswer(t, doc, ops["POST /orders"], res, resBody)
	}
}

// hostileSend sends a request whose path is sent as it is written.
func hostileSend(t *testing.T, base, method, path, contentType, body string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	maps(req.Header, header)
	if body != "" {
		req.Header.Set("Content-Type", contentType)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	resBody, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s %s (%s) -> %d %s", method, path, contentType, res.StatusCode, truncate(resBody))
	return res, resBody
}

// checkAnswer checks res, an answer to a request for e, against the
// document.
func checkAnswer(t *testing.T, doc *openapi3.T, e *endpoint, res *http.Response, body []byte) {
	t.Helper()
	what := e.method + " " + res.Request.URL.RequestURI()
	if !slices.Contains(e.documented(), res.StatusCode) {
		t.Errorf("%s: status %d is not documented for %s %s (documented: %v)", what, res.StatusCode, e.method, e.path, e.documented())
		return
	}
	if ct := res.Header.Get("Content-Type"); res.StatusCode >= 400 && ct != "application/problem+json" {
		t.Errorf("%s: got %d with Content-Type %q, want a problem", what, res.StatusCode, ct)
	}
	if name := undeclaredHeader(e, res); name != "" {
		t.Errorf("%s: answered %d with the header %s, which the document does not list for it", what, res.StatusCode, name)
	}
	route := &routers.Route{Spec: doc, Path: e.path, PathItem: e.item, Method: e.method, Operation: e.op}
	in := &openapi3filter.RequestValidationInput{Request: res.Request, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode, Header: res.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	out.SetBodyBytes(bytes.Clone(body))
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("%s: the answer %d does not match the document: %v", what, res.StatusCode, err)
	}
}
