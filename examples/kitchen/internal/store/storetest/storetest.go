// Package storetest is the conformance suite every [store.Store] must
// pass: the SQLite and PostgreSQL stores run the same tests.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
)

// RunSuite runs the suite. open must return a new, empty store of its
// own for each call (a fresh file, a fresh schema), not yet migrated; the
// suite migrates it and closes it.
func RunSuite(t *testing.T, open func(t *testing.T) store.Store) {
	for _, tt := range []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Migrate", testMigrate},
		{"DishCRUD", testDishCRUD},
		{"DishQuery", testDishQuery},
		{"ConcurrentUpdates", testConcurrentUpdates},
		{"Customers", testCustomers},
		{"Orders", testOrders},
		{"OrderProgress", testOrderProgress},
		{"Cancel", testCancel},
		{"Restart", testRestart},
		{"ConcurrentOrders", testConcurrentOrders},
		{"Queue", testQueue},
		{"Webhooks", testWebhooks},
		{"Deliveries", testDeliveries},
		{"Idempotency", testIdempotency},
		{"ExpireKeys", testExpireKeys},
		{"CloseTwice", testCloseTwice},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			t.Cleanup(func() { s.Close() })
			if tt.name != "Migrate" {
				if _, _, err := s.Migrate(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			tt.fn(t, s)
		})
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

func must[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func testMigrate(t *testing.T, s store.Store) {
	from, to, err := s.Migrate(ctx(t))
	if err != nil || from != 0 || to < 1 {
		t.Fatalf("first Migrate: got %d, %d, %v; want 0, >=1, nil", from, to, err)
	}
	from2, to2, err := s.Migrate(ctx(t))
	if err != nil || from2 != to || to2 != to {
		t.Fatalf("second Migrate: got %d, %d, %v; want %d, %d, nil", from2, to2, err, to, to)
	}
	if err := s.Ping(ctx(t)); err != nil {
		t.Fatal(err)
	}
}

func soup() store.DishFields {
	return store.DishFields{Name: "Soup", Description: "Hot", PriceCents: 650, Tags: []string{"vegan", "starter", "vegan"},
		Station: "cold", PrepSeconds: 2, Available: true}
}

func testDishCRUD(t *testing.T, s store.Store) {
	c := ctx(t)
	d := must[store.Dish](t)(s.CreateDish(c, soup()))
	if d.ID == 0 || d.Version != 1 || d.CreatedAt.IsZero() {
		t.Fatalf("created %+v", d)
	}
	if diff := cmp.Diff([]string{"starter", "vegan"}, d.Tags); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	got := must[store.Dish](t)(s.Dish(c, d.ID))
	if diff := cmp.Diff(d, got); diff != "" {
		t.Errorf("Dish (-created +read):\n%s", diff)
	}
	f := soup()
	f.Name, f.Tags, f.Available = "Cold soup", nil, false
	up := must[store.Dish](t)(s.UpdateDish(c, d.ID, 1, f))
	if up.Version != 2 || up.Name != "Cold soup" || len(up.Tags) != 0 || up.Available {
		t.Fatalf("updated %+v", up)
	}
	var ve *store.VersionError
	if _, err := s.UpdateDish(c, d.ID, 1, f); !errors.As(err, &ve) || ve.Current != 2 || !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale update: got %v, want a VersionError at 2", err)
	}
	if _, err := s.UpdateDish(c, d.ID, 0, f); err != nil {
		t.Fatalf("unconditional update: %v", err)
	}
	if _, err := s.UpdateDish(c, 999999, 0, f); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("update of a missing dish: got %v", err)
	}
	if err := s.DeleteDish(c, d.ID, 1); !errors.As(err, &ve) || ve.Current != 3 {
		t.Fatalf("stale delete: got %v", err)
	}
	if err := s.DeleteDish(c, d.ID, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Dish(c, d.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted dish: got %v", err)
	}
	if err := s.DeleteDish(c, d.ID, 0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second delete: got %v", err)
	}
}

func testDishQuery(t *testing.T, s store.Store) {
	c := ctx(t)
	for i, spec := range []struct {
		name  string
		price int64
		tags  []string
		avail bool
	}{
		{"Alpha", 500, []string{"vegan", "starter"}, true},
		{"Bravo", 1500, []string{"main"}, true},
		{"Charlie", 900, []string{"vegan", "main"}, true},
		{"Delta", 300, []string{"dessert"}, false},
		{"Echo", 1200, []string{"vegan", "main", "spicy"}, true},
	} {
		f := store.DishFields{Name: spec.name, PriceCents: spec.price, Tags: spec.tags, Station: "grill", Available: spec.avail}
		if d := must[store.Dish](t)(s.CreateDish(c, f)); d.ID != int64(i+1) {
			t.Fatalf("ids: got %d, want %d", d.ID, i+1)
		}
	}
	yes := true
	for _, tt := range []struct {
		name  string
		q     store.DishQuery
		want  []string
		total int
	}{
		{"all", store.DishQuery{Limit: 10}, []string{"Alpha", "Bravo", "Charlie", "Delta", "Echo"}, 5},
		{"page", store.DishQuery{Limit: 2, Offset: 2}, []string{"Charlie", "Delta"}, 5},
		{"past the end", store.DishQuery{Limit: 2, Offset: 10}, []string{}, 5},
		{"tag", store.DishQuery{Tags: []string{"vegan"}, Limit: 10}, []string{"Alpha", "Charlie", "Echo"}, 3},
		{"tags", store.DishQuery{Tags: []string{"vegan", "main"}, Limit: 10}, []string{"Charlie", "Echo"}, 2},
		{"unknown tag", store.DishQuery{Tags: []string{"none"}, Limit: 10}, []string{}, 0},
		{"price range", store.DishQuery{MinPrice: 500, MaxPrice: 1200, Limit: 10}, []string{"Alpha", "Charlie", "Echo"}, 3},
		{"min price", store.DishQuery{MinPrice: 1000, Limit: 10}, []string{"Bravo", "Echo"}, 2},
		{"available", store.DishQuery{Available: &yes, Limit: 10}, []string{"Alpha", "Bravo", "Charlie", "Echo"}, 4},
		{"by price", store.DishQuery{Sort: store.SortPrice, Limit: 10}, []string{"Delta", "Alpha", "Charlie", "Echo", "Bravo"}, 5},
		{"by price desc", store.DishQuery{Sort: store.SortPriceDesc, Limit: 3}, []string{"Bravo", "Echo", "Charlie"}, 5},
		{"by name desc", store.DishQuery{Sort: store.SortNameDesc, Limit: 2}, []string{"Echo", "Delta"}, 5},
		{"by id desc", store.DishQuery{Sort: store.SortIDDesc, Limit: 1}, []string{"Echo"}, 5},
		{"everything", store.DishQuery{Tags: []string{"main"}, MaxPrice: 1400, Sort: store.SortPriceDesc, Limit: 1}, []string{"Echo"}, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ds, total, err := s.Dishes(c, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			names := []string{}
			for _, d := range ds {
				names = append(names, d.Name)
			}
			if diff := cmp.Diff(tt.want, names); diff != "" || total != tt.total {
				t.Errorf("got %v total %d, want %v total %d", names, total, tt.want, tt.total)
			}
		})
	}
	ds, _, _ := s.Dishes(c, store.DishQuery{Tags: []string{"spicy"}, Limit: 1})
	if len(ds) != 1 || !slices.Equal(ds[0].Tags, []string{"main", "spicy", "vegan"}) {
		t.Errorf("tags of a listed dish: got %+v", ds)
	}
}

// testConcurrentUpdates: writers racing on one version — exactly one
// wins; writers that retry on conflict all get through, none lost.
func testConcurrentUpdates(t *testing.T, s store.Store) {
	c := ctx(t)
	d := must[store.Dish](t)(s.CreateDish(c, soup()))
	const n = 8
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			f := soup()
			f.PriceCents++
			_, err := s.UpdateDish(c, d.ID, 1, f)
			switch {
			case err == nil:
				wins.Add(1)
			case !errors.Is(err, store.ErrConflict):
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d updates of version 1 won, want 1", wins.Load())
	}
	for range n {
		wg.Go(func() {
			for range 100 {
				cur, err := s.Dish(c, d.ID)
				if err != nil {
					t.Error(err)
					return
				}
				f := cur.DishFields
				f.PriceCents++
				if _, err = s.UpdateDish(c, d.ID, cur.Version, f); err == nil {
					return
				}
				if !errors.Is(err, store.ErrConflict) {
					t.Error(err)
					return
				}
			}
			t.Error("no update got through in 100 tries")
		})
	}
	wg.Wait()
	got := must[store.Dish](t)(s.Dish(c, d.ID))
	if got.PriceCents != 651+n || got.Version != 2+n {
		t.Fatalf("after %d read-modify-writes: price %d version %d, want %d and %d", n, got.PriceCents, got.Version, 651+n, 2+n)
	}
}

func testCustomers(t *testing.T, s store.Store) {
	c := ctx(t)
	ann := must[store.Customer](t)(s.CreateCustomer(c, "ann", "hash-ann"))
	bob := must[store.Customer](t)(s.CreateCustomer(c, "bob", "hash-bob"))
	if ann.ID == bob.ID || ann.ID == 0 {
		t.Fatalf("ids %d %d", ann.ID, bob.ID)
	}
	if got := must[store.Customer](t)(s.CustomerByToken(c, "hash-bob")); got != bob {
		t.Fatalf("got %+v, want %+v", got, bob)
	}
	if _, err := s.CustomerByToken(c, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown token: got %v", err)
	}
	if _, err := s.CreateCustomer(c, "eve", "hash-ann"); err == nil {
		t.Fatal("a second customer with the same token hash was accepted")
	}
}

// Fixture makes a customer and three dishes in s: a soup (1 prep
// second), a steak (3) and a pie that is not available.
func Fixture(t *testing.T, s store.Store) (store.Customer, []store.Dish) {
	t.Helper()
	return fixture(t, s)
}

// fixture makes a customer and three dishes, the third unavailable.
func fixture(t *testing.T, s store.Store) (store.Customer, []store.Dish) {
	c := ctx(t)
	cu := must[store.Customer](t)(s.CreateCustomer(c, "ann", fmt.Sprint("hash-", time.Now().UnixNano())))
	var ds []store.Dish
	for i, f := range []store.DishFields{
		{Name: "Soup", PriceCents: 650, Station: "cold", PrepSeconds: 1, Available: true},
		{Name: "Steak", PriceCents: 2400, Station: "grill", PrepSeconds: 3, Available: true},
		{Name: "Pie", PriceCents: 500, Station: "pastry", PrepSeconds: 1, Available: false},
	} {
		d := must[store.Dish](t)(s.CreateDish(c, f))
		if d.ID == 0 {
			t.Fatalf("dish %d has no id", i)
		}
		ds = append(ds, d)
	}
	return cu, ds
}

func newOrder(cu store.Customer, lines ...store.Line) store.NewOrder {
	return store.NewOrder{CustomerID: cu.ID, Note: "no onions", Lines: lines}
}

func testOrders(t *testing.T, s store.Store) {
	c := ctx(t)
	cu, ds := fixture(t, s)
	o := must[store.Order](t)(s.CreateOrder(c, newOrder(cu, store.Line{DishID: ds[1].ID, Quantity: 2}, store.Line{DishID: ds[0].ID, Quantity: 1})))
	want := []store.Item{
		{Line: 1, DishID: ds[1].ID, Name: "Steak", UnitPriceCents: 2400, Quantity: 2, Station: "grill", PrepSeconds: 3, Status: store.ItemQueued},
		{Line: 2, DishID: ds[0].ID, Name: "Soup", UnitPriceCents: 650, Quantity: 1, Station: "cold", PrepSeconds: 1, Status: store.ItemQueued},
	}
	if diff := cmp.Diff(want, o.Items); diff != "" || o.Status != store.OrderReceived || o.Note != "no onions" || o.CustomerID != cu.ID {
		t.Fatalf("created %+v; items (-want +got):\n%s", o, diff)
	}
	got := must[store.Order](t)(s.Order(c, o.ID))
	if diff := cmp.Diff(o, got); diff != "" {
		t.Fatalf("Order (-created +read):\n%s", diff)
	}
	evs := must[[]store.Event](t)(s.Events(c, o.ID, 0, 10))
	if len(evs) != 1 || evs[0].Seq != 1 || evs[0].Kind != store.EventOrder || evs[0].Status != store.OrderReceived {
		t.Fatalf("events: %+v", evs)
	}
	var de *store.DishError
	if _, err := s.CreateOrder(c, newOrder(cu, store.Line{DishID: ds[0].ID, Quantity: 1}, store.Line{DishID: 999999, Quantity: 1})); !errors.As(err, &de) || de.Line != 1 || de.Reason != "does not exist" {
		t.Fatalf("missing dish: got %v", err)
	}
	if _, err := s.CreateOrder(c, newOrder(cu, store.Line{DishID: ds[2].ID, Quantity: 1})); !errors.As(err, &de) || de.Line != 0 || de.Reason != "is not available" {
		t.Fatalf("unavailable dish: got %v", err)
	}
	// The order keeps its copy of a dish that changes or goes away.
	if err := s.DeleteDish(c, ds[0].ID, 0); err != nil {
		t.Fatal(err)
	}
	got = must[store.Order](t)(s.Order(c, o.ID))
	if it := got.Items[1]; it.DishID != 0 || it.Name != "Soup" || it.UnitPriceCents != 650 {
		t.Fatalf("item of a deleted dish: %+v", it)
	}
	o2 := must[store.Order](t)(s.CreateOrder(c, newOrder(cu, store.Line{DishID: ds[1].ID, Quantity: 1})))
	other := must[store.Customer](t)(s.CreateCustomer(c, "bob", "hash-bob-orders"))
	list, total, err := s.Orders(c, cu.ID, 10, 0)
	if err != nil || total != 2 || len(list) != 2 || list[0].ID != o2.ID || list[1].ID != o.ID || len(list[1].Items) != 2 {
		t.Fatalf("Orders: got %d %+v %v", total, list, err)
	}
	if list, total, _ := s.Orders(c, cu.ID, 1, 1); total != 2 || len(list) != 1 || list[0].ID != o.ID {
		t.Fatalf("second page: got %d %+v", total, list)
	}
	if list, total, _ := s.Orders(c, other.ID, 10, 0); total != 0 || len(list) != 0 {
		t.Fatalf("another customer's orders: got %d %+v", total, list)
	}
	if _, err := s.Order(c, 999999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing order: got %v", err)
	}
}

// work starts the store's work with a fast kitchen: a prep second
// lasts unit. It stops when the test ends.
func work(t *testing.T, s store.Store, unit time.Duration) {
	t.Helper()
	cfg := store.WorkConfig{CookUnit: unit, Poll: 5 * time.Millisecond, RescueAfter: 10 * time.Second, // its JobTimeout (5s) is not reached by a step slowed by a loaded machine
		Logger: slog.New(slog.DiscardHandler)}
	if err := s.StartWork(ctx(t), cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.StopWork(ctx(t)); err != nil {
			t.Error(err)
		}
	})
}

