package sqlite

// This file holds River's SQLite driver, whose writes under load join
// the store's group commit, with its completions batched.
//
// River's producer fetches jobs (an UPDATE of their rows to running)
// every WorkConfig.Poll under load, and its completer sets the states of
// the jobs that finished in the last moments every 50ms. Each was a
// transaction of its own on the one write connection, with its own
// fsync, while the store's group writer waited for the connection: at
// 2,700 orders a second the writer spent a quarter of its time waiting
// there, and that wait was the tail of the orders' latency. Here both
// run as writes of the group writer (sqlstore.GroupJoiner), in its
// transactions, and are answered once those have committed, as River's
// own transactions were.
//
// River's PostgreSQL driver sets a batch's states in one statement; its
// SQLite driver (riversqlite, v0.51) runs a statement for each job, a
// general one that also merges metadata and appends errors, and decodes
// every row it returns: 12% of the kitchen's CPU when it placed 2,000
// orders a second. Here the plain completions of a batch — a job that
// ran and returned nil, with no metadata to merge — are one UPDATE for
// the lot, and the rows River reports to its subscribers are read once
// committed, by the readers; everything else (a failure, a snooze, a job
// no longer running) goes to riversqlite as before, in the same write.

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"
)

// riverDriver is riversqlite's driver whose executor fetches jobs and
// sets their states in the store's group writer (completer).
type riverDriver struct {
	*riversqlite.Driver
	d *dialect
}

// GetExecutor returns riversqlite's executor with its fetches and its
// changes of the states of running jobs made in the store's group
// writer, and its plain completions batched.
func (d riverDriver) GetExecutor() riverdriver.Executor {
	return completer{Executor: d.Driver.GetExecutor(), driver: d.Driver, d: d.d}
}

// completer is an executor whose JobGetAvailable and
// JobSetStateIfRunningMany run in the store's group writer, the plain
// completions of a batch in one statement.
type completer struct {
	riverdriver.Executor
	driver *riversqlite.Driver
	d      *dialect
}

// completionsAtOnce is the most jobs one completing UPDATE sets (two
// parameters each).
const completionsAtOnce = 256

// completeSizes are the numbers of jobs the completing UPDATEs are
// written for, the last completionsAtOnce.
var completeSizes = []int{1, 2, 4, 8, 16, 32, 64, 128, completionsAtOnce}

// JobGetAvailable fetches jobs as riversqlite's does, in a write of the
// store's group writer: the producer's poll (every WorkConfig.Poll
// under load) shares the group's transaction and fsync. It returns once
// the jobs it marked running are committed.
func (c completer) JobGetAvailable(ctx context.Context, p *riverdriver.JobGetAvailableParams) (*riverdriver.JobGetAvailableResult, error) {
	var res *riverdriver.JobGetAvailableResult
	err := c.d.write(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = c.driver.UnwrapExecutor(tx).JobGetAvailable(ctx, p)
		return err
	})
	return res, err
}

