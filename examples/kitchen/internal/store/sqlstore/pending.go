package sqlstore

// This file holds what a write leaves for the end of its transaction,
// so that it costs a statement or two however much of it there is, and
// no round trip of its own: the events it appends, numbered in SQL and
// inserted together, queued to go with the commit (batch.go), and the
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
	"sync"

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

// expectation is what a write expects of the order whose events it
// appends: its job and its event_seq before the write (see expect).
type expectation struct {
	order, job, seq int64
	at              int  // where in the queue the order's UPDATE goes
	found           bool // the UPDATE found the order as expected
}

// expect makes tx's events of order id conditional on the order having
// job and event_seq seq: the UPDATE that numbers them (flushEvents) goes
// ahead of what tx queues from now on, so that it locks the order's row
// first, and changes the order only if it is so — which found then
// reports — and the events' numbers are NULL, which their NOT NULL
// refuses, rolling the write back, unless it was.
func (tx *txn[TTx]) expect(id, job, seq int64) *expectation {
	tx.expected = &expectation{order: id, job: job, seq: seq, at: len(tx.queued)}
	return tx.expected
}

// mark is where tx's pending work stands, to roll a savepoint back to.
type mark struct{ queued, changed, events, sets, jobs, deliveries int }

func (tx *txn[TTx]) mark() mark {
	return mark{len(tx.queued), len(tx.changed), len(tx.events), len(tx.sets), len(tx.jobs), len(tx.deliveries)}
}

func (tx *txn[TTx]) rollbackTo(m mark) {
	tx.queued, tx.changed, tx.events, tx.sets = tx.queued[:min(m.queued, len(tx.queued))], tx.changed[:m.changed],
		tx.events[:m.events], tx.sets[:m.sets]
	tx.jobs, tx.deliveries, tx.expected = tx.jobs[:m.jobs], tx.deliveries[:m.deliveries], nil
}

// maxRows is the most rows one multi-row statement holds (at most 5
// parameters a row: far below either database's limit).
const maxRows = 100

// flushEvents numbers the pending events and inserts them, in statements
// it queues: the numbers come from the order row, so taking them also
// bumps the order's version (every event is a change of what GET
// /orders/{id} shows) and locks the row, so that the events of one order
// commit in the order of their numbers. One UPDATE per order takes all of
// its numbers at once (and sets its status, if the write changed it);
// one INSERT of the order's events numbers them from its row as the
// UPDATE left it — SQL, not a result read back, so the statements go to
// the database together, with the commit.
//
// An event whose order is missing, or not as expected (expect), has no
// number, which its NOT NULL refuses: the write fails and is rolled back.
func (s *DB[TTx]) flushEvents(tx *txn[TTx]) {
	if len(tx.events) == 0 {
		return
	}
	now := store.Millis(s.now())
	var orders []int64
	for _, e := range tx.events {
		if !slices.Contains(orders, e.order) {
			orders = append(orders, e.order)
		}
	}
	// Each event's number less its order's event_seq once updated: the
	// last of an order's n events is 0, its first 1-n. An expected order
	// has its job and event_seq once updated with each of its events.
	offsets := make([]int64, len(tx.events))
	x := tx.expected
	var job, after any // of x's order, if it has events
	for _, id := range orders {
		n := 0
		for _, e := range tx.events {
			if e.order == id {
				n++
			}
		}
		update := Stmt{SQL: `UPDATE orders SET event_seq = event_seq + $1, version = version + $1, updated_at = $2
			WHERE id = $3`, Args: []any{n, now, id}}
		if set, ok := lastSet(tx.sets, id); ok {
			update = Stmt{SQL: `UPDATE orders SET event_seq = event_seq + $1, version = version + $1, updated_at = $2,
				status = $3, cooking_at = $4 WHERE id = $5`, Args: []any{n, now, set.status, set.cookingAt, id}}
		}
		if x != nil && x.order == id {
			update.SQL += " AND job_id = $" + strconv.Itoa(len(update.Args)+1) + " AND event_seq = $" + strconv.Itoa(len(update.Args)+2)
			update.Args = append(update.Args, x.job, x.seq)
			update.Changed = func(n int64) { x.found = n == 1 }
			tx.queued = slices.Insert(tx.queued, min(x.at, len(tx.queued)), update)
		} else {
			tx.queue(update)
		}
		k := 0
		for i, e := range tx.events {
			if e.order == id {
				k++
				offsets[i] = int64(k - n)
			}
		}
		if x != nil && x.order == id {
			job, after = x.job, x.seq+int64(n)
		}
		if !slices.Contains(tx.changed, id) {
			tx.changed = append(tx.changed, id)
		}
	}
	for _, id := range orders {
		expected := x != nil && x.order == id
		var rows []int // of tx.events, id's
		for i, e := range tx.events {
			if e.order == id {
				rows = append(rows, i)
			}
		}
		for start := 0; start < len(rows); start += maxRows {
			part := rows[start:min(len(rows), start+maxRows)]
			args := make([]any, 0, 4+len(eventTypes)*len(part))
			args = append(args, now, id)
			if expected {
				args = append(args, job, after)
			}
			for _, i := range part {
				e := tx.events[i]
				args = append(args, offsets[i], e.kind, e.line, e.status)
			}
			tx.queue(Stmt{SQL: eventsSQL(len(part), expected), Args: args})
		}
	}
	tx.events, tx.sets, tx.expected = tx.events[:0], tx.sets[:0], nil
}

