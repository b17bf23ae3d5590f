package kitchen

// This file holds the idempotency of POST /orders: a client that lost
// the answer (a reset, a 503, a timeout) sends the order again with the
// same Idempotency-Key and gets the first answer, not a second order.
// roux does the work (roux.Idempotent): it claims the key before the
// handler runs, answers a retry from what it stored, 422 for another
// body with the key, 409 while the first request runs. Its keys live in
// the store's database (package idemsql, shared by every instance), and
// the order records the key in its own transaction, so that a retry
// whose first answer was never stored — its instance died between the
// order's commit and the key's — finds the order too. On SQLite, the
// store writes the keys in its group commit (sqlstore's group.go): a
// claim and an answer are two more writes in the transactions that
// commit the orders, not two commits of their own. Nor does an order
// wait for them (idemsql's OrderedWriter and OrderedAnswers): the claim
// is answered once it has run in the writer's transaction, and commits
// with the order, or before it; the answer is sent before its commit,
// since a retry that finds it lost (a crash just after the answer) gets
// the order the key recorded. A keyed order waits for one commit, its
// own, as an order without a key does.

import (
	"context"
	"time"

	"github.com/roux-go/roux"
)

// IdempotencyTTL is how long, by default, the answer to an order placed
// with an Idempotency-Key is kept for its retries (Config.IdempotencyTTL
// changes it), and how long at least an order remembers its key.
const IdempotencyTTL = 24 * time.Hour

// idempotencyKeys is the store of the idempotency keys of orders: the
// store's, once the service has started (the operation is registered
// before). Only for operations that record their key as CreateOrder
// does (see store.Store's OrderIdempotency).
type idempotencyKeys struct{ s *Service }

func (k idempotencyKeys) Claim(ctx context.Context, key string, e *roux.IdempotencyEntry) (*roux.IdempotencyEntry, error) {
	db, err := k.s.db()
	if err != nil {
		return nil, err
	}
	return db.OrderIdempotency().Claim(ctx, key, e)
}

func (k idempotencyKeys) Update(ctx context.Context, key string, e *roux.IdempotencyEntry) error {
	db, err := k.s.db()
	if err != nil {
		return err
	}
	return db.OrderIdempotency().Update(ctx, key, e)
}

func (k idempotencyKeys) Release(ctx context.Context, key, token string) error {
	db, err := k.s.db()
	if err != nil {
		return err
	}
	return db.OrderIdempotency().Release(ctx, key, token)
}
