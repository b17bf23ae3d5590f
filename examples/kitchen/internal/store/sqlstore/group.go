package sqlstore

// This file holds group commit: on a database with one writer (SQLite),
// the store's writes queue for a writer goroutine that runs as many as
// are waiting — up to the dialect's GroupCommit — in one transaction,
// and commits them together: one fsync for the lot instead of one each.
// A write's own failure undoes its part only (the others run again
// without it, each in a savepoint: runGroup); it is answered once the
// transaction has committed, so an acknowledged write is on disk, as
// before.
//
// The writer waits for nothing: it takes what is queued when it is free,
// so a lone write is committed at once, and the batches grow with the
// load — while one transaction commits (its fsync, about a millisecond),
// the next batch queues.
//
// An ordered write (run's ordered: the claims of idempotency keys, and
// the answers of orders) is answered as soon as it has run, before its
// transaction commits: the writer commits its transactions in the order
// it ran them, so whatever its caller writes next is never durable
// without it — a crash loses a suffix of the writes. Nobody waits for the
// commit of a transaction that holds only ordered writes, so the writer
// leaves it open for the writes that follow, for up to orderedLinger:
// the order that follows its claim commits with it, in one fsync, and
// the next order commits the answer of the last. To keep the suffix
// property, a transaction that fails to commit after an ordered write of
// it was answered stops the writer: every later write fails, as if the
// process had died there, until it restarts (and Ping says so).

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

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
	linger  atomic.Int64 // orderedLinger, in nanoseconds (tests change it)
	// careful counts the transactions still to run their writes in
	// savepoints after a failure (runGroup); redos, the transactions
	// rolled back for a write that failed without one.
	careful int
	redos   atomic.Int64
}

// errStopped is the error of the writes after a commit that lost ordered
// writes.
func (g *group[TTx]) errStopped() error {
	if err := g.stopped.Load(); err != nil {
		return fmt.Errorf("sqlstore: writing stopped after a commit failed that held writes already answered; restart the process (%w)", *err)
	}
	return nil
}

// orderedLinger is how long the writer leaves a transaction that holds
// only ordered writes open for more writes, before it commits it: long
// enough for the write that follows a claim (its handler's) to join it,
// short against the fsync it saves. Nobody waits on it.
const orderedLinger = time.Millisecond

