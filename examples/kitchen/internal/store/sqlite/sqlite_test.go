package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
	"github.com/roux-go/roux/examples/kitchen/internal/store/sqlite"
	"github.com/roux-go/roux/examples/kitchen/internal/store/storetest"
)

func open(t *testing.T) store.Store {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "kitchen.db"))
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestSuite(t *testing.T) {
	t.Parallel()
	storetest.RunSuite(t, open)
}

// TestReopen: what was committed is there when the file is opened again,
// and the schema is not migrated twice.
func TestReopen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "kitchen.db")
	ctx := context.Background()
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	d, err := db.CreateDish(ctx, store.DishFields{Name: "Soup", PriceCents: 100, Station: "cold", Available: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	from, to, err := db.Migrate(ctx)
	if err != nil || from != to || from == 0 {
		t.Fatalf("Migrate on reopen: %d, %d, %v", from, to, err)
	}
	got, err := db.Dish(ctx, d.ID)
	if err != nil || got.Name != "Soup" {
		t.Fatalf("after reopen: %+v %v", got, err)
	}
}

func TestBadPath(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"", "a?b", "x#y"} {
		if _, err := sqlite.Open(p); err == nil {
			t.Errorf("Open(%q) succeeded", p)
		}
	}
}

func BenchmarkStore(b *testing.B) {
	storetest.RunBenchmarks(b, func(b *testing.B) store.Store {
		db, err := sqlite.Open(filepath.Join(b.TempDir(), "kitchen.db"))
		if err != nil {
			b.Fatal(err)
		}
		return db
	})
}

// TestUnavailable: SQLITE_BUSY — the file's write lock held by another
// connection past the busy timeout — is the store's Unavailable; the
// store's own errors and a bad statement are not.
func TestUnavailable(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "kitchen.db")
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	// Two connections of another process's, without a busy timeout: the
	// second cannot take the write lock the first holds.
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	holder, err := other.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if _, err := holder.ExecContext(t.Context(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer holder.ExecContext(context.Background(), "ROLLBACK")
	_, busy := other.ExecContext(t.Context(), "BEGIN IMMEDIATE")
	_, badStatement := other.ExecContext(t.Context(), "SELEKT 1")
	storetest.CheckUnavailable(t, db,
		storetest.Classified{Name: "busy", Err: busy, Unavailable: true},
		storetest.Classified{Name: "bad statement", Err: badStatement})
}
