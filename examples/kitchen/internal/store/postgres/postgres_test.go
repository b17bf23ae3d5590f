package postgres_test

import (
	"errors"
	"net"
	neturl "net/url"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
	"github.com/roux-go/roux/examples/kitchen/internal/store/postgres"
	"github.com/roux-go/roux/examples/kitchen/internal/store/postgres/pgtest"
	"github.com/roux-go/roux/examples/kitchen/internal/store/storetest"
)

func open(t *testing.T) store.Store {
	t.Helper()
	db, err := postgres.Open(t.Context(), pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestSuite(t *testing.T) {
	pgtest.URL(t) // skips without a server
	t.Parallel()
	storetest.RunSuite(t, open)
}

func TestBadURL(t *testing.T) {
	t.Parallel()
	if _, err := postgres.Open(t.Context(), "postgres://a:b@127.0.0.1:notaport/x"); err == nil {
		t.Fatal("Open accepted a malformed URL")
	}
}

func BenchmarkStore(b *testing.B) {
	storetest.RunBenchmarks(b, func(b *testing.B) store.Store {
		db, err := postgres.Open(b.Context(), pgtest.URL(b))
		if err != nil {
			b.Fatal(err)
		}
		return db
	})
}

// BenchmarkEventLatency measures how long an event written through one
// store takes to be announced to another store on the same database (two
// kitchen instances): from just before CancelOrder, whose transaction
// appends the order's "cancelled" events and which announces them once
// committed, to the second store's subscriber hearing of the order
// (LISTEN/NOTIFY). It reports the median and the 99th percentile:
//
//	go test -run '^$' -bench EventLatency -benchtime 2000x ./examples/kitchen/internal/store/postgres
func BenchmarkEventLatency(b *testing.B) {
	url := pgtest.URL(b)
	ctx := b.Context()
	var dbs [2]*postgres.DB
	for i := range dbs {
		db, err := postgres.Open(ctx, url)
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		if _, _, err := db.Migrate(ctx); err != nil {
			b.Fatal(err)
		}
		dbs[i] = db
	}
	writer, reader := dbs[0], dbs[1]
	cu, err := writer.CreateCustomer(ctx, "bench", "hash-latency")
	if err != nil {
		b.Fatal(err)
	}
	d, err := writer.CreateDish(ctx, store.DishFields{Name: "Soup", PriceCents: 650, Station: "cold", PrepSeconds: 1, Available: true})
	if err != nil {
		b.Fatal(err)
	}
	heard := make(chan int64, 16)
	defer reader.Subscribe(func(id int64) { heard <- id })()
	no := store.NewOrder{CustomerID: cu.ID, Lines: []store.Line{{DishID: d.ID, Quantity: 1}}}
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	for b.Loop() {
		o, err := writer.CreateOrder(ctx, no)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if _, err := writer.CancelOrder(ctx, o.ID, cu.ID); err != nil {
			b.Fatal(err)
		}
		for id := range heard {
			if id == o.ID {
				break
			}
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// TestUnavailable: the errors of a server that refuses connections —
// its database's CONNECTION LIMIT reached (53300), or nothing listening —
// are the store's Unavailable; the store's own errors and a bad
// statement are not.
func TestUnavailable(t *testing.T) {
	t.Parallel()
	url, name := pgtest.Database(t)
	pgtest.Exec(t, "ALTER DATABASE "+name+" CONNECTION LIMIT 0")
	db, err := postgres.Open(t.Context(), url) // it connects when asked to
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	refused := db.Ping(t.Context())
	if pe := (*pgconn.PgError)(nil); !errors.As(refused, &pe) || pe.Code != "53300" {
		t.Fatalf("Ping with CONNECTION LIMIT 0: got %v, want SQLSTATE 53300", refused)
	}
	u, err := neturl.Parse(url)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = closedPort(t)
	nobody, err := postgres.Open(t.Context(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nobody.Close() })
	unreachable := nobody.Ping(t.Context())
	pgtest.Exec(t, "ALTER DATABASE "+name+" CONNECTION LIMIT -1")
	_, badStatement := db.Dialect().Reader().Exec(t.Context(), "SELEKT 1")
	storetest.CheckUnavailable(t, db,
		storetest.Classified{Name: "connection limit", Err: refused, Unavailable: true},
		storetest.Classified{Name: "nothing listening", Err: unreachable, Unavailable: true},
		storetest.Classified{Name: "bad statement", Err: badStatement})
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}
