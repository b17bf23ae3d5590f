package sqlstore_test

import (
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

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

// TestOrderedWritesLinger: a transaction that holds only ordered writes
// is left open for the writes that follow, which commit it with theirs;
// it commits alone once it has lingered, and when the store closes.
func TestOrderedWritesLinger(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		linger time.Duration
		then   func(t *testing.T, db *sqlstore.DB[*sql.Tx], closeDB func() error, path string) int // the rows committed after it
		want   int
	}{
		{"a write that follows commits it", time.Hour, func(t *testing.T, db *sqlstore.DB[*sql.Tx], closeDB func() error, path string) int {
			if n := parents(t, db); n != 0 {
				t.Errorf("%d rows committed before the next write, want 0", n)
			}
			if err := db.GroupWrite(t.Context(), false, insertParent(t, 2)); err != nil {
				t.Fatal(err)
			}
			return parents(t, db)
		}, 2},
		{"it commits once it has lingered", time.Millisecond, func(t *testing.T, db *sqlstore.DB[*sql.Tx], closeDB func() error, path string) int {
			deadline := time.Now().Add(5 * time.Second)
			for parents(t, db) == 0 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			return parents(t, db)
		}, 1},
		{"closing commits it", time.Hour, func(t *testing.T, db *sqlstore.DB[*sql.Tx], closeDB func() error, path string) int {
			if err := closeDB(); err != nil {
				t.Fatal(err)
			}
			again, err := sqlite.Open(path)
			return parents(t, migrated(t, again, err))
		}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "kitchen.db")
			db, err := sqlite.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			var once sync.Once
			closeDB := func() (err error) {
				once.Do(func() { err = db.Close() })
				return err
			}
			t.Cleanup(func() { closeDB() })
			if _, _, err := db.Migrate(t.Context()); err != nil {
				t.Fatal(err)
			}
			if err := db.GroupWrite(t.Context(), false, func(tx sqlstore.Tx[*sql.Tx]) error {
				_, err := tx.Exec(t.Context(), "CREATE TABLE parent (id INTEGER PRIMARY KEY)")
				return err
			}); err != nil {
				t.Fatal(err)
			}
			db.SetLinger(tt.linger)
			if err := db.GroupWrite(t.Context(), true, insertParent(t, 1)); err != nil {
				t.Fatal(err)
			}
			if n := tt.then(t, db, closeDB, path); n != tt.want {
				t.Errorf("%d rows committed, want %d", n, tt.want)
			}
		})
	}
}

// insertParent is a write of row id of the table parent.
func insertParent(t *testing.T, id int) func(tx sqlstore.Tx[*sql.Tx]) error {
	return func(tx sqlstore.Tx[*sql.Tx]) error {
		_, err := tx.Exec(t.Context(), "INSERT INTO parent (id) VALUES ($1)", id)
		return err
	}
}

