package storetest

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
)

// testWebhooks: an endpoint is set, replaced and deleted.
func testWebhooks(t *testing.T, s store.Store) {
	c := ctx(t)
	cu, _ := fixture(t, s)
	for i, want := range []bool{false, true} {
		replaced, err := s.SetWebhook(c, cu.ID, store.Webhook{URL: "https://example.com/hook", Secret: "whsec_x"})
		if err != nil || replaced != want {
			t.Fatalf("SetWebhook %d: got %v, %v; want %v, nil", i+1, replaced, err, want)
		}
	}
	if err := s.DeleteWebhook(c, cu.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteWebhook(c, cu.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second DeleteWebhook: got %v, want ErrNotFound", err)
	}
	if replaced, err := s.SetWebhook(c, cu.ID, store.Webhook{URL: "https://example.com/again", Secret: "s"}); err != nil || replaced {
		t.Fatalf("SetWebhook after DeleteWebhook: got %v, %v; want a new endpoint", replaced, err)
	}
}

// script is what a test's Deliver answers, attempt after attempt, for
// one order; an order without a script is delivered at once.
type script []error

// deliverer is a WorkConfig.Deliver that records its calls.
type deliverer struct {
	mu      sync.Mutex
	scripts map[int64]script
	calls   map[int64][]store.Delivery
}

func (d *deliverer) deliver(_ context.Context, del store.Delivery) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	id := del.Order.ID
	n := len(d.calls[id])
	d.calls[id] = append(d.calls[id], del)
	if sc := d.scripts[id]; n < len(sc) {
		return sc[n]
	}
	return nil
}

func (d *deliverer) count(id int64) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.calls[id])
}

// testDeliveries: the order of a customer with an endpoint that becomes
// ready has its message delivered, once it has an answer that is final:
// accepted, refused, or failed on its last attempt; a receiver's
// Retry-After does not count as an attempt. Orders without an endpoint,
// and cancelled ones, have none. Each outcome is counted.
func testDeliveries(t *testing.T, s store.Store) {
	c := ctx(t)
	ann, ds := fixture(t, s)
	bob := must[store.Customer](t)(s.CreateCustomer(c, "bob", "hash-bob-deliveries"))
	hook := store.Webhook{URL: "https://example.com/ann", Secret: "whsec_ann"}
	must[bool](t)(s.SetWebhook(c, ann.ID, hook))
	slow := must[store.Dish](t)(s.CreateDish(c, store.DishFields{Name: "Roast", PriceCents: 3000, Station: "oven", PrepSeconds: 1000, Available: true}))
	place := func(cu store.Customer, d store.Dish) int64 {
		return must[store.Order](t)(s.CreateOrder(c, newOrder(cu, store.Line{DishID: d.ID, Quantity: 1}))).ID
	}
	accepted, busy, refused, failing := place(ann, ds[0]), place(ann, ds[0]), place(ann, ds[0]), place(ann, ds[0])
	cancelled, bobs := place(ann, slow), place(bob, ds[0])
	must[store.Order](t)(s.CancelOrder(c, cancelled, ann.ID))
	d := &deliverer{calls: map[int64][]store.Delivery{}, scripts: map[int64]script{
		busy:    {&store.DeliveryError{Err: errors.New("503"), RetryAfter: 20 * time.Millisecond}},
		refused: {&store.DeliveryError{Err: errors.New("410"), Permanent: true}},
		failing: {errors.New("connection refused")},
	}}
	cfg := store.WorkConfig{CookUnit: time.Millisecond, Poll: 5 * time.Millisecond, RescueAfter: 10 * time.Second, // its JobTimeout (5s) is not reached by a step slowed by a loaded machine
		Deliver: d.deliver, DeliveryAttempts: 1, Logger: slog.New(slog.DiscardHandler)}
	if err := s.StartWork(c, cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.StopWork(context.Background()) })

	// Until every delivery is counted and none is left in the queue.
	want := store.Deliveries{Delivered: 2, Retried: 1, Failed: 1, Cancelled: 1}
	deadline := time.Now().Add(15 * time.Second)
	for {
		q := must[store.QueueStats](t)(s.Queue(c))
		if q.Deliveries == want && !slices.ContainsFunc(q.Waiting, func(j store.JobCount) bool { return j.Kind == store.JobDeliver }) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries %+v, want %+v; queue %+v", q.Deliveries, want, q.Waiting)
		}
		time.Sleep(10 * time.Millisecond)
	}
	waitStatus(t, s, bobs, store.OrderReady)
	for _, tt := range []struct {
		name  string
		order int64
		calls int
	}{
		{"accepted", accepted, 1},
		{"503 with Retry-After, then accepted", busy, 2},
		{"refused", refused, 1},
		{"failed on its last attempt", failing, 1},
		{"cancelled", cancelled, 0},
		{"of a customer without an endpoint", bobs, 0},
	} {
		if got := d.count(tt.order); got != tt.calls {
			t.Errorf("order %s: %d deliveries, want %d", tt.name, got, tt.calls)
		}
	}
	d.mu.Lock()
	got := d.calls[busy]
	d.mu.Unlock()
	if len(got) == 2 {
		if got[0].Endpoint != hook || got[0].MessageID != got[1].MessageID || got[0].MessageID == "" ||
			got[0].Attempt != 1 || got[1].Attempt != 1 || got[1].Order.Status != store.OrderReady || got[1].Order.ID != busy {
			t.Errorf("the deliveries of one message: %+v", got)
		}
	}
}

