package kitchen_test

import (
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
	}
}

// TestHostileRequests sends each of kitchenHostile on each backend.
func TestHostileRequests(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := start(t, config(b.db(t)))
		for _, tt := range kitchenHostile() {
			t.Run(tt.name, func(t *testing.T) {
				var h []string
				if tt.headers != nil {
					h = tt.headers()
				}
				s.do(tt.method, tt.path, tt.body, h...).wantProblem(t, tt.status)
			})
		}
	})
}
