// Package conformance is the one test every implementation of the
// benchmark API passes before it is measured, so that no stack wins by
// skipping work. It talks HTTP to a running server, so the same cases
// check the Go stacks (from go test) and the Python ones (from the load
// driver).
//
// The API:
//
//	GET  /json                    {"message":"Hello, World!"} with Server, Date,
//	                              Content-Type and Content-Length (TechEmpower JSON)
//	GET  /items/{id}?q=&limit=    id integer >= 1, limit 1..100 default 10;
//	                              200 {"id":..,"q":..,"limit":..}
//	POST /items                   {"name": 1..50 characters, required,
//	                               "price": > 0, required, "tags": [string], optional}
//	                              201 with the item echoed
//
// Invalid input gets a JSON error body with status 422, or 400 where a
// framework cannot do otherwise.
package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
)

// Case is one request and what its answer must be.
type Case struct {
	Name   string
	Method string
	Path   string
	Body   string // JSON; sent with Content-Type: application/json
	// Want is the status wanted; 0 means "an error": 422 or 400.
	Want int
	// JSON, when not nil, is compared with the decoded response body
	// member by member (members of JSON only; extra members are allowed
	// only for error bodies).
	JSON map[string]any
	// Check, when set, inspects the whole response.
	Check func(h http.Header, body []byte) error
}

var long51 = strings.Repeat("x", 51)

// Cases are the valid and invalid requests every stack must answer.
var Cases = []Case{
	{Name: "json", Method: "GET", Path: "/json", Want: 200,
		JSON: map[string]any{"message": "Hello, World!"}, Check: checkTechEmpower},
	{Name: "get all params", Method: "GET", Path: "/items/42?q=abc&limit=5", Want: 200,
		JSON: map[string]any{"id": 42.0, "q": "abc", "limit": 5.0}},
	{Name: "get default limit", Method: "GET", Path: "/items/7", Want: 200,
		JSON: map[string]any{"id": 7.0, "q": "", "limit": 10.0}},
	{Name: "get limit bounds", Method: "GET", Path: "/items/1?limit=100", Want: 200,
		JSON: map[string]any{"id": 1.0, "q": "", "limit": 100.0}},
	{Name: "get id zero", Method: "GET", Path: "/items/0"},
	{Name: "get id negative", Method: "GET", Path: "/items/-3"},
	{Name: "get id not integer", Method: "GET", Path: "/items/abc"},
	{Name: "get limit zero", Method: "GET", Path: "/items/1?limit=0"},
	{Name: "get limit too big", Method: "GET", Path: "/items/1?limit=101"},
	{Name: "get limit not integer", Method: "GET", Path: "/items/1?limit=ten"},
	{Name: "post full", Method: "POST", Path: "/items", Body: `{"name":"Widget","price":9.5,"tags":["a","b"]}`, Want: 201,
		JSON: map[string]any{"name": "Widget", "price": 9.5, "tags": []any{"a", "b"}}},
	{Name: "post without tags", Method: "POST", Path: "/items", Body: `{"name":"W","price":1}`, Want: 201,
		JSON: map[string]any{"name": "W", "price": 1.0}},
	{Name: "post 50 characters", Method: "POST", Path: "/items", Body: `{"name":"` + strings.Repeat("é", 50) + `","price":0.01}`, Want: 201,
		JSON: map[string]any{"name": strings.Repeat("é", 50), "price": 0.01}},
	{Name: "post name missing", Method: "POST", Path: "/items", Body: `{"price":1}`},
	{Name: "post name empty", Method: "POST", Path: "/items", Body: `{"name":"","price":1}`},
	{Name: "post name too long", Method: "POST", Path: "/items", Body: `{"name":"` + long51 + `","price":1}`},
	{Name: "post price missing", Method: "POST", Path: "/items", Body: `{"name":"W"}`},
	{Name: "post price zero", Method: "POST", Path: "/items", Body: `{"name":"W","price":0}`},
	{Name: "post price negative", Method: "POST", Path: "/items", Body: `{"name":"W","price":-1}`},
	{Name: "post tags wrong type", Method: "POST", Path: "/items", Body: `{"name":"W","price":1,"tags":"a"}`},
	{Name: "post name wrong type", Method: "POST", Path: "/items", Body: `{"name":5,"price":1}`},
	{Name: "post malformed", Method: "POST", Path: "/items", Body: `{"name":`},
}

func checkTechEmpower(h http.Header, body []byte) error {
	for _, k := range []string{"Server", "Date", "Content-Type", "Content-Length"} {
		if h.Get(k) == "" {
			return fmt.Errorf("header %s missing", k)
		}
	}
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return fmt.Errorf("Content-Type %q, want application/json", ct)
	}
	if cl := h.Get("Content-Length"); cl != strconv.Itoa(len(body)) {
		return fmt.Errorf("Content-Length %s, body has %d bytes", cl, len(body))
	}
	return nil
}

// Check runs every case against the server at base ("http://127.0.0.1:port")
// and returns one error per failing case.
func Check(c *http.Client, base string) []error {
	var errs []error
	for _, tc := range Cases {
		if err := run(c, base, tc); err != nil {
			errs = append(errs, fmt.Errorf("%s (%s %s): %w", tc.Name, tc.Method, tc.Path, err))
		}
	}
	return errs
}

func run(c *http.Client, base string, tc Case) error {
	var body io.Reader
	if tc.Body != "" {
		body = strings.NewReader(tc.Body)
	}
	req, err := http.NewRequest(tc.Method, base+tc.Path, body)
	if err != nil {
		return err
	}
	if tc.Body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if tc.Want == 0 {
		if resp.StatusCode != 422 && resp.StatusCode != 400 {
			return fmt.Errorf("got status %d, want 422 or 400; body %s", resp.StatusCode, b)
		}
		if !strings.Contains(resp.Header.Get("Content-Type"), "json") {
			return fmt.Errorf("error Content-Type %q, want JSON", resp.Header.Get("Content-Type"))
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			return fmt.Errorf("error body is not JSON: %v: %s", err, b)
		}
		return nil
	}
	if resp.StatusCode != tc.Want {
		return fmt.Errorf("got status %d, want %d; body %s", resp.StatusCode, tc.Want, b)
	}
	if tc.JSON != nil {
		var got map[string]any
		if err := json.Unmarshal(bytes.TrimSpace(b), &got); err != nil {
			return fmt.Errorf("body is not a JSON object: %v: %s", err, b)
		}
		for k, want := range tc.JSON {
			if !reflect.DeepEqual(got[k], want) {
				return fmt.Errorf("member %q: got %#v, want %#v (body %s)", k, got[k], want, b)
			}
		}
		// Members beyond the wanted ones: only an absent/null/empty tags.
		for k, v := range got {
			if _, ok := tc.JSON[k]; ok {
				continue
			}
			if k == "tags" && (v == nil || reflect.DeepEqual(v, []any{})) {
				continue
			}
			return fmt.Errorf("unexpected member %q in %s", k, b)
		}
	}
	if tc.Check != nil {
		return tc.Check(resp.Header, b)
	}
	return nil
}