// waitStatus polls order id until it has status, failing after a
// deadline.
func waitStatus(t *testing.T, s store.Store, id int64, status string) store.Order {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		o, err := s.Order(ctx(t), id)
		if err != nil {
			t.Fatal(err)
		}
		if o.Status == status {
			return o
		}
		if time.Now().After(deadline) {
			t.Fatalf("order %d is %s after 15s, want %s", id, o.Status, status)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// ev is the part of an event the tests compare.
type ev struct {
	Seq    int64
	Kind   string
	Line   int
	Status string
}

func events(t *testing.T, s store.Store, id, after int64) []ev {
	t.Helper()
	var out []ev
	for _, e := range must[[]store.Event](t)(s.Events(ctx(t), id, after, 100)) {
		out = append(out, ev{e.Seq, e.Kind, e.Line, e.Status})
		if e.OrderID != id || e.At.IsZero() {
			t.Errorf("event %+v", e)
		}
	}
	return out
}

// testOrderProgress: the work cooks an order to the end, each line done
// after its preparation time, the events in commit order.
func testOrderProgress(t *testing.T, s store.Store) {
	c := ctx(t)
	cu, ds := fixture(t, s)
	// Steak (3 prep seconds) on line 1 is done after Soup (1) on line 2.
	o := must[store.Order](t)(s.CreateOrder(c, newOrder(cu, store.Line{DishID: ds[1].ID, Quantity: 1}, store.Line{DishID: ds[0].ID, Quantity: 1})))
	const unit = 20 * time.Millisecond
	start := time.Now()
	work(t, s, unit)
	got := waitStatus(t, s, o.ID, store.OrderReady)
	if took := time.Since(start); took < 3*unit {
		t.Errorf("ready after %v, before the steak's %v", took, 3*unit)
	}
	if got.Items[0].Status != store.ItemDone || got.Items[1].Status != store.ItemDone || got.Version != o.Version+6 {
		t.Fatalf("finished order: %+v (created at version %d)", got, o.Version)
	}
	want := []ev{{1, "order", 0, "received"}, {2, "order", 0, "cooking"}, {3, "item", 1, "cooking"}, {4, "item", 2, "cooking"},
		{5, "item", 2, "done"}, {6, "item", 1, "done"}, {7, "order", 0, "ready"}}
	if diff := cmp.Diff(want, events(t, s, o.ID, 0)); diff != "" {
		t.Fatalf("events (-want +got):\n%s", diff)
	}
	if evs := must[[]store.Event](t)(s.Events(c, o.ID, 5, 1)); len(evs) != 1 || evs[0].Seq != 6 {
		t.Fatalf("Events after 5, limit 1: %+v", evs)
	}
	if evs := must[[]store.Event](t)(s.Events(c, o.ID, 7, 10)); len(evs) != 0 {
		t.Fatalf("Events after the last: %+v", evs)
	}
	if err := s.StartWork(c, store.WorkConfig{}); err == nil {
		t.Error("a second StartWork succeeded")
	}
}

// testCancel: a cancellation stops the cooking — nothing moves the order
// on after it — and cancels the lines not done.
func testCancel(t *testing.T, s store.Store) {
	c := ctx(t)
	cu, ds := fixture(t, s)
	slow := must[store.Dish](t)(s.CreateDish(c, store.DishFields{Name: "Roast", PriceCents: 3000, Station: "oven", PrepSeconds: 100, Available: true}))
	o := must[store.Order](t)(s.CreateOrder(c, newOrder(cu, store.Line{DishID: ds[0].ID, Quantity: 1}, store.Line{DishID: slow.ID, Quantity: 1})))
	const unit = 10 * time.Millisecond // the soup in 10ms, the roast in 1s
	work(t, s, unit)
	for {
		if got := must[store.Order](t)(s.Order(c, o.ID)); got.Items[0].Status == store.ItemDone {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := s.CancelOrder(c, o.ID, cu.ID+1000); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("cancel by another customer: got %v", err)
	}
	got := must[store.Order](t)(s.CancelOrder(c, o.ID, cu.ID))
	if got.Status != store.OrderCancelled || got.Items[0].Status != store.ItemDone || got.Items[1].Status != store.ItemCancelled {
		t.Fatalf("cancelled: %+v", got)
	}
	if diff := cmp.Diff([]ev{{6, "item", 2, "cancelled"}, {7, "order", 0, "cancelled"}}, events(t, s, o.ID, 5)); diff != "" {
		t.Fatalf("cancel events (-want +got):\n%s", diff)
	}
	var se *store.StatusError
	if _, err := s.CancelOrder(c, o.ID, 0); !errors.As(err, &se) || se.Status != store.OrderCancelled {
		t.Fatalf("second cancel: got %v", err)
	}
	// Past the roast's time, nothing has moved.
	time.Sleep(150 * unit)
	if after := must[store.Order](t)(s.Order(c, o.ID)); after.Version != got.Version || after.Status != store.OrderCancelled {
		t.Fatalf("the order moved after its cancellation: %+v", after)
	}
	if _, err := s.CancelOrder(c, 999999, 0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("cancel of a missing order: got %v", err)
	}
}

// testRestart: work stopped while an order cooks — as at a shutdown —
// leaves the order as it was, and work started again finishes it.
func testRestart(t *testing.T, s store.Store) {
	c := ctx(t)
	cu, ds := fixture(t, s)
	o := must[store.Order](t)(s.CreateOrder(c, newOrder(cu, store.Line{DishID: ds[0].ID, Quantity: 1}, store.Line{DishID: ds[1].ID, Quantity: 1})))
	const unit = 100 * time.Millisecond // the soup in 100ms, the steak in 300ms
	cfg := store.WorkConfig{CookUnit: unit, Poll: 5 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)}
	if err := s.StartWork(c, cfg); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, s, o.ID, store.OrderCooking)
	if err := s.StopWork(c); err != nil {
		t.Fatal(err)
	}
	time.Sleep(4 * unit)
	if got := must[store.Order](t)(s.Order(c, o.ID)); got.Status != store.OrderCooking {
		t.Fatalf("stopped work moved the order on: %+v", got)
	}
	work(t, s, unit)
	waitStatus(t, s, o.ID, store.OrderReady)
}

// testCloseTwice: Close may be called again — by a shutdown hook after
// an error path closed the store, say — and returns nil, whether work
// was started or not; the store then refuses to read.
func testCloseTwice(t *testing.T, s store.Store) {
	c := ctx(t)
	cfg := store.WorkConfig{CookUnit: time.Millisecond, Poll: 5 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)}
	if err := s.StartWork(c, cfg); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("first Close: %v", err)
	}
	for i := range 2 {
		if err := s.Close(); err != nil {
			t.Fatalf("Close again (%d): got %v, want nil", i+1, err)
		}
	}
	if err := s.Ping(c); err == nil {
		t.Error("Ping after Close succeeded")
	}
}

