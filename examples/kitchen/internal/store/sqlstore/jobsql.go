package sqlstore

// This file holds the writes that queue River jobs in the store's own
// statements, where the dialect can write River's table itself
// (JobWriter): an order is then placed in one statement — its row, its
// lines, its first event and its cook job — and the step of the cooking
// that makes an order ready queues its webhook delivery in a statement
// that inserts the job only if the customer has an endpoint. On
// PostgreSQL each is one round trip and a transaction of its own with
// nothing read before it is written; through River's client (InsertManyTx),
// the insert is a round trip of its own between the transaction's
// reads and its COMMIT, so that placing an order took three, and the
// ready step two (the count of the endpoints, read before River is
// asked).

import (
	"context"
	"errors"
	"fmt"

	"github.com/riverqueue/river"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
)

// JobWriter is implemented by a dialect whose River tables take jobs
// inserted by SQL, as River's clients for other languages insert them
// (PostgreSQL). The store then queues a new order's cook job and a
// ready order's webhook delivery in its own statements; elsewhere it asks
// River (InsertManyTx).
type JobWriter interface {
	// PlaceOrder returns the one statement that places an order of n
	// lines: its row (unless a recent order of the customer has its
	// idempotency key), its lines, each a copy of its dish (a dish that is
	// missing or not available makes a line without a name, which the
	// statement refuses: it fails), its first event, and its cook job,
	// whose id is the order's job_id and whose arguments are cookArgs'
	// JSON. Its parameters: $1 the customer, $2 the order's status, $3
	// its note, $4 the time (milliseconds), $5 the first event's kind, $6
	// the lines' status, $7 the job's kind, $8 its attempts at most, $9
	// the idempotency key (or NULL), $10 the time after which an order
	// with the key counts, then each line's number, dish and quantity.
	// It returns the order's id and its lines (itemColumns), in line
	// order — no row when an order with the key was placed.
	PlaceOrder(n int) string
	// QueueDelivery returns the statement that queues the delivery of
	// order $1's webhook message, a job of kind $2 with $3 attempts at
	// most whose arguments are deliverArgs' JSON, if its customer has an
	// endpoint.
	QueueDelivery() string
}

// placeOrder stores a received order, its lines, its first event and its
// cook job in one statement of w's (see JobWriter), in a transaction of
// its own: on PostgreSQL, one round trip. A missing or unavailable dish
// fails the statement, and a read of the dishes then tells which.
func (s *DB[TTx]) placeOrder(ctx context.Context, w JobWriter, o store.NewOrder) (store.Order, error) {
	now := store.Millis(s.now())
	var key any // NULL without a key
	if o.IdempotencyKey != "" {
		key = o.IdempotencyKey
	}
	args := make([]any, 0, 10+3*len(o.Lines))
	args = append(args, o.CustomerID, store.OrderReceived, o.Note, now, store.EventOrder, store.ItemQueued,
		store.JobCook, river.MaxAttemptsDefault, key, now-o.KeyLifetime.Milliseconds())
	for i, l := range o.Lines {
		args = append(args, i+1, l.DishID, l.Quantity)
	}
	var id int64
	items := make([]store.Item, 0, len(o.Lines))
	err := s.writePipelined(ctx, func(tx *txn[TTx]) error {
		id, items = 0, items[:0] // a write may run again (pipeline.go)
		tx.queue(Stmt{SQL: w.PlaceOrder(len(o.Lines)), Args: args, Rows: eachRow(func(rows Rows) error {
			items = append(items, store.Item{})
			return scanItem(rows, &items[len(items)-1], &id)
		})})
		return nil
	})
	switch {
	case err != nil:
		return store.Order{}, s.wrap("create order", s.dishError(ctx, o.Lines, err))
	case id == 0 && key != nil: // placed before with the key
		return s.placedOrder(ctx, o, now)
	case len(items) != len(o.Lines):
		return store.Order{}, s.wrap("create order", fmt.Errorf("placing an order of %d lines stored %d", len(o.Lines), len(items)))
	}
	return store.Order{ID: id, CustomerID: o.CustomerID, Status: store.OrderReceived, Note: o.Note, Items: items, Version: 2,
		CreatedAt: store.FromMillis(now), UpdatedAt: store.FromMillis(now)}, nil
}

// dishError returns the *store.DishError of an order of lines that
// failed with err, if a dish of theirs is missing or not available now;
// otherwise err.
func (s *DB[TTx]) dishError(ctx context.Context, lines []store.Line, err error) error {
	read, dishes := readDishes(lines)
	rows, qerr := s.d.Reader().Query(ctx, read.SQL, read.Args...)
	if qerr == nil {
		defer rows.Close()
		qerr = read.Rows(rows)
	}
	if qerr != nil {
		return errors.Join(err, qerr)
	}
	var de *store.DishError
	if _, derr := orderItems(lines, dishes); errors.As(derr, &de) {
		return de
	}
	return err
}

// placedOrder returns the order that o's idempotency key placed before.
func (s *DB[TTx]) placedOrder(ctx context.Context, o store.NewOrder, now int64) (store.Order, error) {
	var placed int64
	err := s.d.Reader().QueryRow(ctx, placedSQL, o.IdempotencyKey, o.CustomerID, now-o.KeyLifetime.Milliseconds()).Scan(&placed)
	if err != nil {
		return store.Order{}, s.wrap("create order", err)
	}
	out, err := order(ctx, s.d.Reader(), placed)
	return out, s.wrap("create order", err)
}
