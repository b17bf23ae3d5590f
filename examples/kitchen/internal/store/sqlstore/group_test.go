package sqlstore_test

import (
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/roux-go/roux/examples/kitchen/internal/store/sqlite"
	"github.com/roux-go/roux/examples/kitchen/internal/store/sqlstore"
)

// TestOrderedWriteLost: an ordered write of the group writer is answered
// before its transaction commits; when that commit fails, the writer
// stops — every later write fails, and Ping — since a write that depends
// on the lost one may have been handed to it since. A write answered
// after its commit loses nothing answered: the writer goes on.
func TestOrderedWriteLost(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		ordered bool
		wantErr bool // from the write whose commit fails
		stops   bool
	}{
		{"ordered", true, false, true},
		{"committed", false, true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			db, err := sqlite.Open(filepath.Join(t.TempDir(), "kitchen.db"))
			db = migrated(t, db, err)
			exec := func(query string, args ...any) func(tx sqlstore.Tx[*sql.Tx]) error {
				return func(tx sqlstore.Tx[*sql.Tx]) error { _, err := tx.Exec(ctx, query, args...); return err }
			}
			// A deferred foreign key fails the COMMIT, not the statement.
			for _, stmt := range []string{
				"CREATE TABLE parent (id INTEGER PRIMARY KEY)",
				"CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)",
			} {
				if err := db.GroupWrite(ctx, false, exec(stmt)); err != nil {
					t.Fatal(err)
				}
			}
			err = db.GroupWrite(ctx, tt.ordered, exec("INSERT INTO child (id, parent_id) VALUES (1, 99)"))
			if (err != nil) != tt.wantErr {
				t.Fatalf("the write whose commit fails: got %v, want an error: %v", err, tt.wantErr)
			}
			var n int
			if err := db.Dialect().Reader().QueryRow(ctx, "SELECT count(*) FROM child").Scan(&n); err != nil || n != 0 {
				t.Fatalf("%d rows of the failed commit kept (%v), want 0", n, err)
			}
			// The ordered write's transaction may still be open: the next
			// write may share its failed commit.
			later := db.GroupWrite(ctx, false, exec("INSERT INTO parent (id) VALUES (1)"))
			if !tt.stops {
				if err := errors.Join(later, db.Ping(ctx)); err != nil {
					t.Errorf("after a failed commit that lost nothing answered: %v", err)
				}
				return
			}
			if later == nil {
				t.Error("a write after the lost ordered one succeeded")
			}
			for what, err := range map[string]error{
				"a write":          db.GroupWrite(ctx, false, exec("INSERT INTO parent (id) VALUES (2)")),
				"an ordered write": db.GroupWrite(ctx, true, exec("INSERT INTO parent (id) VALUES (3)")),
				"Ping":             db.Ping(ctx),
			} {
				if err == nil || !strings.Contains(err.Error(), "writing stopped") || !strings.Contains(err.Error(), "FOREIGN KEY") {
					t.Errorf("%s: got %v, want the writer stopped, for the foreign key", what, err)
				}
			}
			if err := db.Dialect().Reader().QueryRow(ctx, "SELECT count(*) FROM parent").Scan(&n); err != nil || n != 0 {
				t.Errorf("%d rows written after the lost write (%v), want 0", n, err)
			}
		})
	}
}
