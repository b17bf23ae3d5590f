package sqlite_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"
)

// TestCompleterAsRiver: the kitchen's River driver sets the states of a
// batch of jobs as riversqlite's does — plain completions (batched),
// completions of jobs that no longer run, failures that retry, snoozes —
// and returns the same rows; the batched path is checked against
// riversqlite's on twin jobs, column for column but the ids.
func TestCompleterAsRiver(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := migrated(t)
	w, _ := db.Dialect().SQL()
	ours := db.Dialect().Driver().GetExecutor()
	theirs := riversqlite.New(w).GetExecutor()

	// A twin of each job for each executor: running ones, and one that
	// is available (no longer running: cancelled and retried, say).
	states := []string{"running", "running", "running", "running", "available", "running", "running"}
	insert := func() []int64 {
		var ids []int64
		for _, st := range states {
			var id int64
			// Every time given: the twins are inserted apart, maybe in
			// different seconds (CURRENT_TIMESTAMP, the columns' default).
			err := w.QueryRowContext(ctx, `INSERT INTO river_job (kind, args, max_attempts, state, attempt, attempted_at, created_at, scheduled_at)
				VALUES ('test_job', jsonb('{"n":1}'), 25, $1, 1, CASE WHEN $1 = 'running' THEN '2026-12-06 10:00:00.000' END,
					'2026-12-06 09:59:59.000', '2026-12-06 09:59:59.000') RETURNING id`, st).Scan(&id)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		return ids
	}
	done := time.Date(2026, 12, 6, 10, 0, 1, 500_000_000, time.UTC)
	later := done.Add(time.Minute)
	one := 1
	params := func(ids []int64) *riverdriver.JobSetStateIfRunningManyParams {
		p := &riverdriver.JobSetStateIfRunningManyParams{Now: &done}
		add := func(id int64, state rivertype.JobState, attempt *int, errData []byte, finalized, scheduled *time.Time, merge bool, metadata []byte) {
			p.ID = append(p.ID, id)
			p.State = append(p.State, state)
			p.Attempt = append(p.Attempt, attempt)
			p.ErrData = append(p.ErrData, errData)
			p.FinalizedAt = append(p.FinalizedAt, finalized)
			p.ScheduledAt = append(p.ScheduledAt, scheduled)
			p.MetadataDoMerge = append(p.MetadataDoMerge, merge)
			p.MetadataUpdates = append(p.MetadataUpdates, metadata)
		}
		add(ids[0], rivertype.JobStateCompleted, nil, nil, &done, nil, false, nil)
		add(ids[1], rivertype.JobStateCompleted, nil, nil, &done, nil, false, nil)
		add(ids[2], rivertype.JobStateCompleted, nil, nil, &later, nil, false, nil)
		add(ids[3], rivertype.JobStateCompleted, nil, nil, &done, nil, true, []byte(`{"output":"x"}`)) // not plain
		add(ids[4], rivertype.JobStateCompleted, nil, nil, &done, nil, false, nil)                     // not running
		add(ids[5], rivertype.JobStateRetryable, nil, []byte(`{"at":"2026-12-06T10:00:01Z","attempt":1,"error":"boom"}`), nil, &later, false, nil)
		add(ids[6], rivertype.JobStateAvailable, &one, nil, nil, &later, true, []byte(`{"snoozes":1}`)) // a snooze
		return p
	}
	a, b := insert(), insert()
	gotOurs, err := ours.JobSetStateIfRunningMany(ctx, params(a))
	if err != nil {
		t.Fatal(err)
	}
	gotTheirs, err := theirs.JobSetStateIfRunningMany(ctx, params(b))
	if err != nil {
		t.Fatal(err)
	}
	// The rows returned, in the jobs' order, without their ids.
	returned := func(rows []*rivertype.JobRow, ids []int64) []rivertype.JobRow {
		out := make([]rivertype.JobRow, len(ids))
		for _, r := range rows {
			i := slices.Index(ids, r.ID)
			if i < 0 {
				t.Fatalf("returned job %d, not of the batch", r.ID)
			}
			c := *r
			c.ID = 0
			out[i] = c
		}
		return out
	}
	if len(gotOurs) != len(gotTheirs) {
		t.Errorf("returned %d rows, riversqlite %d", len(gotOurs), len(gotTheirs))
	}
	if diff := cmp.Diff(returned(gotTheirs, b), returned(gotOurs, a)); diff != "" {
		t.Errorf("rows returned: riversqlite's (-) and the kitchen's (+) differ:\n%s", diff)
	}
	stored := func(id int64) []any {
		var state, metadata string
		var attempt int
		var finalized, scheduled, errors sql.NullString
		err := w.QueryRowContext(ctx, `SELECT state, attempt, finalized_at, scheduled_at, json(errors), json(metadata) FROM river_job WHERE id = ?`, id).
			Scan(&state, &attempt, &finalized, &scheduled, &errors, &metadata)
		if err != nil {
			t.Fatal(err)
		}
		return []any{state, attempt, finalized, scheduled, errors, metadata}
	}
	for i := range states {
		if diff := cmp.Diff(stored(b[i]), stored(a[i])); diff != "" {
			t.Errorf("job %d as stored: riversqlite's (-) and the kitchen's (+) differ:\n%s", i, diff)
		}
	}
	// In the text form SQLite compares (riversqlite's).
	var state, finalized string
	if err := w.QueryRowContext(ctx, `SELECT state, finalized_at || '' FROM river_job WHERE id = ?`, a[0]).Scan(&state, &finalized); err != nil {
		t.Fatal(err)
	}
	if state != "completed" || finalized != "2026-12-06 10:00:01.500" {
		t.Errorf("a plain completion is stored as %s at %q", state, finalized)
	}
}
