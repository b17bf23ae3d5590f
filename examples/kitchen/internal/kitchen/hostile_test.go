package kitchen_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// hostileRequest is a request the kitchen must refuse with a 4xx on
// every backend, never answer with a 5xx.
type hostileRequest struct {
	name, method, path, body string
	headers                  func() []string
	status                   int
}

// kitchenHostile lists requests that the document's schemas used to let
// through to the store.
func kitchenHostile() []hostileRequest {
	staffOnly := func() []string { return staff() }
	customer := func() []string { return bearer(token) }
	dish := func(name, desc string) string {
		return `{"name":"` + name + `","description":"` + desc + `","price_cents":500,"station":"cold","prep_seconds":1}`
	}
	return []hostileRequest{
		// PostgreSQL's text holds no NUL: the strings the kitchen stores
		// refuse it, on SQLite too, so the two backends agree.
		{"NUL in a dish name", "POST", "/dishes", dish(`So\u0000up`, "x"), staffOnly, 422},
		{"NUL alone as a dish name", "POST", "/dishes", dish(`\u0000`, "x"), staffOnly, 422},
		{"NUL in a description", "POST", "/dishes", dish("Soup", `a\u0000`), staffOnly, 422},
		{"NUL in a patched name", "PATCH", "/dishes/1", `{"name":"a\u0000"}`, func() []string { return append(staff(), "If-Match", "*") }, 422},
		{"NUL in an order's note", "POST", "/orders", `{"items":[{"dish_id":1,"quantity":1}],"note":"x\u0000"}`, customer, 422},
		{"NUL in a customer's name", "POST", "/customers", `{"name":"a\u0000"}`, staffOnly, 422},
		{"NUL in a tag filter", "GET", "/dishes?tag=a%00b", "", nil, 422},
		// A version past PostgreSQL's int4 (the parameter of a version
		// compared with 0 was typed int4 there) is a version no dish has.
		{"a version past int4 in If-Match of a PUT", "PUT", "/dishes/1", dish("Soup", "x"),
			func() []string { return append(staff(), "If-Match", `"2147483648"`) }, 412},
		{"a version past int4 in If-Match of a DELETE", "DELETE", "/dishes/1", "",
			func() []string { return append(staff(), "If-Match", `"2147483648"`) }, 412},
		// Credentials sent twice are refused, whichever copy is valid.
		{"two bearer tokens", "GET", "/orders", "", func() []string { return append(bearer("x"), bearer(token)...) }, 400},
		{"two staff keys", "POST", "/customers", `{"name":"Ann"}`, func() []string { return append(staff(), "X-Staff-Key", "x") }, 400},
	}
}

// TestHostileRequests sends each of kitchenHostile on each backend.
func TestHostileRequests(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := start(t, config(b.db(t)))
		for _, tt := range kitchenHostile() {
			t.Run(tt.name, func(t *testing.T) {
				req, err := http.NewRequestWithContext(t.Context(), tt.method, s.url+tt.path, strings.NewReader(tt.body))
				if err != nil {
					t.Fatal(err)
				}
				if tt.body != "" {
					req.Header.Set("Content-Type", "application/json")
				}
				if tt.headers != nil {
					h := tt.headers()
					for i := 0; i+1 < len(h); i += 2 {
						req.Header.Add(h[i], h[i+1]) // Add: some send a header twice
					}
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				body, err := io.ReadAll(res.Body)
				if err != nil {
					t.Fatal(err)
				}
				response{res.StatusCode, res.Header, body}.wantProblem(t, tt.status)
			})
		}
	})
}
