package kitchen_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
	"github.com/roux-go/roux/examples/kitchen/internal/store/postgres"
	"github.com/roux-go/roux/examples/kitchen/internal/store/postgres/pgtest"
	"github.com/roux-go/roux/examples/kitchen/kitchenapi"
)

// TestDatabaseUnavailable: while PostgreSQL refuses the kitchen's
// connections — its database's CONNECTION LIMIT reached (SQLSTATE 53300)
// after the connections it had were ended (57P01), as after a restart
// whose slots other clients took — every operation that needs the
// database answers 503 with Retry-After, as the document says (CI checks
// each response against it), never 500; /readyz says the database is
// failing without saying why; once connections are allowed again, the
// kitchen serves again.
func TestDatabaseUnavailable(t *testing.T) {
	t.Parallel()
	url, name := pgtest.Database(t)
	s := start(t, config(func(ctx context.Context) (store.Store, error) { return postgres.Open(ctx, url) }))
	placed := s.order(t, kitchenapi.OrderLine{DishID: 1, Quantity: 1})
	id := strconv.FormatInt(placed.ID, 10)
	requests := []struct {
		method, path, body string
		headers            []string
	}{
		{"GET", "/dishes", "", nil},
		{"GET", "/dishes/1", "", nil},
		{"PATCH", "/dishes/1", `{"price_cents":1250}`, append(staff(), "If-Match", `*`)},
		{"DELETE", "/dishes/3", "", append(staff(), "If-Match", `*`)},
		{"POST", "/customers", `{"name":"Ada"}`, staff()},
		{"GET", "/orders", "", bearer(token)},
		{"POST", "/orders", `{"items":[{"dish_id":1,"quantity":1}]}`, bearer(token)},
		{"POST", "/orders", `{"items":[{"dish_id":1,"quantity":1}]}`, append(bearer(token), "Idempotency-Key", `"unavailable-1"`)},
		{"GET", "/orders/" + id, "", bearer(token)},
		{"GET", "/orders/" + id + "/bill", "", bearer(token)},
		{"GET", "/orders/" + id + "/events", "", bearer(token)},
		{"POST", "/orders/" + id + "/cancel", "", bearer(token)},
		{"PUT", "/customers/me/webhook", `{"url":"https://example.com/hook"}`, bearer(token)},
		{"DELETE", "/customers/me/webhook", "", bearer(token)},
	}
	for _, r := range requests {
		if got := s.do(r.method, r.path, r.body, r.headers...); got.status >= 500 {
			t.Fatalf("%s %s before the limit: %d %s", r.method, r.path, got.status, got.body)
		}
	}

	pgtest.Exec(t, "ALTER DATABASE "+name+" CONNECTION LIMIT 0")
	pgtest.Exec(t, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name)
	for round := range 3 { // a dead connection of the pool first, then none
		for _, r := range requests {
			got := s.do(r.method, r.path, r.body, r.headers...)
			got.wantProblem(t, http.StatusServiceUnavailable)
			if got.header.Get("Retry-After") == "" {
				t.Errorf("round %d: %s %s: 503 without Retry-After", round, r.method, r.path)
			}
		}
	}
	ready := s.do("GET", "/readyz", "")
	ready.wantProblem(t, http.StatusServiceUnavailable)
	if ready.header.Get("Retry-After") == "" {
		t.Error("/readyz: 503 without Retry-After")
	}
	for _, leak := range []string{"53300", "SQLSTATE", "too many", "connect", name} {
		if strings.Contains(string(ready.body), leak) {
			t.Errorf("/readyz says %q: %s", leak, ready.body)
		}
	}

	pgtest.Exec(t, "ALTER DATABASE "+name+" CONNECTION LIMIT -1")
	waitFor(t, "/readyz to answer 200", func() bool { return s.do("GET", "/readyz", "").status == http.StatusOK })
	s.order(t, kitchenapi.OrderLine{DishID: 1, Quantity: 1})
}
