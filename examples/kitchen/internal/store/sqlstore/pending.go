package sqlstore

// This file holds what a write leaves for the end of its transaction,
// so that it costs a statement or two however much of it there is: the
// events it appends, numbered and inserted together per order, and the
// jobs it queues (cooking, webhook deliveries), inserted together for the
// whole transaction (with group commit, for every write the transaction
// holds).

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/riverqueue/river"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
)

// pendingEvent is an event appended in a transaction, not yet numbered.
type pendingEvent struct {
	order  int64
	kind   string
	line   int
	status string
}

// appendEvent adds an event to an order's log, at the end of fn's part
// of the transaction (flushEvents).
func (tx *txn[TTx]) appendEvent(id int64, kind string, line int, status string) {
	tx.events = append(tx.events, pendingEvent{id, kind, line, status})
}

// orderSet is a change of an order's status (and the time it began
// cooking), written with the numbering of its events.
type orderSet struct {
	order     int64
	status    string
	cookingAt int64
}

// setOrder sets order id's status and cooking time along with its events
// (flushEvents), which must include one.
func (tx *txn[TTx]) setOrder(id int64, status string, cookingAt int64) {
	tx.sets = append(tx.sets, orderSet{id, status, cookingAt})
}

// mark is where tx's pending work stands, to roll a savepoint back to.
type mark struct{ changed, events, sets, jobs, deliveries int }

func (tx *txn[TTx]) mark() mark {
	return mark{len(tx.changed), len(tx.events), len(tx.sets), len(tx.jobs), len(tx.deliveries)}
}

func (tx *txn[TTx]) rollbackTo(m mark) {
	tx.changed, tx.events, tx.sets = tx.changed[:m.changed], tx.events[:m.events], tx.sets[:m.sets]
	tx.jobs, tx.deliveries = tx.jobs[:m.jobs], tx.deliveries[:m.deliveries]
}

// maxRows is the most rows one multi-row INSERT holds (at most 9
// parameters a row: far below either database's limit).
const maxRows = 100

// flushEvents numbers the pending events and inserts them. Taking the
// numbers from the order row also bumps the order's version (every event
// is a change of what GET /orders/{id} shows) and locks the row, so that
// the events of one order commit in the order of their numbers; one
// UPDATE per order takes all of its numbers at once.
func (s *DB[TTx]) flushEvents(ctx context.Context, tx *txn[TTx]) error {
	if len(tx.events) == 0 {
		return nil
	}
	now := store.Millis(s.now())
	var orders []int64
	for _, e := range tx.events {
		if !slices.Contains(orders, e.order) {
			orders = append(orders, e.order)
		}
	}
	seqs := make([]int64, len(tx.events))
	for _, id := range orders {
		n := 0
		for _, e := range tx.events {
			if e.order == id {
				n++
			}
		}
		var last int64
		var err error
		set, ok := lastSet(tx.sets, id)
		if ok {
			err = tx.QueryRow(ctx, `UPDATE orders SET event_seq = event_seq + $1, version = version + $1, updated_at = $2,
				status = $3, cooking_at = $4 WHERE id = $5 RETURNING event_seq`, n, now, set.status, set.cookingAt, id).Scan(&last)
		} else {
			err = tx.QueryRow(ctx, `UPDATE orders SET event_seq = event_seq + $1, version = version + $1, updated_at = $2
				WHERE id = $3 RETURNING event_seq`, n, now, id).Scan(&last)
		}
		if err != nil {
			return err
		}
		next := last - int64(n) + 1
		for i, e := range tx.events {
			if e.order == id {
				seqs[i], next = next, next+1
			}
		}
		if !slices.Contains(tx.changed, id) {
			tx.changed = append(tx.changed, id)
		}
	}
	for start := 0; start < len(tx.events); start += maxRows {
		part := tx.events[start:min(len(tx.events), start+maxRows)]
		args := make([]any, 0, 6*len(part))
		for i, e := range part {
			args = append(args, e.order, seqs[start+i], now, e.kind, e.line, e.status)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO order_events (order_id, seq, at, kind, line, status) VALUES "+values(len(part), 6), args...); err != nil {
			return err
		}
	}
	tx.events, tx.sets = tx.events[:0], tx.sets[:0]
	return nil
}

// lastSet returns the last change of order id's status in sets.
func lastSet(sets []orderSet, id int64) (orderSet, bool) {
	for i := len(sets) - 1; i >= 0; i-- {
		if sets[i].order == id {
			return sets[i], true
		}
	}
	return orderSet{}, false
}

// values returns the VALUES list of rows rows of n parameters each:
// ($1, $2), ($3, $4)...
func values(rows, n int) string {
	var b strings.Builder
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteString(list(r*n+1, n))
	}
	return b.String()
}

// list returns the parenthesized list of n parameters from $first on.
func list(first, n int) string {
	var b strings.Builder
	b.WriteByte('(')
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(first + i))
	}
	b.WriteByte(')')
	return b.String()
}

// queueCooking queues the job that cooks order id, at the end of tx
// (flushJobs).
func (s *DB[TTx]) queueCooking(tx *txn[TTx], id int64) {
	tx.jobs = append(tx.jobs, id)
}

// flushJobs inserts the jobs of tx — cook jobs and webhook deliveries —
// with one call of River's, and records each order's cook job.
func (s *DB[TTx]) flushJobs(ctx context.Context, tx *txn[TTx]) error {
	n := len(tx.jobs) + len(tx.deliveries)
	if n == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, 0, n)
	for _, id := range tx.jobs {
		params = append(params, river.InsertManyParams{Args: cookArgs{OrderID: id}})
	}
	for _, id := range tx.deliveries {
		params = append(params, river.InsertManyParams{Args: deliverArgs{OrderID: id},
			InsertOpts: &river.InsertOpts{MaxAttempts: int(s.deliveries.attempts.Load())}})
	}
	res, err := s.inserter.InsertManyTx(ctx, tx.Native(), params)
	if err != nil {
		return fmt.Errorf("queueing %d jobs: %w", n, err)
	}
	if len(res) != n {
		return fmt.Errorf("queueing %d jobs: River inserted %d", n, len(res))
	}
	// Each job's order is read from its arguments: the rows a multi-row
	// insert returns need not come in the order of the rows inserted.
	for _, r := range res {
		if r.Job.Kind != store.JobCook {
			continue
		}
		var args cookArgs
		if err := json.Unmarshal(r.Job.EncodedArgs, &args); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE orders SET job_id = $1 WHERE id = $2", r.Job.ID, args.OrderID); err != nil {
			return err
		}
	}
	tx.jobs, tx.deliveries = tx.jobs[:0], tx.deliveries[:0]
	return nil
}