// startGroup starts the group writer of s, committing up to max writes
// a transaction.
func (s *DB[TTx]) startGroup(max int) {
	g := &group[TTx]{max: max, queue: make(chan *pending[TTx]), quit: make(chan struct{}), ended: make(chan struct{})}
	g.linger.Store(int64(orderedLinger))
	s.group = g
	go func() {
		defer close(g.ended)
		batch := make([]*pending[TTx], 0, max)
		var open *groupTx[TTx] // holding ordered writes only, not committed
		linger := time.NewTimer(orderedLinger)
		linger.Stop()
		for {
			var lingered <-chan time.Time
			if open != nil {
				linger.Reset(time.Duration(g.linger.Load()))
				lingered = linger.C
			}
			select {
			case <-g.quit:
				if open != nil {
					s.commitGroup(open)
				}
				return
			case <-lingered:
				s.commitGroup(open)
				open = nil
				continue
			case p := <-g.queue:
				batch = append(batch[:0], p)
			}
			linger.Stop()
		more:
			for len(batch) < max {
				select {
				case p := <-g.queue:
					batch = append(batch, p)
				default:
					break more
				}
			}
			open = s.runGroup(open, batch)
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

// run hands fn to the group writer and waits for its answer: when
// ordered, fn's error, or nil once what it did is in the writer's
// transaction, to be committed before, or with, any write handed to the
// writer after run returns; otherwise once committed.
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

// groupTx is a transaction of the group writer and the writes it holds.
type groupTx[TTx any] struct {
	*txn[TTx]
	writes   int             // that succeeded in it
	waiting  []*pending[TTx] // answered once it commits
	answered bool            // it holds ordered writes already answered
}

// runGroup runs the writes of batch in gt, or a new transaction when gt
// is nil, and answers those that failed, and the ordered ones. It
// commits the transaction and answers the rest, unless nobody waits for
// its commit: then it returns it, for more writes.
//
// In a new transaction the writes run one after the other with nothing
// between them (runBare). The first that fails rolls the transaction
// back, and the others run again in a new one, each in a savepoint
// (runSavepoints) — and so do the writes of the next carefulGroups
// transactions, so that writes that fail often cost their neighbours
// one run each, as they did with savepoints throughout. A transaction
// left open (holding ordered writes already answered, which a rollback
// would lose) takes more writes in savepoints.
func (s *DB[TTx]) runGroup(gt *groupTx[TTx], batch []*pending[TTx]) *groupTx[TTx] {
	g := s.group
	if gt == nil {
		if gt = s.beginGroup(batch); gt == nil {
			return nil
		}
		if g.careful == 0 {
			rest, ok := s.runBare(gt, batch)
			switch {
			case ok:
				return s.endGroup(gt)
			case len(rest) == 0: // the write that failed was alone
				return nil
			}
			g.redos.Add(1)
			g.careful = carefulGroups
			if gt = s.beginGroup(rest); gt == nil {
				return nil
			}
			batch = rest
		} else {
			g.careful--
		}
	}
	failed, broken := s.runSavepoints(gt, batch)
	if broken {
		return nil
	}
	if failed {
		g.careful = carefulGroups
	}
	return s.endGroup(gt)
}

// carefulGroups is how many transactions run their writes in savepoints
// after a write failed.
const carefulGroups = 16

// beginGroup begins a transaction of the group writer, or answers the
// writes of batch with the reason it cannot and returns nil.
func (s *DB[TTx]) beginGroup(batch []*pending[TTx]) *groupTx[TTx] {
	err := s.group.errStopped()
	var t Tx[TTx]
	if err == nil {
		t, err = s.d.Begin(context.Background())
	}
	if err != nil {
		for _, p := range batch {
			p.done <- err
		}
		return nil
	}
	return &groupTx[TTx]{txn: &txn[TTx]{Tx: t}}
}

// runBare runs the writes of batch in gt, a new transaction, one after
// the other, and reports whether none failed: then the ordered ones are
// answered, and the others wait for the commit. Otherwise it has rolled
// gt back and answered the write that failed (which ran on what the
// writes before it did, as it would have in a savepoint) and returns
// the writes still to run: those before it, again, and those after it.
// What a write queued is sent before the next one runs, so that its
// failure is its own; a lone write's goes with the commit.
func (s *DB[TTx]) runBare(gt *groupTx[TTx], batch []*pending[TTx]) (rest []*pending[TTx], ok bool) {
	ctx := context.Background() // the transaction's: each write has its own
	answered := 0               // of batch, whose contexts were done
	for i, p := range batch {
		err := p.ctx.Err()
		if err != nil {
			p.done <- err
			batch[i] = nil
			answered++
			continue
		}
		if err = p.fn(gt.txn); err == nil {
			s.flushEvents(gt.txn)
			if p.ordered || len(batch)-answered > 1 {
				err = gt.send(ctx)
			}
		}
		if err == nil {
			continue
		}
		gt.Rollback(ctx) //nolint:errcheck // its writes run again
		p.done <- err
		batch[i] = nil
		for _, q := range batch {
			if q != nil {
				rest = append(rest, q)
			}
		}
		return rest, false
	}
	for _, p := range batch {
		if p != nil {
			gt.ran(p)
		}
	}
	return nil, true
}

// ran records p, which ran in gt: an ordered write is answered now,
// another waits for gt's commit.
func (gt *groupTx[TTx]) ran(p *pending[TTx]) {
	gt.writes++
	if p.ordered {
		gt.answered = true
		p.done <- nil
		return
	}
	gt.waiting = append(gt.waiting, p)
}

// runSavepoints runs the writes of batch in gt, each in a savepoint
// when gt holds several, answers those that failed and the ordered
// ones, and reports whether one failed. When a savepoint cannot be
// rolled back or released, gt has ended under its writes (breakGroup):
// it reports broken, having answered every write of gt and batch.
func (s *DB[TTx]) runSavepoints(gt *groupTx[TTx], batch []*pending[TTx]) (failed, broken bool) {
	ctx := context.Background() // the transaction's: each write has its own
	// A lone write needs no savepoint: its failure rolls back a
	// transaction that holds nothing else. An ordered one sends what it
	// queued before it is answered, which its savepoint does.
	alone := len(batch) == 1 && gt.writes == 0 && !batch[0].ordered
	for i, p := range batch {
		err := p.ctx.Err()
		if err == nil {
			if alone {
				if err = p.fn(gt.txn); err == nil {
					s.flushEvents(gt.txn)
				}
			} else if broken, err = s.savepoint(ctx, gt.txn, p.fn); broken {
				s.breakGroup(gt, p, err, batch[i+1:])
				return true, true
			}
			failed = failed || err != nil
		}
		if err != nil {
			p.done <- err // its own failure, its part rolled back
			continue
		}
		gt.ran(p)
	}
	return failed, false
}

// breakGroup ends gt, which ended under its writes: SQLite rolls back
// the whole transaction on some errors (a full disk, an I/O error, an
// interrupt), after which a savepoint of it cannot be rolled back, and
// later statements would run, and commit, outside any transaction. It
// answers p, whose savepoint it was, with err, and every other write of
// gt and of rest, which does not run, with the loss; and it stops the
// writer if gt held ordered writes already answered, as a failed commit
// does (commitGroup).
func (s *DB[TTx]) breakGroup(gt *groupTx[TTx], p *pending[TTx], err error, rest []*pending[TTx]) {
	gt.Rollback(context.Background()) //nolint:errcheck // whatever is left of it
	lost := fmt.Errorf("sqlstore: the group transaction ended under its writes: %w", err)
	if gt.answered {
		s.group.stopped.Store(&lost)
	}
	p.done <- err
	for _, q := range gt.waiting {
		q.done <- lost
	}
	for _, q := range rest {
		q.done <- lost
	}
}

// endGroup ends gt once its writes have run: it rolls back a
// transaction that holds none, returns one whose writes were all
// answered (ordered) and that has room for more, and commits the
// others.
func (s *DB[TTx]) endGroup(gt *groupTx[TTx]) *groupTx[TTx] {
	switch {
	case gt.writes == 0:
		gt.Rollback(context.Background()) //nolint:errcheck // nothing of it is kept
		return nil
	case len(gt.waiting) == 0 && gt.writes < s.group.max:
		return gt
	}
	s.commitGroup(gt)
	return nil
}

// commitGroup commits gt and answers the writes waiting for it. When the
// commit fails after gt's ordered writes were answered, the writer stops.
func (s *DB[TTx]) commitGroup(gt *groupTx[TTx]) {
	ctx := context.Background()
	err := s.flushJobs(ctx, gt.txn) // the jobs of every write at once; its failure is theirs
	if err == nil {
		err = gt.commit(ctx)
	}
	if err != nil {
		gt.Rollback(ctx) //nolint:errcheck // nothing of it is kept
		if gt.answered {
			s.group.stopped.Store(&err) // what depends on the lost writes must not be committed
		}
	} else {
		err = s.announce(ctx, gt.changed) // nothing but this process's subscribers with one process
	}
	for _, p := range gt.waiting {
		p.done <- err // the commit's outcome is each write's
	}
}

// savepoint runs fn and writes its events in a savepoint of tx, which
// it rolls back when fn fails, with what fn left pending. What fn queued
// is sent before the savepoint is released, so that its failure is fn's.
// It reports broken when the savepoint could not be opened, rolled back
// or released: then tx is no longer known to hold what it did (SQLite
// may have rolled all of it back), and must not be used again.
func (s *DB[TTx]) savepoint(ctx context.Context, tx *txn[TTx], fn func(tx *txn[TTx]) error) (broken bool, err error) {
	if _, err := tx.Exec(ctx, "SAVEPOINT write"); err != nil {
		return true, err
	}
	m := tx.mark()
	err = fn(tx)
	if err == nil {
		s.flushEvents(tx)
		err = tx.send(ctx)
	}
	if err != nil {
		tx.rollbackTo(m)
		if _, rerr := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT write"); rerr != nil {
			return true, fmt.Errorf("%w (and rolling back: %v)", err, rerr)
		}
		if _, rerr := tx.Exec(ctx, "RELEASE SAVEPOINT write"); rerr != nil {
			return true, fmt.Errorf("%w (and releasing: %v)", err, rerr)
		}
		return false, err
	}
	if _, err := tx.Exec(ctx, "RELEASE SAVEPOINT write"); err != nil {
		return true, err
	}
	return false, nil
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
		return s.group.native(ctx, !durable, func(native TTx) error { return write(any(native).(idemsql.Conn)) })
	})}
}