// eventTypes are the types of an event's row in eventsSQL's VALUES:
// offset, kind, line, status.
var eventTypes = []string{"BIGINT", "TEXT", "BIGINT", "TEXT"}

// eventsSQLs are the texts of eventsSQL, by number of events and
// whether the order is expected.
var eventsSQLs sync.Map

// eventsSQL returns the statement that inserts n events of one order:
// $1 the time, $2 the order, and when expected, $3 the job and $4 the
// event_seq the order must have; then each event's offset from the
// order's event_seq, kind, line and status. The order's event_seq is
// read once for all of them (a subquery that depends on no row).
func eventsSQL(n int, expected bool) string {
	key := 2 * n
	if expected {
		key++
	}
	if q, ok := eventsSQLs.Load(key); ok {
		return q.(string)
	}
	cond, first := "", 3
	if expected {
		cond, first = " AND o.job_id = $3 AND o.event_seq = $4", 5
	}
	q := `INSERT INTO order_events (order_id, seq, at, kind, line, status)
		SELECT CAST($2 AS BIGINT), (SELECT o.event_seq FROM orders o WHERE o.id = $2` + cond + `) + v.column1, $1, v.column2, v.column3, v.column4
		FROM (VALUES ` + typedValues(first, n, eventTypes) + `) v`
	eventsSQLs.Store(key, q)
	return q
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

// typedValues returns the VALUES list of rows rows of parameters from
// $first on, each cast to its column's type (PostgreSQL takes a bare
// parameter in VALUES for text): (CAST($2 AS BIGINT), CAST($3 AS TEXT)),
// ... Both databases name the columns column1, column2...
func typedValues(first, rows int, types []string) string {
	var b strings.Builder
	p := first
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for i, t := range types {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("CAST($")
			b.WriteString(strconv.Itoa(p))
			b.WriteString(" AS ")
			b.WriteString(t)
			b.WriteByte(')')
			p++
		}
		b.WriteByte(')')
	}
	return b.String()
}

// queueCooking queues the job that cooks order id, whose lines take
// prep seconds, at the end of tx (flushJobs).
func (s *DB[TTx]) queueCooking(tx *txn[TTx], id int64, prep []int) {
	tx.jobs = append(tx.jobs, cookArgs{OrderID: id, Prep: prep})
}

