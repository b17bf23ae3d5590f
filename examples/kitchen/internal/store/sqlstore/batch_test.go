package sqlstore_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux/examples/kitchen/internal/store/sqlstore"
)

// testBatches: a dialect's transaction runs its batches in order, reads
// their results, commits with the last, and keeps nothing of a batch, or
// a transaction, that failed.
func testBatches[TTx any](t *testing.T, db *sqlstore.DB[TTx]) {
	ctx := t.Context()
	d := db.Dialect()
	begin := func() sqlstore.Tx[TTx] {
		t.Helper()
		tx, err := d.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return tx
	}
	tx := begin()
	if _, err := tx.Exec(ctx, "CREATE TABLE batch_test (k BIGINT PRIMARY KEY, v TEXT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Send(ctx, true); err != nil {
		t.Fatal(err)
	}
	insert := func(k int) sqlstore.Stmt {
		return sqlstore.Stmt{SQL: "INSERT INTO batch_test (k, v) VALUES ($1, 'v')", Args: []any{k}}
	}
	keys := func() []int {
		t.Helper()
		return ints(t, d.Reader(), "SELECT k FROM batch_test ORDER BY k")
	}
	var committed []int
	for _, tt := range []struct {
		name  string
		run   func(tx sqlstore.Tx[TTx]) error // its error is the last Send's
		fails bool
		keep  []int // the keys it commits
	}{
		{"one batch that commits", func(tx sqlstore.Tx[TTx]) error {
			return tx.Send(ctx, true, insert(1), insert(2))
		}, false, []int{1, 2}},
		{"a batch that reads what the one before wrote, then the commit", func(tx sqlstore.Tx[TTx]) error {
			if err := tx.Send(ctx, false, insert(3)); err != nil {
				return err
			}
			var n, changed int64
			err := tx.Send(ctx, false,
				sqlstore.Stmt{SQL: "SELECT count(*) FROM batch_test", Rows: func(rows sqlstore.Rows) error {
					rows.Next()
					return rows.Scan(&n)
				}},
				sqlstore.Stmt{SQL: "UPDATE batch_test SET v = 'w' WHERE k >= $1", Args: []any{2}, Changed: func(c int64) { changed = c }})
			if err != nil {
				return err
			}
			if n != 3 || changed != 2 {
				t.Errorf("read %d rows and changed %d, want 3 and 2", n, changed)
			}
			return tx.Send(ctx, true)
		}, false, []int{3}},
		{"Exec and Query after a batch", func(tx sqlstore.Tx[TTx]) error {
			if err := tx.Send(ctx, false, insert(4), insert(5)); err != nil {
				return err
			}
			if n, err := tx.Exec(ctx, "DELETE FROM batch_test WHERE k = $1", 4); n != 1 || err != nil {
				t.Errorf("Exec: got %d, %v; want 1, nil", n, err)
			}
			rows, err := tx.Query(ctx, "SELECT k FROM batch_test WHERE k >= $1", 4)
			if err != nil {
				return err
			}
			var got []int
			for rows.Next() {
				var k int
				rows.Scan(&k) //nolint:errcheck // Err reports it
				got = append(got, k)
			}
			rows.Close()
			if !slices.Equal(got, []int{5}) || rows.Err() != nil {
				t.Errorf("Query: got %v, %v; want [5], nil", got, rows.Err())
			}
			return tx.Send(ctx, true)
		}, false, []int{5}},
		{"a statement that fails in the batch that commits", func(tx sqlstore.Tx[TTx]) error {
			if err := tx.Send(ctx, false, insert(6)); err != nil {
				return err
			}
			return tx.Send(ctx, true, insert(7), insert(1), insert(8))
		}, true, nil},
		{"a statement that fails in a first batch that commits", func(tx sqlstore.Tx[TTx]) error {
			return tx.Send(ctx, true, insert(9), insert(9))
		}, true, nil},
		{"a statement that fails in a batch that does not commit", func(tx sqlstore.Tx[TTx]) error {
			return tx.Send(ctx, false, insert(10), insert(2), insert(11))
		}, true, nil},
		{"rolled back", func(tx sqlstore.Tx[TTx]) error {
			return tx.Send(ctx, false, insert(12))
		}, false, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tx := begin()
			err := tt.run(tx)
			if (err != nil) != tt.fails {
				t.Fatalf("got %v, want an error: %v", err, tt.fails)
			}
			if rerr := tx.Rollback(ctx); rerr != nil {
				t.Errorf("Rollback: %v", rerr)
			}
			if err := tx.Send(ctx, true, insert(13)); !errors.Is(err, sqlstore.ErrTxDone) {
				t.Errorf("Send after the end: got %v, want ErrTxDone", err)
			}
			committed = append(committed, tt.keep...)
			if diff := cmp.Diff(committed, keys()); diff != "" {
				t.Fatalf("keys (-want +got):\n%s", diff)
			}
		})
	}
}

// ints returns the first column of the rows of query, run by q.
func ints(t *testing.T, q sqlstore.Querier, query string) []int {
	t.Helper()
	var out []int
	rows, err := q.Query(t.Context(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k int
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
