package storetest

import (
	"context"
	"testing"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
)

// RunBenchmarks measures the store's hot calls, one at a time (no
// concurrency: the cost of a call, not the database's throughput): a
// two-line order created, an order read, a page of dishes read. open is
// as for RunSuite; the benchmarks migrate the store and close it.
func RunBenchmarks(b *testing.B, open func(b *testing.B) store.Store) {
	s := open(b)
	defer s.Close()
	ctx := context.Background()
	if _, _, err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	cu, err := s.CreateCustomer(ctx, "bench", "hash-bench")
	if err != nil {
		b.Fatal(err)
	}
	var ids []int64
	for _, f := range []store.DishFields{
		{Name: "Soup", PriceCents: 650, Tags: []string{"vegan", "starter"}, Station: "cold", PrepSeconds: 1, Available: true},
		{Name: "Steak", PriceCents: 2400, Tags: []string{"main"}, Station: "grill", PrepSeconds: 3, Available: true},
	} {
		d, err := s.CreateDish(ctx, f)
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	no := newOrder(cu, store.Line{DishID: ids[0], Quantity: 2}, store.Line{DishID: ids[1], Quantity: 1})
	o, err := s.CreateOrder(ctx, no)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("CreateOrder", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.CreateOrder(ctx, no); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Order", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Order(ctx, o.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Dishes", func(b *testing.B) {
		b.ReportAllocs()
		q := store.DishQuery{Tags: []string{"vegan"}, Sort: store.SortPrice, Limit: 20}
		for b.Loop() {
			if _, _, err := s.Dishes(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
	})
}