// testConcurrentOrders: orders placed at once — which the SQLite store
// commits together — each succeed or fail on their own: a failing one
// leaves no trace, the others are whole and queued.
func testConcurrentOrders(t *testing.T, s store.Store) {
	c := ctx(t)
	cu, ds := fixture(t, s)
	const n = 40
	ids := make([]int64, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			lines := []store.Line{{DishID: ds[0].ID, Quantity: 1 + i%3}, {DishID: ds[1].ID, Quantity: 1}}
			if i%5 == 0 {
				lines = append(lines, store.Line{DishID: ds[2].ID, Quantity: 1}) // not available
			}
			o, err := s.CreateOrder(c, newOrder(cu, lines...))
			ids[i], errs[i] = o.ID, err
		})
	}
	wg.Wait()
	placed := 0
	for i := range n {
		var de *store.DishError
		if i%5 == 0 {
			if !errors.As(errs[i], &de) || de.Line != 2 || de.DishID != ds[2].ID {
				t.Errorf("order %d: got %v, want a DishError for line 2", i, errs[i])
			}
			continue
		}
		if errs[i] != nil {
			t.Fatalf("order %d: %v", i, errs[i])
		}
		placed++
		o := must[store.Order](t)(s.Order(c, ids[i]))
		if len(o.Items) != 2 || o.Items[0].Quantity != 1+i%3 || o.Status != store.OrderReceived || o.Version != 2 {
			t.Errorf("order %d: %+v", i, o)
		}
		if diff := cmp.Diff([]ev{{1, "order", 0, "received"}}, events(t, s, ids[i], 0)); diff != "" {
			t.Errorf("order %d's events (-want +got):\n%s", i, diff)
		}
	}
	_, total, err := s.Orders(c, cu.ID, 100, 0)
	if err != nil || total != placed {
		t.Fatalf("%d orders stored (%v), want %d", total, err, placed)
	}
	q := must[store.QueueStats](t)(s.Queue(c))
	if diff := cmp.Diff([]store.JobCount{{Kind: "cook_order", State: "available", N: int64(placed)}}, q.Waiting); diff != "" {
		t.Errorf("the queue (-want +got):\n%s", diff)
	}
}

