package sqlstore_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/roux-go/roux/examples/kitchen/internal/store/sqlstore"
)

// slowInsert is an INSERT that runs for a few hundred milliseconds (a
// recursive CTE of a million rows, of which it keeps none) unless
// interrupted.
const slowInsert = `INSERT INTO parent (id) SELECT x FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000) SELECT x FROM c) WHERE x < 0`

// TestCancelledWriteAmongOthers: a write of the group writer whose
// context ends while its statement runs — a client that hangs up during
// its order — fails alone. SQLite rolls back the whole transaction of an
// INSERT interrupted inside it (sqlite3_interrupt, which the driver calls
// when the statement's context ends), so the writes that share the
// group's transaction must not be lost with it, nor committed behind the
// writer's back while it answers them with an error.
func TestCancelledWriteAmongOthers(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := parentDB(t)
	exec := func(ctx context.Context, query string) func(tx sqlstore.Tx[*sql.Tx]) error {
		return func(tx sqlstore.Tx[*sql.Tx]) error { _, err := tx.Exec(ctx, query); return err }
	}
	// An ordered write (an idempotency key's claim) is answered before
	// its transaction commits; the writer leaves that transaction open
	// for the writes that follow.
	db.SetLinger(time.Hour)
	if err := db.GroupWrite(ctx, true, insertParent(t, 1)); err != nil {
		t.Fatal(err)
	}
	// A write whose client goes away while its INSERT runs.
	gone, hangUp := context.WithCancel(ctx)
	started := make(chan struct{})
	go func() {
		<-started
		time.Sleep(20 * time.Millisecond)
		hangUp()
	}()
	// Whether it fails (its context ended) or ran to its end, it is its
	// own business: it writes no row either way.
	db.GroupWrite(gone, false, func(tx sqlstore.Tx[*sql.Tx]) error { //nolint:errcheck // see above
		close(started)
		return exec(gone, slowInsert)(tx)
	})
	// The next write, and its answer.
	next := db.GroupWrite(ctx, false, insertParent(t, 3))
	ids := map[int]bool{}
	rows, err := db.Dialect().Reader().Query(ctx, "SELECT id FROM parent")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids[id] = true
	}
	rows.Close()
	if !ids[1] {
		t.Errorf("the ordered write answered before the interrupted one is lost (rows %v)", ids)
	}
	if next != nil && ids[3] {
		t.Errorf("the write after it is committed, and answered with an error: %v", next)
	}
	if next == nil && !ids[3] {
		t.Errorf("the write after it is answered, and not committed (rows %v)", ids)
	}
	if err := db.Ping(ctx); err != nil {
		t.Errorf("a client hanging up stopped the writer: %v", err)
	}
}
