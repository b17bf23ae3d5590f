package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/roux-go/roux/examples/kitchen/internal/store/sqlite"
	"github.com/roux-go/roux/examples/kitchen/internal/store/sqlstore"
)

// migrated returns a store in a new file, migrated, closed at the end
// of t.
func migrated(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "kitchen.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// jobArgs are arguments of a job kind of the test's.
type jobArgs struct {
	OrderID int64 `json:"order_id"`
	Prep    []int `json:"prep,omitempty"`
}

func (jobArgs) Kind() string { return "test_job" }

// TestInsertJobsAsRiver: the job rows the store inserts with its own
// statement (sqlstore.JobInserter) are the rows River's client inserts
// for the same jobs, column for column but their ids and times, and
// River reads them back as it reads its own. (River's SQLite driver
// also puts a nonce in every job's metadata, which only its insert
// reads, to tell a new row from a unique job's old one: the store
// queues no unique jobs, and the comparison leaves the nonce out.)
func TestInsertJobsAsRiver(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := migrated(t)
	w, _ := db.Dialect().SQL()
	ji, ok := db.Dialect().(sqlstore.JobInserter)
	if !ok {
		t.Fatal("the SQLite dialect is not a sqlstore.JobInserter")
	}
	client, err := river.NewClient(riversqlite.New(w), &river.Config{})
	if err != nil {
		t.Fatal(err)
	}
	jobs := []river.InsertManyParams{
		{Args: jobArgs{OrderID: 7, Prep: []int{3, 5}}},
		{Args: jobArgs{OrderID: 8}, InsertOpts: &river.InsertOpts{MaxAttempts: 3}},
	}
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := client.InsertManyTx(ctx, tx, jobs)
	if err != nil {
		t.Fatal(err)
	}
	var theirs []int64
	for _, r := range res {
		theirs = append(theirs, r.Job.ID)
	}
	rows, err := tx.QueryContext(ctx, ji.InsertJobs(2),
		"test_job", `{"order_id":7,"prep":[3,5]}`, river.MaxAttemptsDefault, "test_job", `{"order_id":8}`, 3)
	if err != nil {
		t.Fatal(err)
	}
	returned := map[int64]int64{} // order: job
	var ours []int64
	for rows.Next() {
		var job, order int64
		var kind string
		if err := rows.Scan(&job, &kind, &order); err != nil {
			t.Fatal(err)
		}
		if kind != "test_job" {
			t.Errorf("returned kind %q", kind)
		}
		returned[order] = job
		ours = append(ours, job)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(ours) != 2 || returned[7] == 0 || returned[8] == 0 {
		t.Fatalf("returned %v", returned)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	// Every column but the id and the times, as River's driver reads it.
	row := func(id int64) []any {
		var args, metadata, tags string
		var kind, queue, state string
		var attempt, maxAttempts, priority int
		var uniqueKey, uniqueStates, finalized, attempted sql.NullString
		var recent int
		err := w.QueryRowContext(ctx, `SELECT json(args), json_remove(metadata, '$."river:unique_nonce"'), json(tags), kind, queue, state, attempt, max_attempts,
			priority, hex(unique_key), unique_states, finalized_at, attempted_at,
			created_at <= datetime('now', 'subsec') AND created_at > datetime('now', '-60 seconds') AND length(created_at) = 23
				AND scheduled_at = created_at
			FROM river_job WHERE id = ?`, id).Scan(&args, &metadata, &tags, &kind, &queue, &state, &attempt, &maxAttempts,
			&priority, &uniqueKey, &uniqueStates, &finalized, &attempted, &recent)
		if err != nil {
			t.Fatal(err)
		}
		return []any{args, metadata, tags, kind, queue, state, attempt, maxAttempts, priority, uniqueKey, uniqueStates, finalized, attempted, recent}
	}
	for i, order := range []int64{7, 8} {
		if diff := cmp.Diff(row(theirs[i]), row(returned[order])); diff != "" {
			t.Errorf("job of order %d: River's row (-) and the store's (+) differ:\n%s", order, diff)
		}
		got, err := client.JobGet(ctx, returned[order])
		if err != nil {
			t.Fatal(err)
		}
		if got.State != rivertype.JobStateAvailable || got.Kind != "test_job" || got.ScheduledAt.IsZero() {
			t.Errorf("River reads the store's job of order %d as %+v", order, got)
		}
	}
}
