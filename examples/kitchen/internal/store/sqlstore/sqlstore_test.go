package sqlstore_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/roux-go/roux/examples/kitchen/internal/store/postgres"
	"github.com/roux-go/roux/examples/kitchen/internal/store/postgres/pgtest"
	"github.com/roux-go/roux/examples/kitchen/internal/store/sqlite"
	"github.com/roux-go/roux/examples/kitchen/internal/store/sqlstore"
)

func TestBatches(t *testing.T) {
	t.Parallel()
	onBoth(t, testBatches, testBatches)
}

func TestCookSteps(t *testing.T) {
	t.Parallel()
	onBoth(t, testCookSteps, testCookSteps)
}

// onBoth runs test as a subtest on a fresh, migrated store of each
// backend: SQLite always, PostgreSQL when pgtest has a server.
func onBoth(t *testing.T, sqliteTest func(t *testing.T, db *sqlstore.DB[*sql.Tx]), pgTest func(t *testing.T, db *sqlstore.DB[pgx.Tx])) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		db, err := sqlite.Open(filepath.Join(t.TempDir(), "kitchen.db"))
		sqliteTest(t, migrated(t, db, err))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		db, err := postgres.Open(t.Context(), pgtest.URL(t))
		pgTest(t, migrated(t, db, err))
	})
}

// migrated returns db, opened with err, once migrated; it closes it when
// the test ends.
func migrated[TTx any](t *testing.T, db *sqlstore.DB[TTx], err error) *sqlstore.DB[TTx] {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, _, err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return db
}
