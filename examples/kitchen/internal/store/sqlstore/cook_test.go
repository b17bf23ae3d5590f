package sqlstore_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
	"github.com/roux-go/roux/examples/kitchen/internal/store/sqlstore"
	"github.com/roux-go/roux/examples/kitchen/internal/store/storetest"
)

// ev is the part of an event the test compares.
type ev struct {
	Seq    int64
	Kind   string
	Line   int
	Status string
}

// testCookSteps: a cook step that knows its order writes without reading
// it, and one whose order is no longer as it knows — stepped by another
// run of its job, cancelled, given another job — writes nothing of what
// it knew and reads the order instead. The clock is the test's: the soup
// is done 1s after cooking starts, the steak 3s after.
func testCookSteps[TTx any](t *testing.T, db *sqlstore.DB[TTx]) {
	ctx := t.Context()
	clock := time.UnixMilli(1_800_000_000_000)
	db.SetNow(func() time.Time { return clock })
	cu, ds := storetest.Fixture(t, db)
	lines := []store.Line{{DishID: ds[0].ID, Quantity: 1}, {DishID: ds[1].ID, Quantity: 1}} // 1 and 3 prep seconds
	// place creates an order and returns its id and its job's.
	place := func() (id, job int64) {
		t.Helper()
		o, err := db.CreateOrder(ctx, store.NewOrder{CustomerID: cu.ID, Lines: lines})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Dialect().Reader().QueryRow(ctx, "SELECT job_id FROM orders WHERE id = $1", o.ID).Scan(&job); err != nil {
			t.Fatal(err)
		}
		return o.ID, job
	}
	// step runs a step and checks what it reports.
	step := func(id, job int64, known *sqlstore.CookState, wantWait time.Duration, wantStatus string) *sqlstore.CookState {
		t.Helper()
		wait, status, now, err := db.Advance(ctx, id, job, time.Second, known)
		if err != nil || wait != wantWait || status != wantStatus {
			t.Fatalf("step: got %v, %q, %v; want %v, %q, nil", wait, status, err, wantWait, wantStatus)
		}
		return now
	}
	events := func(id int64) []ev {
		t.Helper()
		evs, err := db.Events(ctx, id, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var out []ev
		for _, e := range evs {
			out = append(out, ev{e.Seq, e.Kind, e.Line, e.Status})
		}
		return out
	}
	started := []ev{{1, "order", 0, "received"}, {2, "order", 0, "cooking"}, {3, "item", 1, "cooking"}, {4, "item", 2, "cooking"}}

	t.Run("known", func(t *testing.T) {
		start := clock
		defer func() { clock = start }()
		id, job := place()
		st1 := step(id, job, sqlstore.NewCookState([]int{1, 3}), time.Second, store.OrderCooking)
		clock = clock.Add(time.Second)
		st2 := step(id, job, st1, 2*time.Second, store.OrderCooking)
		step(id, job, st1, 2*time.Second, store.OrderCooking) // another run's state, one step behind
		clock = clock.Add(2 * time.Second)
		step(id, job, st2, 0, store.OrderReady)
		want := append(started, ev{5, "item", 1, "done"}, ev{6, "item", 2, "done"}, ev{7, "order", 0, "ready"})
		if diff := cmp.Diff(want, events(id)); diff != "" {
			t.Fatalf("events (-want +got):\n%s", diff)
		}
		o, err := db.Order(ctx, id)
		if err != nil || o.Status != store.OrderReady || o.Version != 8 || o.Items[0].Status != store.ItemDone || o.Items[1].Status != store.ItemDone {
			t.Fatalf("order: %+v, %v", o, err)
		}
	})
	t.Run("read", func(t *testing.T) {
		id, job := place()
		step(id, job, nil, time.Second, store.OrderCooking)
		if diff := cmp.Diff(started, events(id)); diff != "" {
			t.Fatalf("events (-want +got):\n%s", diff)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		start := clock
		defer func() { clock = start }()
		id, job := place()
		st := step(id, job, sqlstore.NewCookState([]int{1, 3}), time.Second, store.OrderCooking)
		cancelled, err := db.CancelOrder(ctx, id, cu.ID)
		if err != nil {
			t.Fatal(err)
		}
		clock = clock.Add(3 * time.Second)
		step(id, job, st, 0, store.OrderCancelled)
		want := append(started, ev{5, "item", 1, "cancelled"}, ev{6, "item", 2, "cancelled"}, ev{7, "order", 0, "cancelled"})
		if diff := cmp.Diff(want, events(id)); diff != "" {
			t.Fatalf("events (-want +got):\n%s", diff)
		}
		if o, err := db.Order(ctx, id); err != nil || o.Version != cancelled.Version {
			t.Fatalf("the cancelled order moved: %+v, %v", o, err)
		}
	})
	t.Run("superseded", func(t *testing.T) {
		id, job := place()
		st := step(id, job, sqlstore.NewCookState([]int{1, 3}), time.Second, store.OrderCooking)
		tx, err := db.Dialect().Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.Send(ctx, true, sqlstore.Stmt{SQL: "UPDATE orders SET job_id = job_id + 1000000 WHERE id = $1", Args: []any{id}}); err != nil {
			t.Fatal(err)
		}
		clock = clock.Add(3 * time.Second)
		step(id, job, st, 0, sqlstore.Superseded)
		if diff := cmp.Diff(started, events(id)); diff != "" {
			t.Fatalf("events (-want +got):\n%s", diff)
		}
	})
	t.Run("missing", func(t *testing.T) {
		if _, _, _, err := db.Advance(ctx, 999_999, 1, time.Second, nil); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("got %v, want store.ErrNotFound", err)
		}
	})
}