// flushJobs inserts the jobs of tx — cook jobs and webhook deliveries —
// with one call of River's, and queues the statement that records each
// order's cook job. River runs its insert at once, in the transaction,
// ahead of what tx has queued: it reads none of it, and what is queued
// then goes with the commit rather than in a round trip of its own. A
// delivery waits for the count of its customer's endpoints
// (queueDelivery): tx's queue is sent first when it holds one.
func (s *DB[TTx]) flushJobs(ctx context.Context, tx *txn[TTx]) error {
	if len(tx.deliveries) > 0 {
		if err := tx.send(ctx); err != nil {
			return err
		}
	}
	params := make([]river.InsertManyParams, 0, len(tx.jobs)+len(tx.deliveries))
	for _, args := range tx.jobs {
		params = append(params, river.InsertManyParams{Args: args})
	}
	for _, d := range tx.deliveries {
		if d.endpoints > 0 {
			params = append(params, river.InsertManyParams{Args: deliverArgs{OrderID: d.order},
				InsertOpts: &river.InsertOpts{MaxAttempts: int(s.deliveries.attempts.Load())}})
		}
	}
	tx.jobs, tx.deliveries = tx.jobs[:0], tx.deliveries[:0]
	n := len(params)
	if n == 0 {
		return nil
	}
	if ji, ok := s.d.(JobInserter); ok {
		return insertJobs(ctx, tx, ji, params)
	}
	native, err := tx.Tx.Native(ctx)
	if err != nil {
		return err
	}
	res, err := s.inserter.InsertManyTx(ctx, native, params)
	if err != nil {
		return fmt.Errorf("queueing %d jobs: %w", n, err)
	}
	if len(res) != n {
		return fmt.Errorf("queueing %d jobs: River inserted %d", n, len(res))
	}
	// Each job's order is read from its arguments: the rows a multi-row
	// insert returns need not come in the order of the rows inserted.
	var args []any // order, job
	for _, r := range res {
		if r.Job.Kind != store.JobCook {
			continue
		}
		var a cookArgs
		if err := json.Unmarshal(r.Job.EncodedArgs, &a); err != nil {
			return err
		}
		args = append(args, a.OrderID, r.Job.ID)
	}
	queueJobIDs(tx, args)
	return nil
}

// jobTypes are the types of a row in flushJobs' VALUES: order, job.
var jobTypes = []string{"BIGINT", "BIGINT"}

// JobInserter is implemented by a dialect that inserts River's job rows
// with a statement of the store's own (SQLite): the jobs of a
// transaction then cost that one statement, where River's InsertManyTx
// builds, encodes and decodes every row through its driver (12% of the
// kitchen's CPU when it placed 2,000 orders a second on SQLite). Its
// rows are the ones River inserts for a job without options but its
// attempts: the default queue and priority, available at once, no tags,
// no metadata, no uniqueness. River's insert notification is not sent:
// its producers find the jobs at their next fetch (WorkConfig.Poll).
type JobInserter interface {
	// InsertJobs returns the statement that inserts n jobs, each from
	// three parameters — its kind, its arguments' JSON and its attempts
	// at most — and returns, for each, its id, its kind and the
	// order_id of its arguments.
	InsertJobs(n int) string
}

// insertJobs inserts the jobs of params in tx with ji's statement, and
// queues the statement that records each order's cook job.
func insertJobs[TTx any](ctx context.Context, tx *txn[TTx], ji JobInserter, params []river.InsertManyParams) error {
	var ids []any // order, job
	for start := 0; start < len(params); start += maxRows {
		part := params[start:min(len(params), start+maxRows)]
		args := make([]any, 0, 3*len(part))
		for _, p := range part {
			enc, err := json.Marshal(p.Args)
			if err != nil {
				return err
			}
			attempts := river.MaxAttemptsDefault
			if p.InsertOpts != nil && p.InsertOpts.MaxAttempts > 0 {
				attempts = p.InsertOpts.MaxAttempts
			}
			args = append(args, p.Args.Kind(), string(enc), attempts) // text: SQLite reads a blob as JSONB
		}
		got := 0
		err := tx.send(ctx, Stmt{SQL: ji.InsertJobs(len(part)), Args: args, Rows: eachRow(func(rows Rows) error {
			var job, order int64
			var kind string
			got++
			if err := rows.Scan(&job, &kind, &order); err != nil {
				return err
			}
			if kind == store.JobCook {
				ids = append(ids, order, job)
			}
			return nil
		})})
		switch {
		case err != nil:
			return fmt.Errorf("queueing %d jobs: %w", len(part), err)
		case got != len(part):
			return fmt.Errorf("queueing %d jobs: %d inserted", len(part), got)
		}
	}
	queueJobIDs(tx, ids)
	return nil
}

// queueJobIDs queues the statements that set each order's job_id, from
// ids: order, job, order, job...
func queueJobIDs[TTx any](tx *txn[TTx], ids []any) {
	for start := 0; start < len(ids); start += 2 * maxRows {
		part := ids[start:min(len(ids), start+2*maxRows)]
		tx.queue(Stmt{SQL: `UPDATE orders SET job_id = v.column2 FROM (VALUES ` + typedValues(1, len(part)/2, jobTypes) + `) v
			WHERE orders.id = v.column1`, Args: part})
	}
}
