package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	modernc "modernc.org/sqlite"
)

// TestStmtCache: a text with arguments is prepared once per connection
// and reused; a text run again while its rows are open (nested, in one
// transaction) runs as a statement of its own, and both read right.
func TestStmtCache(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := sql.OpenDB(connector{dsn: "file:" + filepath.Join(t.TempDir(), "t.db"), d: &modernc.Driver{}})
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("CREATE TABLE t (n INTEGER NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	for n := range 4 {
		if _, err := db.Exec("INSERT INTO t (n) VALUES ($1)", n+1); err != nil {
			t.Fatal(err)
		}
	}
	const above = "SELECT n FROM t WHERE n > $1 ORDER BY n"
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // read only
	outer, err := tx.Query(above, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int][]int{}
	for outer.Next() {
		var n int
		if err := outer.Scan(&n); err != nil {
			t.Fatal(err)
		}
		inner, err := tx.Query(above, n) // the cached statement is busy
		if err != nil {
			t.Fatal(err)
		}
		got[n] = []int{}
		for inner.Next() {
			var m int
			if err := inner.Scan(&m); err != nil {
				t.Fatal(err)
			}
			got[n] = append(got[n], m)
		}
		if err := inner.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := outer.Close(); err != nil {
		t.Fatal(err)
	}
	want := map[int][]int{1: {2, 3, 4}, 2: {3, 4}, 3: {4}, 4: {}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("nested queries (-want +got):\n%s", diff)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	// Run again, the texts come from the cache: one statement each.
	for range 3 {
		var n int
		if err := db.QueryRow(above, 3).Scan(&n); err != nil || n != 4 {
			t.Fatalf("got %d, %v; want 4", n, err)
		}
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	err = conn.Raw(func(c any) error {
		var texts []string
		for q, cs := range c.(*cachingConn).stmts {
			texts = append(texts, q)
			if cs.busy {
				t.Errorf("%q is still busy", q)
			}
		}
		if diff := cmp.Diff([]string{"INSERT INTO t (n) VALUES ($1)", above}, texts, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
			t.Errorf("cached statements (-want +got):\n%s", diff)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
