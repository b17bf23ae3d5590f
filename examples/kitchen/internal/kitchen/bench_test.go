package kitchen_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/roux-go/roux/client"

	"github.com/roux-go/roux/examples/kitchen/internal/kitchen"
	"github.com/roux-go/roux/examples/kitchen/internal/store"
	"github.com/roux-go/roux/examples/kitchen/internal/store/postgres"
	"github.com/roux-go/roux/examples/kitchen/internal/store/postgres/pgtest"
	"github.com/roux-go/roux/examples/kitchen/internal/store/sqlite"
	"github.com/roux-go/roux/examples/kitchen/kitchenapi"
)

// BenchmarkCreateOrder places orders over loopback through the typed
// client, 8 at a time, while the kitchen cooks the ones placed before,
// and reports orders per second on each backend, without and with an
// Idempotency-Key (a new one per order, as client.IdempotencyKeys
// sends them):
//
//	go test -run '^$' -bench CreateOrder -benchtime 5s ./examples/kitchen/internal/kitchen
//
// (PostgreSQL with KITCHEN_POSTGRES_URL set, as for the tests.)
func BenchmarkCreateOrder(b *testing.B) {
	for _, bb := range []struct {
		name string
		open func(b *testing.B) func(ctx context.Context) (store.Store, error)
	}{
		{"sqlite", func(b *testing.B) func(ctx context.Context) (store.Store, error) {
			path := filepath.Join(b.TempDir(), "kitchen.db")
			return func(ctx context.Context) (store.Store, error) { return sqlite.Open(path) }
		}},
		{"postgres", func(b *testing.B) func(ctx context.Context) (store.Store, error) {
			url := pgtest.URL(b)
			return func(ctx context.Context) (store.Store, error) { return postgres.Open(ctx, url) }
		}},
	} {
		for _, keyed := range []bool{false, true} {
			b.Run(fmt.Sprintf("backend=%s/key=%v", bb.name, keyed), func(b *testing.B) {
				benchmarkCreateOrder(b, bb.open(b), keyed)
			})
		}
	}
}

// benchmarkCreateOrder is BenchmarkCreateOrder on the store open opens.
func benchmarkCreateOrder(b *testing.B, open func(ctx context.Context) (store.Store, error), keyed bool) {
	// One customer places every order: no order limit.
	srv := serve(b, kitchen.New(kitchen.Config{Open: open, Seed: true, StaffKey: staffKey,
		CookUnit: 5 * time.Millisecond, Lease: 2 * time.Second, OrderLimit: -1,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	defer tr.CloseIdleConnections()
	opts := []client.Option{client.HTTPClient(&http.Client{Transport: tr, Timeout: 20 * time.Second}),
		client.Header("Authorization", "Bearer "+token)}
	if keyed {
		opts = append(opts, client.IdempotencyKeys())
	}
	c := client.New(srv.URL, opts...)
	in := &kitchenapi.CreateOrderInput{Body: kitchenapi.OrderInput{Items: []kitchenapi.OrderLine{{DishID: 1, Quantity: 2}, {DishID: 4, Quantity: 1}}}}
	b.SetParallelism(4) // 8 clients on this machine's 2 cores
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := client.Call(context.Background(), c, kitchenapi.CreateOrder, in); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "orders/s")
}
