package sqlstore

// This file holds the queue's statistics (Store.Queue): the depth of
// River's queue, read from its table, and the outcome of the jobs this
// process ran, counted from River's events.

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
)

// runs counts the finished runs of this process's jobs, by kind.
type runs struct {
	mu     sync.Mutex
	byKind map[string]*store.JobRuns
}

// count adds the outcome of one event of River's.
func (r *runs) count(e *river.Event) {
	if e.Job == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byKind == nil {
		r.byKind = map[string]*store.JobRuns{}
	}
	k := r.byKind[e.Job.Kind]
	if k == nil {
		k = &store.JobRuns{Kind: e.Job.Kind}
		r.byKind[e.Job.Kind] = k
	}
	switch e.Kind {
	case river.EventKindJobCompleted:
		k.Completed++
	case river.EventKindJobFailed:
		k.Failed++
		if e.Job.State == rivertype.JobStateDiscarded {
			k.Discarded++
		}
	}
}

// snapshot returns the counts, by kind in name order.
func (r *runs) snapshot() []store.JobRuns {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]store.JobRuns, 0, len(r.byKind))
	for _, k := range r.byKind {
		out = append(out, *k)
	}
	slices.SortFunc(out, func(a, b store.JobRuns) int { return strings.Compare(a.Kind, b.Kind) })
	return out
}

// follow counts the events of client until stop is called.
func (r *runs) follow(client interface {
	Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func())
}) (stop func()) {
	events, unsubscribe := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for e := range events {
			r.count(e)
		}
	}()
	return func() {
		unsubscribe()
		<-done
	}
}

// Queue reports the queue's depth and this process's job runs.
func (s *DB[TTx]) Queue(ctx context.Context) (store.QueueStats, error) {
	var q store.QueueStats
	rows, err := s.d.Reader().Query(ctx, `SELECT kind, state, count(*) FROM river_job
		WHERE state IN ('available', 'pending', 'retryable', 'running', 'scheduled') GROUP BY kind, state ORDER BY kind, state`)
	err = scanAll(rows, err, func(rows Rows) error {
		var c store.JobCount
		err := rows.Scan(&c.Kind, &c.State, &c.N)
		q.Waiting = append(q.Waiting, c)
		return err
	})
	if err != nil {
		return q, s.wrap("queue", err)
	}
	q.Worked = s.runs.snapshot()
	q.Deliveries = s.deliveries.snapshot()
	return q, nil
}