// testIdempotency: an order placed with an idempotency key is returned
// again for the key, for its customer, within its lifetime; the store of
// roux's keys is in the database.
func testIdempotency(t *testing.T, s store.Store) {
	c := ctx(t)
	cu, ds := fixture(t, s)
	other := must[store.Customer](t)(s.CreateCustomer(c, "bob", "hash-bob-idem"))
	keyed := func(cu store.Customer, key string, lifetime time.Duration) store.Order {
		o := newOrder(cu, store.Line{DishID: ds[0].ID, Quantity: 1})
		o.IdempotencyKey, o.KeyLifetime = key, lifetime
		return must[store.Order](t)(s.CreateOrder(c, o))
	}
	first := keyed(cu, "key-1", time.Hour)
	for _, tt := range []struct {
		name string
		got  store.Order
		same bool
	}{
		{"the same key", keyed(cu, "key-1", time.Hour), true},
		{"another key", keyed(cu, "key-2", time.Hour), false},
		{"the key of another customer", keyed(other, "key-1", time.Hour), false},
		{"a key older than its lifetime", keyed(cu, "key-1", 0), false},
	} {
		if same := tt.got.ID == first.ID; same != tt.same {
			t.Errorf("%s: order %d, first %d", tt.name, tt.got.ID, first.ID)
		}
	}
	if _, total, err := s.Orders(c, cu.ID, 10, 0); err != nil || total != 3 {
		t.Errorf("orders: %d, %v; want 3", total, err)
	}

	keys := s.Idempotency()
	e := &roux.IdempotencyEntry{Fingerprint: "f", Token: "t", Expires: time.Now().Add(time.Minute)}
	if prev, err := keys.Claim(c, "k", e); prev != nil || err != nil {
		t.Fatalf("Claim: %+v, %v", prev, err)
	}
	done := *e
	done.Done, done.Status, done.Header, done.Body = true, 202, http.Header{"Location": {"/orders/1"}}, []byte("{}")
	if err := keys.Update(c, "k", &done); err != nil {
		t.Fatal(err)
	}
	prev, err := keys.Claim(c, "k", &roux.IdempotencyEntry{Fingerprint: "f", Token: "u", Expires: time.Now().Add(time.Minute)})
	if err != nil || prev == nil {
		t.Fatalf("second Claim: %+v, %v", prev, err)
	}
	if diff := cmp.Diff(done, *prev, cmp.Comparer(func(a, b time.Time) bool { return a.UnixMilli() == b.UnixMilli() })); diff != "" {
		t.Errorf("the stored answer (-want +got):\n%s", diff)
	}
}

// testExpireKeys: the job that deletes lapsed idempotency keys runs
// every WorkConfig.ExpireKeys.
func testExpireKeys(t *testing.T, s store.Store) {
	c := ctx(t)
	cfg := store.WorkConfig{Poll: 5 * time.Millisecond, ExpireKeys: 50 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)}
	if err := s.StartWork(c, cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.StopWork(context.Background()) })
	deadline := time.Now().Add(15 * time.Second)
	for {
		q := must[store.QueueStats](t)(s.Queue(c))
		for _, r := range q.Worked {
			if r.Kind == store.JobExpire && r.Completed > 0 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no expiry job completed: %+v", q)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