// native runs fn with the driver's transaction of a write of the group
// writer, as run does.
func (g *group[TTx]) native(ctx context.Context, ordered bool, fn func(native TTx) error) error {
	return g.run(ctx, ordered, func(tx *txn[TTx]) error {
		native, err := tx.Native(ctx)
		if err != nil {
			return err
		}
		return fn(native)
	})
}

// GroupJoiner is implemented by a dialect whose job queue writes on the
// connection of the store's group writer (SQLite, whose one write
// connection River's driver shares): River's fetches of jobs and its
// completions then run as writes of the group, in its transactions,
// rather than each in a transaction of its own between the group's — an
// fsync each, during which the group writer waited for the connection
// (measured: a quarter of its time at 2,700 orders a second).
type GroupJoiner[TTx any] interface {
	// JoinGroup is called once, by New, with the function that runs fn
	// in a transaction of the group writer (in a savepoint of its own,
	// like the store's writes) and returns once that transaction has
	// committed: fn's error, or the commit's.
	JoinGroup(run func(ctx context.Context, fn func(tx TTx) error) error)
}

// joinGroup gives d the group writer, if it takes it (GroupJoiner).
func (s *DB[TTx]) joinGroup(d Dialect[TTx]) {
	j, ok := d.(GroupJoiner[TTx])
	if !ok || s.group == nil {
		return
	}
	j.JoinGroup(func(ctx context.Context, fn func(tx TTx) error) error { return s.group.native(ctx, false, fn) })
}
