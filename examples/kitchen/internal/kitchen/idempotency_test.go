package kitchen_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/client"

	"github.com/roux-go/roux/examples/kitchen/internal/testgw"
	"github.com/roux-go/roux/examples/kitchen/kitchenapi"
)

// ordersPlaced returns how many orders the demo customer has.
func (s *server) ordersPlaced(t *testing.T) int {
	t.Helper()
	return call(t, s.demo, kitchenapi.ListOrders, &kitchenapi.ListOrdersInput{Limit: 1}).ok().Total
}

// TestIdempotentOrder: POST /orders sent again with the same
// Idempotency-Key and body gets the first answer — the same order, one
// in the store — and with another body, 422.
func TestIdempotentOrder(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b backend) {
		s := start(t, config(b.db(t)))
		const body = `{"items":[{"dish_id":1,"quantity":2},{"dish_id":4,"quantity":1}]}`
		key := []string{"Idempotency-Key", `"4f9c2b6e-order-1"`}
		first := s.do("POST", "/orders", body, append(bearer(token), key...)...)
		var o1, o2 kitchenapi.Order
		first.want(t, 202, &o1)
		retry := s.do("POST", "/orders", body, append(bearer(token), key...)...).want(t, 202, &o2)
		if o2.ID != o1.ID || !bytes.Equal(retry.body, first.body) || retry.header.Get("Location") != first.header.Get("Location") {
			t.Fatalf("the retry got order %d (%s), the first %d (%s)", o2.ID, retry.body, o1.ID, first.body)
		}
		if first.header.Get("Idempotent-Replayed") != "" || retry.header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("Idempotent-Replayed: %q then %q", first.header.Get("Idempotent-Replayed"), retry.header.Get("Idempotent-Replayed"))
		}
		if n := s.ordersPlaced(t); n != 1 {
			t.Fatalf("%d orders in the store, want 1", n)
		}

		other := s.do("POST", "/orders", `{"items":[{"dish_id":2,"quantity":1}]}`, append(bearer(token), key...)...)
		other.wantProblem(t, 422)
		var p struct{ Type string }
		other.want(t, 422, &p)
		if p.Type != roux.IdempotencyKeyReusedType {
			t.Errorf("another body with the key: problem type %q", p.Type)
		}
		s.do("POST", "/orders", body, append(bearer(token), "Idempotency-Key", `"4f9c2b6e-order-2"`)...).want(t, 202, &o2)
		if o2.ID == o1.ID {
			t.Error("another key got the same order")
		}
		s.do("POST", "/orders", body, append(bearer(token), "Idempotency-Key", `"unterminated`)...).wantProblem(t, 400)
		if n := s.ordersPlaced(t); n != 2 {
			t.Fatalf("%d orders in the store, want 2", n)
		}
	})
}

// TestIdempotentRetryOfLostAnswer: the typed client with an idempotency
// key retries a POST whose answer was lost — a gateway answered 502 after
// the kitchen had placed the order — and gets the order placed, not a
// second one.
func TestIdempotentRetryOfLostAnswer(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, b backend) {
		s := start(t, config(b.db(t)))
		gw := testgw.LoseFirst(t, s.url, http.MethodPost, "/orders")
		c := client.New(gw.URL, client.Header("Authorization", "Bearer "+token), client.IdempotencyKeys(), client.Retry(3))
		in := &kitchenapi.CreateOrderInput{Body: kitchenapi.OrderInput{Items: lines}}
		out := call(t, c, kitchenapi.CreateOrder, in).ok()
		sent, answered := gw.Seen()
		if len(sent) != 2 || sent[0].Get("Idempotency-Key") == "" || sent[1].Get("Idempotency-Key") != sent[0].Get("Idempotency-Key") ||
			answered[1].Get("Idempotent-Replayed") != "true" {
			t.Fatalf("POST /orders: %d attempts, %v; answers %v", len(sent), sent, answered)
		}
		if n := s.ordersPlaced(t); n != 1 || out.Status != http.StatusAccepted {
			t.Fatalf("%d orders in the store (answer %d, order %d), want 1", n, out.Status, out.Body.ID)
		}
		if o := s.getOrder(t, out.Body.ID); o.ID != out.Body.ID {
			t.Fatalf("order %d not found", out.Body.ID)
		}
	})
}