// JobSetStateIfRunningMany sets the state of the jobs of p that are
// running, as riversqlite's does, in a write of the store's group
// writer: the plain completions together, the others through
// riversqlite. It returns the rows of the jobs it set, and of those
// riversqlite reports.
func (c completer) JobSetStateIfRunningMany(ctx context.Context, p *riverdriver.JobSetStateIfRunningManyParams) ([]*rivertype.JobRow, error) {
	if p.Schema != "" {
		return nil, fmt.Errorf("sqlite: River's schema %q: the kitchen's completer knows the main schema only", p.Schema)
	}
	var plain []int // of p's jobs
	for i := range p.ID {
		if plainCompletion(p, i) {
			plain = append(plain, i)
		}
	}
	var set map[int64]struct{}
	var others []*rivertype.JobRow
	err := c.d.write(ctx, func(tx *sql.Tx) error {
		var err error
		if set, err = complete(ctx, tx, p, plain); err != nil {
			return err
		}
		// The others, and the plain ones that were not running (riversqlite
		// then reads them, and may merge their metadata).
		rest := &riverdriver.JobSetStateIfRunningManyParams{Now: p.Now, Schema: p.Schema}
		for i, id := range p.ID {
			if _, done := set[id]; done {
				continue
			}
			rest.ID = append(rest.ID, id)
			rest.Attempt = append(rest.Attempt, p.Attempt[i])
			rest.ErrData = append(rest.ErrData, p.ErrData[i])
			rest.FinalizedAt = append(rest.FinalizedAt, p.FinalizedAt[i])
			rest.MetadataDoMerge = append(rest.MetadataDoMerge, p.MetadataDoMerge[i])
			rest.MetadataUpdates = append(rest.MetadataUpdates, p.MetadataUpdates[i])
			rest.ScheduledAt = append(rest.ScheduledAt, p.ScheduledAt[i])
			rest.State = append(rest.State, p.State[i])
		}
		others = nil // a write may run again
		if len(rest.ID) > 0 {
			others, err = c.driver.UnwrapExecutor(tx).JobSetStateIfRunningMany(ctx, rest)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	rows := make([]*rivertype.JobRow, 0, len(p.ID))
	if len(set) > 0 {
		// Read once committed, by the readers: the writer's time is the
		// store's throughput.
		ids := make([]int64, 0, len(set))
		for id := range set {
			ids = append(ids, id)
		}
		got, err := c.d.readJobs.JobGetByIDMany(ctx, &riverdriver.JobGetByIDManyParams{ID: ids, Schema: p.Schema})
		if err != nil {
			return nil, err
		}
		rows = append(rows, got...)
	}
	return append(rows, others...), nil
}

// plainCompletion reports whether job i of p is a plain completion: set
// completed at its finalized time, and nothing else changed.
func plainCompletion(p *riverdriver.JobSetStateIfRunningManyParams, i int) bool {
	return p.State[i] == rivertype.JobStateCompleted && p.FinalizedAt[i] != nil && p.Attempt[i] == nil &&
		p.ErrData[i] == nil && !p.MetadataDoMerge[i] && p.ScheduledAt[i] == nil
}

// complete sets the jobs plain of p completed, those that are running,
// in tx, and returns the ids it set.
func complete(ctx context.Context, tx *sql.Tx, p *riverdriver.JobSetStateIfRunningManyParams, plain []int) (map[int64]struct{}, error) {
	set := make(map[int64]struct{}, len(plain))
	for start := 0; start < len(plain); start += completionsAtOnce {
		part := plain[start:min(len(plain), start+completionsAtOnce)]
		// Padded to a size of completeSizes with the last job again,
		// which sets nothing twice: a few texts, prepared once each.
		n := completeSizes[slices.IndexFunc(completeSizes, func(n int) bool { return n >= len(part) })]
		args := make([]any, 0, 2*n)
		for _, i := range part {
			args = append(args, p.ID[i], timeString(*p.FinalizedAt[i]))
		}
		for len(args) < 2*n {
			args = append(args, args[len(args)-2], args[len(args)-1])
		}
		rows, err := tx.QueryContext(ctx, completeSQL(n), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			set[id] = struct{}{}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return set, nil
}

// completeSQL returns the UPDATE that completes n running jobs, each
// from two parameters: its id and its finalized time.
func completeSQL(n int) string {
	var b strings.Builder
	b.WriteString("UPDATE river_job SET state = 'completed', finalized_at = v.column2 FROM (VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "(CAST($%d AS INTEGER), CAST($%d AS TEXT))", 2*i+1, 2*i+2)
	}
	b.WriteString(") AS v WHERE river_job.id = v.column1 AND river_job.state = 'running' RETURNING river_job.id")
	return b.String()
}

// timeString is a time as riversqlite writes it: SQLite compares times
// as text, in this form only.
func timeString(t time.Time) string {
	return t.UTC().Round(time.Millisecond).Format("2006-01-02 15:04:05.000")
}