// testQueue: the queue's depth is the jobs not finished; once worked,
// they count as completed by this process.
func testQueue(t *testing.T, s store.Store) {
	c := ctx(t)
	cu, ds := fixture(t, s)
	q := must[store.QueueStats](t)(s.Queue(c))
	if len(q.Waiting) != 0 || len(q.Worked) != 0 {
		t.Fatalf("an empty queue: %+v", q)
	}
	var ids []int64
	for range 3 {
		ids = append(ids, must[store.Order](t)(s.CreateOrder(c, newOrder(cu, store.Line{DishID: ds[0].ID, Quantity: 1}))).ID)
	}
	q = must[store.QueueStats](t)(s.Queue(c))
	if diff := cmp.Diff([]store.JobCount{{Kind: "cook_order", State: "available", N: 3}}, q.Waiting); diff != "" {
		t.Fatalf("three orders queued (-want +got):\n%s", diff)
	}
	work(t, s, time.Millisecond)
	for _, id := range ids {
		waitStatus(t, s, id, store.OrderReady)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		q = must[store.QueueStats](t)(s.Queue(c))
		if len(q.Waiting) == 0 && cmp.Equal([]store.JobRuns{{Kind: "cook_order", Completed: 3}}, q.Worked) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after cooking: %+v, want an empty queue and 3 completed", q)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Classified is an error a backend's test makes and whether the store's
// Unavailable is to say that it means the database cannot take the
// request now.
type Classified struct {
	Name        string
	Err         error
	Unavailable bool
}

// CheckUnavailable checks s.Unavailable on each of errs, then on a
// deadline that passed (as one does while a request waits for a pool's
// connection), which is unavailable, and on the store's own errors and
// nil, which are not.
func CheckUnavailable(t *testing.T, s store.Store, errs ...Classified) {
	t.Helper()
	deadline, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	<-deadline.Done()
	errs = append(errs, Classified{"deadline", fmt.Errorf("waiting for a connection: %w", deadline.Err()), true},
		Classified{"cancelled", context.Canceled, false},
		Classified{"not found", store.ErrNotFound, false},
		Classified{"version", &store.VersionError{Current: 2}, false}, Classified{"nil", nil, false})
	for _, e := range errs {
		if e.Unavailable && e.Err == nil {
			t.Errorf("%s: no error", e.Name)
			continue
		}
		if got := s.Unavailable(e.Err); got != e.Unavailable {
			t.Errorf("%s: Unavailable(%v) = %v, want %v", e.Name, e.Err, got, e.Unavailable)
		}
	}
}
