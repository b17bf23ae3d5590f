package sqlstore

// This file holds group commit: on a database with one writer (SQLite),
// the store's writes queue for a writer goroutine that runs as many as
// are waiting — up to the dialect's GroupCommit — in one transaction,
// each in a savepoint of its own, and commits them together: one fsync
// for the lot instead of one each. A write's own failure rolls back its
// savepoint only; it is answered once the transaction has committed, so
// an acknowledged write is on disk, as before.
//
// The writer waits for nothing: it takes what is queued when it is free,
// so a lone write is committed at once, and the batches grow with the
// load — while one transaction commits (its fsync, about a millisecond),
// the next batch queues.
//
// An ordered write (doOrdered: the claims of idempotency keys) is
// answered as soon as it has run, before its transaction commits: the
// writer commits its transactions in the order it ran them, so whatever
// its caller writes next, in a later transaction, is never durable
// without it — a crash loses a suffix of the writes. To keep it so, a
// transaction that fails to commit after an ordered write of it was
// answered stops the writer: every later write fails, as if the process
// had died there, until it restarts (and Ping says so).

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/roux-go/roux/idemsql"
)

// pending is a write waiting for the group writer.
type pending[TTx any] struct {
	ctx     context.Context
	fn      func(tx *txn[TTx]) error
	done    chan error
	ordered bool // answered once fn has run, before the commit
}

// group is the group writer of a store.
type group[TTx any] struct {
	max   int
	queue chan *pending[TTx]
	quit  chan struct{}
	ended chan struct{}
	// stopped is the failed commit that lost ordered writes already
	// answered, after which nothing is written.
	stopped atomic.Pointer[error]
}

// errStopped is the error of the writes after a commit that lost ordered
// writes.
func (g *group[TTx]) errStopped() error {
	if err := g.stopped.Load(); err != nil {
		return fmt.Errorf("sqlstore: writing stopped after a commit failed that held writes already answered; restart the process (%w)", *err)
	}
	return nil
}

// startGroup starts the group writer of s, committing up to max writes
// a transaction.
func (s *DB[TTx]) startGroup(max int) {
	g := &group[TTx]{max: max, queue: make(chan *pending[TTx]), quit: make(chan struct{}), ended: make(chan struct{})}
	s.group = g
	go func() {
		defer close(g.ended)
		batch := make([]*pending[TTx], 0, max)
		for {
			select {
			case <-g.quit:
				return
			case p := <-g.queue:
				batch = append(batch[:0], p)
			}
		more:
			for len(batch) < max {
				select {
				case p := <-g.queue:
					batch = append(batch, p)
				default:
					break more
				}
			}
			s.commitGroup(batch)
			clear(batch)
		}
	}()
}

// stop ends the group writer once it has committed what it runs.
func (g *group[TTx]) stop() {
	close(g.quit)
	<-g.ended
}

// do hands fn to the group writer and waits for its outcome.
func (g *group[TTx]) do(ctx context.Context, fn func(tx *txn[TTx]) error) error {
	return g.run(ctx, false, fn)
}

// doOrdered hands fn to the group writer and waits until it has run, not
// for its commit: fn's error, or nil once what it did is in the writer's
// transaction, to be committed before, or with, any write handed to the
// writer after doOrdered returns.
func (g *group[TTx]) doOrdered(ctx context.Context, fn func(tx *txn[TTx]) error) error {
	return g.run(ctx, true, fn)
}

// run hands fn to the group writer and waits for its answer.
func (g *group[TTx]) run(ctx context.Context, ordered bool, fn func(tx *txn[TTx]) error) error {
	p := &pending[TTx]{ctx: ctx, fn: fn, done: make(chan error, 1), ordered: ordered}
	select {
	case g.queue <- p:
	case <-ctx.Done():
		return ctx.Err()
	case <-g.quit:
		return errClosed
	}
	return <-p.done
}

var errClosed = fmt.Errorf("sqlstore: the store is closed")

