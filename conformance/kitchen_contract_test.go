package conformance

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestKitchenContract runs the contract against the kitchen, the example
// service with security schemes, conditional requests, a CPU-bound
// operation and an event stream, with real credentials: the staff key
// and the token of a customer it registers first. DELETE is drawn like
// every other method, so dishes disappear as the run goes on. It runs
// on SQLite, and on PostgreSQL when KITCHEN_POSTGRES_URL is set.
func TestKitchenContract(t *testing.T) {
	setDefault(t, "rapid.checks", strconv.Itoa(*contractChecks))
	setDefault(t, "rapid.seed", strconv.FormatUint(*contractSeed, 10))
	setDefault(t, "rapid.nofailfile", "true")
	for _, backend := range []struct {
		name string
		s    *service
	}{{"sqlite", kitchen}, {"postgres", kitchenPG}} {
		t.Run(backend.name, func(t *testing.T) { kitchenContract(t, backend.s) })
	}
}

// kitchenContract runs the contract against the kitchen s.
func kitchenContract(t *testing.T, s *service) {
	base, _ := s.document(t, documentPaths[0])
	token := registerCustomer(t, base)
	c := contract{
		header: http.Header{"X-Staff-Key": {kitchenStaffKey}, "Authorization": {"Bearer " + token}},
		stateful: map[string][]int{
			"PUT /dishes/{id}":             {412}, // If-Match names another version
			"PATCH /dishes/{id}":           {412},
			"DELETE /dishes/{id}":          {412},
			"POST /orders":                 {422}, // a dish that does not exist or is not available, or an Idempotency-Key used with another body
			"POST /orders/{id}/cancel":     {409}, // ready or cancelled already
			"GET /orders/{id}/bill":        {409},
			"GET /orders/{id}/events":      {},
			"POST /customers":              {},
			"GET /dishes":                  {422}, // min_price above max_price
			"PUT /customers/me/webhook":    {422}, // a URL of an address the kitchen does not send to
			"DELETE /customers/me/webhook": {404}, // none registered
		},
	}
	for _, path := range documentPaths {
		t.Run(strings.TrimPrefix(path, "/"), func(t *testing.T) {
			base, doc := s.document(t, path)
			checkContract(t, base, doc, c)
		})
	}
}

// registerCustomer registers a customer with the staff key and returns
// the customer's bearer token.
func registerCustomer(t *testing.T, base string) string {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/customers", bytes.NewReader([]byte(`{"name":"Contract"}`)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Staff-Key", kitchenStaffKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var c struct{ Token string }
	if err := json.NewDecoder(res.Body).Decode(&c); err != nil || res.StatusCode != 201 || c.Token == "" {
		t.Fatalf("registering a customer: %d %v", res.StatusCode, err)
	}
	return c.Token
}
