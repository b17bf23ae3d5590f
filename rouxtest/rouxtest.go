// Package rouxtest calls an http.Handler — usually a *roux.API — in
// memory from tests, with helpers that decode typed responses and
// problems and fail the test with a useful message when something is off.
//
//	c := rouxtest.New(t, api)
//	resp := c.Post("/dishes", Dish{Name: "Soup", Price: 4.5})
//	dish := rouxtest.JSON[Dish](resp, http.StatusCreated)
package rouxtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/roux-go/roux"
)

// Client sends requests to a handler in memory. Header is sent with
// every request, except where the request sets the same header itself. A Client is safe for concurrent use if its Header is not
// changed while requests run.
type Client struct {
	t      testing.TB
	h      http.Handler
	Header http.Header
}

// DocumentDirEnv names an environment variable: when it holds a
// directory, [New] writes there the OpenAPI document of every *roux.API
// it is given (as <test name>-<n>.json), so that the documents a test
// suite builds can be checked by an independent validator. roux's own CI
// does this with kin-openapi.
const DocumentDirEnv = "ROUX_OPENAPI_DIR"

var dumped atomic.Int64

// New returns a client for h that reports failures to t.
func New(t testing.TB, h http.Handler) *Client {
	if dir := os.Getenv(DocumentDirEnv); dir != "" {
		if api, ok := h.(*roux.API); ok {
			dumpDocument(t, dir, api)
		}
	}
	return &Client{t: t, h: h, Header: http.Header{}}
}

// dumpDocument writes api's document to dir. It does so when the test
// ends, so that operations registered after New are included.
func dumpDocument(t testing.TB, dir string, api *roux.API) {
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, t.Name())
	file := filepath.Join(dir, fmt.Sprintf("%s-%d.json", name, dumped.Add(1)))
	t.Cleanup(func() {
		b, err := json.MarshalIndent(api.OpenAPI(), "", "  ")
		if err == nil {
			err = os.WriteFile(file, b, 0o644)
		}
		if err != nil {
			t.Errorf("rouxtest: writing the document to %s: %v", file, err)
		}
	})
}

// Response is a recorded response.
type Response struct {
	t      testing.TB
	Status int
	Header http.Header
	Body   []byte
}

// Do serves req and records the response.
func (c *Client) Do(req *http.Request) *Response {
	c.t.Helper()
	for k, vs := range c.Header {
		if _, set := req.Header[k]; !set {
			req.Header[k] = append([]string(nil), vs...)
		}
	}
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	res := rec.Result()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("rouxtest: reading the response body: %v", err)
	}
	reportViolation(c.t, req, res.StatusCode, res.Header, body)
	return &Response{t: c.t, Status: res.StatusCode, Header: res.Header, Body: body}
}

// reportViolation fails the test when the response is roux's report of
// a response that broke the API's description ([roux.ResponseViolationType],
// sent when responses are checked: [roux.Config.CheckResponses] or
// ROUX_CHECK_RESPONSES=1), naming the operation, the status and each
// failing JSON pointer.
func reportViolation(t testing.TB, req *http.Request, status int, h http.Header, body []byte) {
	t.Helper()
	if status != http.StatusInternalServerError || !strings.HasPrefix(h.Get("Content-Type"), "application/problem+json") {
		return
	}
	var p struct {
		Type      string `json:"type"`
		Detail    string `json:"detail"`
		Operation string `json:"operation"`
		Status    int    `json:"status"`
		Errors    []struct {
			Pointer string `json:"pointer"`
			Detail  string `json:"detail"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &p) != nil || p.Type != roux.ResponseViolationType {
		return
	}
	var b strings.Builder
	for _, e := range p.Errors {
		fmt.Fprintf(&b, "\n\t%s: %s", e.Pointer, e.Detail)
	}
	t.Errorf("rouxtest: %s %s: the response breaks the API description: %s%s", req.Method, req.URL.Path, p.Detail, b.String())
}

// Request builds and serves a request. body is nil for none, a []byte or
// string sent as is, or a value sent as JSON. headers are "Name: value"
// strings; a JSON body gets Content-Type application/json unless one is
// given.
func (c *Client) Request(method, target string, body any, headers ...string) *Response {
	c.t.Helper()
	var r io.Reader
	isJSON := false
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	case string:
		r = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			c.t.Fatalf("rouxtest: encoding the request body: %v", err)
		}
		r, isJSON = bytes.NewReader(data), true
	}
	req := httptest.NewRequest(method, target, r)
	for _, h := range headers {
		k, v, ok := strings.Cut(h, ":")
		if !ok {
			c.t.Fatalf("rouxtest: header %q is not of the form \"Name: value\"", h)
		}
		req.Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	if isJSON && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.Do(req)
}

// Get sends a GET request.
func (c *Client) Get(target string, headers ...string) *Response {
	c.t.Helper()
	return c.Request(http.MethodGet, target, nil, headers...)
}

// Post sends a POST request with body (see [Client.Request]).
func (c *Client) Post(target string, body any, headers ...string) *Response {
	c.t.Helper()
	return c.Request(http.MethodPost, target, body, headers...)
}

// Put sends a PUT request with body (see [Client.Request]).
func (c *Client) Put(target string, body any, headers ...string) *Response {
	c.t.Helper()
	return c.Request(http.MethodPut, target, body, headers...)
}

// Patch sends a PATCH request with body (see [Client.Request]).
func (c *Client) Patch(target string, body any, headers ...string) *Response {
	c.t.Helper()
	return c.Request(http.MethodPatch, target, body, headers...)
}

// Delete sends a DELETE request.
func (c *Client) Delete(target string, headers ...string) *Response {
	c.t.Helper()
	return c.Request(http.MethodDelete, target, nil, headers...)
}

// String returns the status and body, for failure messages.
func (r *Response) String() string { return fmt.Sprintf("%d %s", r.Status, r.Body) }

// JSON checks that r has status want and a JSON body, and decodes the
// body into a T. It fails the test otherwise.
func JSON[T any](r *Response, want int) T {
	r.t.Helper()
	var v T
	if r.Status != want {
		r.t.Fatalf("rouxtest: got status %d, want %d; body: %s", r.Status, want, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		r.t.Fatalf("rouxtest: got Content-Type %q, want application/json", ct)
	}
	if err := json.Unmarshal(r.Body, &v); err != nil {
		r.t.Fatalf("rouxtest: decoding %s into %T: %v", r.Body, v, err)
	}
	return v
}

// Problem checks that r is an application/problem+json response with
// status want and returns the problem. It fails the test otherwise.
func Problem(r *Response, want int) *roux.Error {
	r.t.Helper()
	if r.Status != want {
		r.t.Fatalf("rouxtest: got status %d, want %d; body: %s", r.Status, want, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		r.t.Fatalf("rouxtest: got Content-Type %q, want application/problem+json", ct)
	}
	p := new(roux.Error)
	if err := json.Unmarshal(r.Body, p); err != nil {
		r.t.Fatalf("rouxtest: decoding the problem %s: %v", r.Body, err)
	}
	if p.Status != want {
		r.t.Fatalf("rouxtest: problem status %d does not match response status %d", p.Status, want)
	}
	return p
}