// commitGroup runs the writes of batch in one transaction, each in a
// savepoint when there are several, commits, and answers each: an
// ordered one once it has run, the others once committed.
func (s *DB[TTx]) commitGroup(batch []*pending[TTx]) {
	ctx := context.Background() // the transaction's: each write has its own
	err := s.group.errStopped()
	var t Tx[TTx]
	if err == nil {
		t, err = s.d.Begin(ctx)
	}
	if err != nil {
		for _, p := range batch {
			p.done <- err
		}
		return
	}
	tx := &txn[TTx]{Tx: t}
	errs := make([]error, len(batch))
	ok, answered := 0, false
	for i, p := range batch {
		if err := p.ctx.Err(); err != nil {
			errs[i] = err
		} else if len(batch) == 1 {
			if errs[i] = p.fn(tx); errs[i] == nil {
				s.flushEvents(tx)
			}
		} else {
			errs[i] = s.savepoint(ctx, tx, p.fn)
		}
		if errs[i] == nil {
			ok++
		}
		if p.ordered {
			p.done <- errs[i]
			answered = answered || errs[i] == nil
		}
	}
	if ok > 0 {
		err = s.flushJobs(ctx, tx) // the jobs of every write at once; its failure is theirs
	}
	if ok > 0 && err == nil {
		err = tx.commit(ctx)
	}
	if ok == 0 || err != nil {
		t.Rollback(ctx) //nolint:errcheck // nothing of it is kept
	}
	if err != nil && answered {
		s.group.stopped.Store(&err) // what depends on the lost writes must not be committed
	}
	if err == nil && ok > 0 {
		err = s.announce(ctx, tx.changed) // nothing but this process's subscribers with one process
	}
	for i, p := range batch {
		if p.ordered {
			continue // answered
		}
		if errs[i] == nil {
			errs[i] = err // the commit's outcome is each write's
		}
		p.done <- errs[i]
	}
}

// savepoint runs fn and writes its events in a savepoint of tx, which
// it rolls back when fn fails, with what fn left pending. What fn queued
// is sent before the savepoint is released, so that its failure is fn's.
func (s *DB[TTx]) savepoint(ctx context.Context, tx *txn[TTx], fn func(tx *txn[TTx]) error) error {
	if _, err := tx.Exec(ctx, "SAVEPOINT write"); err != nil {
		return err
	}
	m := tx.mark()
	err := fn(tx)
	if err == nil {
		s.flushEvents(tx)
		err = tx.send(ctx)
	}
	if err != nil {
		tx.rollbackTo(m)
		if _, rerr := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT write"); rerr != nil {
			return fmt.Errorf("%w (and rolling back: %v)", err, rerr)
		}
		_, rerr := tx.Exec(ctx, "RELEASE SAVEPOINT write")
		if rerr != nil {
			return fmt.Errorf("%w (and releasing: %v)", err, rerr)
		}
		return err
	}
	_, err = tx.Exec(ctx, "RELEASE SAVEPOINT write")
	return err
}

// idemWrites returns the option of package idemsql that runs the writes
// of roux's idempotency keys in the group writer's transactions, each in
// a savepoint as the store's own writes: an order's claim of its key and
// its stored answer share the commits, and fsyncs, of the writes around
// them, instead of committing on their own beside the group. The writes
// that idemsql allows to be ordered (the claims, and with OrderedAnswers
// the answers of orders) are answered once they have run, not committed:
// an order's claim commits with the order, and its answer with the next
// batch — the writer commits in order and stops after losing an answered
// write, as idemsql.OrderedWriteFunc asks. Without group commit
// (PostgreSQL, whose commits run in parallel and share their WAL flushes
// already, in no set order), or where the transactions are not
// database/sql's, it returns none: each key's write commits on its own.
func (s *DB[TTx]) idemWrites() []idemsql.Option {
	var native TTx
	if _, ok := any(native).(idemsql.Conn); !ok || s.group == nil {
		return nil
	}
	return []idemsql.Option{idemsql.OrderedWriter(func(ctx context.Context, durable bool, write func(idemsql.Conn) error) error {
		return s.group.run(ctx, !durable, func(tx *txn[TTx]) error {
			native, err := tx.Native(ctx)
			if err != nil {
				return err
			}
			return write(any(native).(idemsql.Conn))
		})
	})}
}
