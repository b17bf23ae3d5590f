package sqlstore

import (
	"context"
	"time"
)

// What the tests of package sqlstore_test reach inside: a cook step with
// what its job knows of the order, and the store's clock.

// CookState is what a cook job knows of its order.
type CookState = cookState

// NewCookState is the state of an order as CreateOrder makes it.
var NewCookState = newCookState

// Superseded is the status a step reports to a job that is no longer its
// order's.
const Superseded = superseded

// Advance runs a cook step of order id for job.
func (s *DB[TTx]) Advance(ctx context.Context, id, job int64, unit time.Duration, known *CookState) (time.Duration, string, *CookState, error) {
	return s.advance(ctx, id, job, unit, known)
}

// SetNow sets the store's clock.
func (s *DB[TTx]) SetNow(now func() time.Time) { s.now = now }

// GroupWrite runs fn as a write of the group writer: answered once it
// has run when ordered, once committed otherwise.
func (s *DB[TTx]) GroupWrite(ctx context.Context, ordered bool, fn func(tx Tx[TTx]) error) error {
	return s.group.run(ctx, ordered, func(tx *txn[TTx]) error { return fn(tx.Tx) })
}

// SetLinger sets how long the group writer leaves a transaction that
// holds only ordered writes open.
func (s *DB[TTx]) SetLinger(d time.Duration) { s.group.linger.Store(int64(d)) }

// GroupRedos counts the transactions of the group writer rolled back for
// a write that failed among others, whose writes then ran again.
func (s *DB[TTx]) GroupRedos() int64 { return s.group.redos.Load() }