// parentDB opens a new SQLite store, migrated, with a table parent.
func parentDB(t *testing.T) *sqlstore.DB[*sql.Tx] {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "kitchen.db"))
	db = migrated(t, db, err)
	if err := db.GroupWrite(t.Context(), false, func(tx sqlstore.Tx[*sql.Tx]) error {
		_, err := tx.Exec(t.Context(), "CREATE TABLE parent (id INTEGER PRIMARY KEY)")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return db
}

// parents counts the committed rows of the table parent.
func parents(t *testing.T, db *sqlstore.DB[*sql.Tx]) int {
	t.Helper()
	var n int
	if err := db.Dialect().Reader().QueryRow(t.Context(), "SELECT count(*) FROM parent").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestFailingWriteAmongOthers: the group writer runs the writes of a new
// transaction without savepoints; one that fails — a statement's error,
// or its own after it wrote — is answered with its error and leaves
// nothing, and the others of its transaction, ordered or not, run again
// without it and commit. After such a failure the writer runs the next
// transactions' writes in savepoints: another failure then rolls back
// no transaction.
func TestFailingWriteAmongOthers(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := parentDB(t)
	if err := db.GroupWrite(ctx, false, insertParent(t, 1)); err != nil {
		t.Fatal(err)
	}
	errOwn := errors.New("the write's own failure")
	type write struct {
		name    string
		ordered bool
		fn      func(tx sqlstore.Tx[*sql.Tx]) error
		wantErr error // nil, errOwn, or errAny for a statement's
	}
	errAny := errors.New("any error")
	// batch runs writes in one transaction of the writer (it holds the
	// writer until they all wait for it) and returns their errors.
	batch := func(writes []write) []error {
		release := make(chan struct{})
		held := make(chan error, 1)
		go func() {
			held <- db.GroupWrite(ctx, false, func(sqlstore.Tx[*sql.Tx]) error { <-release; return nil })
		}()
		errs := make([]error, len(writes))
		var started, done sync.WaitGroup
		for i, w := range writes {
			started.Add(1)
			done.Go(func() {
				started.Done()
				errs[i] = db.GroupWrite(ctx, w.ordered, w.fn)
			})
		}
		started.Wait()
		time.Sleep(100 * time.Millisecond) // for them all to wait for the writer
		close(release)
		done.Wait()
		if err := <-held; err != nil {
			t.Fatal(err)
		}
		return errs
	}
	check := func(writes []write, errs []error) {
		t.Helper()
		for i, w := range writes {
			switch {
			case w.wantErr == nil && errs[i] != nil:
				t.Errorf("%s: %v", w.name, errs[i])
			case w.wantErr == errAny && errs[i] == nil:
				t.Errorf("%s: succeeded, want a statement's error", w.name)
			case w.wantErr == errOwn && !errors.Is(errs[i], errOwn):
				t.Errorf("%s: got %v, want its own error", w.name, errs[i])
			}
		}
	}
	rows := func() []int {
		t.Helper()
		return ints(t, db.Dialect().Reader(), "SELECT id FROM parent ORDER BY id")
	}
	writes := func(base int) []write {
		return []write{
			{"a write before", false, insertParent(t, base), nil},
			{"an ordered write", true, insertParent(t, base+1), nil},
			{"a write that fails after it wrote", false, func(tx sqlstore.Tx[*sql.Tx]) error {
				if err := insertParent(t, base+2)(tx); err != nil {
					return err
				}
				return errOwn
			}, errOwn},
			{"a statement that fails", false, insertParent(t, 1), errAny}, // a key taken
			{"a write after", false, insertParent(t, base+3), nil},
		}
	}
	// Batched, the failure rolls back one transaction: several attempts,
	// in case the machine was too slow for the writes to wait together.
	var want []int
	want = append(want, 1)
	for attempt := 0; db.GroupRedos() == 0; attempt++ {
		if attempt == 5 {
			t.Fatal("no transaction rolled back for a failing write in 5 attempts")
		}
		base := 10 * (attempt + 1)
		w := writes(base)
		check(w, batch(w))
		want = append(want, base, base+1, base+3)
		if diff := cmp.Diff(want, rows()); diff != "" {
			t.Fatalf("the rows committed (-want +got):\n%s", diff)
		}
	}
	// Then in savepoints: no transaction rolled back.
	redos := db.GroupRedos()
	w := writes(100)
	check(w, batch(w))
	want = append(want, 100, 101, 103)
	if diff := cmp.Diff(want, rows()); diff != "" {
		t.Fatalf("the rows committed in savepoints (-want +got):\n%s", diff)
	}
	if got := db.GroupRedos(); got != redos {
		t.Errorf("%d transactions rolled back while writing in savepoints, want none", got-redos)
	}
}

// TestTransactionEndedUnderWrites: SQLite rolls back a whole transaction
// on some errors (a full disk, an I/O error), after which the savepoint
// of the write that failed cannot be rolled back. The group writer must
// then treat its transaction as lost: no later write may run, and
// commit, outside any transaction while the writer answers it with an
// error; and since an ordered write already answered is lost with it,
// the writer stops, as after a failed commit. A write that ends the
// transaction itself (ROLLBACK) stands in for SQLite's own rollback.
func TestTransactionEndedUnderWrites(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := parentDB(t)
	// An ordered write is answered before its transaction commits, and
	// the writer leaves that transaction open for the writes that follow.
	db.SetLinger(time.Hour)
	if err := db.GroupWrite(ctx, true, insertParent(t, 1)); err != nil {
		t.Fatal(err)
	}
	errFull := errors.New("database or disk is full")
	if err := db.GroupWrite(ctx, false, func(tx sqlstore.Tx[*sql.Tx]) error {
		if _, err := tx.Exec(ctx, "ROLLBACK"); err != nil {
			t.Fatal(err)
		}
		return errFull
	}); !errors.Is(err, errFull) {
		t.Errorf("the write whose failure ended the transaction: got %v, want its own error", err)
	}
	next := db.GroupWrite(ctx, false, insertParent(t, 3))
	if got := parents(t, db); next == nil || got != 0 {
		t.Errorf("the write after: answered %v, with %d rows committed; want an error and none (the ordered write was lost with the transaction, nothing may follow it)", next, got)
	}
	if err := db.Ping(ctx); err == nil {
		t.Error("the writer goes on after losing a write it had answered")
	}
}
