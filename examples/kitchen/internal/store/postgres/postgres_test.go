package postgres_test

import (
	"testing"

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
