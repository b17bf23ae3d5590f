package sqlstore

// This file holds the pipelined writes of a database whose transactions
// commit in parallel (PostgreSQL): the writes that read nothing before
// they write — placing an order (placeOrder), a cook step that knows its
// order (advance) — queue for a few writer goroutines, each of which
// takes what is waiting when it is free and sends it as one batch, one
// transaction, one commit. Under load a commit then carries several
// orders' placings and steps, where each was a commit of its own: the
// commits wait on the WAL's flushes, which PostgreSQL shares between the
// transactions committing at once, but each is still a transaction to
// begin, log and wake up, and sampled during the kitchen's load, the
// waits for the WAL (LWLock WALWrite) were over half of what its
// backends did. A lone write goes at once, as a transaction of its
// own, as before.
//
// A write's failure fails its batch (PostgreSQL stops a pipeline's
// implicit transaction at its first error): the writes are then run
// again in two halves, and so on until the failing one is alone, so
// that each is answered with its own outcome.
// A write is answered once its batch has committed and its events are
// announced, as a write of its own is.

import (
	"context"
	"sync"
)

// pipelineWriters is how many batches are sent at once; pipelineMax the
// most writes in one.
const (
	pipelineWriters = 8
	pipelineMax     = 64
)

// pipeline is the writers of a store's pipelined writes, each waiting
// as a pending write (group.go).
type pipeline[TTx any] struct {
	queue   chan *pending[TTx]
	quit    chan struct{}
	writers sync.WaitGroup
}

// startPipeline starts the pipeline writers of s.
func (s *DB[TTx]) startPipeline() {
	p := &pipeline[TTx]{queue: make(chan *pending[TTx]), quit: make(chan struct{})}
	s.pipeline = p
	for range pipelineWriters {
		p.writers.Go(func() {
			batch := make([]*pending[TTx], 0, pipelineMax)
			for {
				var ok bool
				if batch, ok = takeBatch(p.queue, p.quit, batch[:0]); !ok {
					return
				}
				s.commitPipelined(batch)
				clear(batch)
			}
		})
	}
}

// takeBatch waits for a value of queue and appends it to batch, with
// those that wait behind it, up to batch's capacity; false once quit is
// closed.
func takeBatch[T any](queue <-chan T, quit <-chan struct{}, batch []T) ([]T, bool) {
	select {
	case <-quit:
		return batch, false
	case v := <-queue:
		batch = append(batch, v)
	}
	for len(batch) < cap(batch) {
		select {
		case v := <-queue:
			batch = append(batch, v)
		default:
			return batch, true
		}
	}
	return batch, true
}

// stop ends the writers once they have committed what they run.
func (p *pipeline[TTx]) stop() {
	close(p.quit)
	p.writers.Wait()
}

// writePipelined runs fn, which must read nothing (it queues its
// statements, see batch.go), in a batch of a pipeline writer, or as
// write does where there is none.
func (s *DB[TTx]) writePipelined(ctx context.Context, fn func(tx *txn[TTx]) error) error {
	if s.pipeline == nil {
		return s.write(ctx, fn)
	}
	w := &pending[TTx]{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case s.pipeline.queue <- w:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.pipeline.quit:
		return errClosed
	}
	return <-w.done
}

// commitPipelined runs the writes of batch in one transaction, sent in
// one batch, and answers each; when that fails, it runs each half of
// them the same way, so that a write that fails is soon alone, and the
// others commit in a few batches still. The writes only queue their
// statements, so the transaction takes its connection once they have.
func (s *DB[TTx]) commitPipelined(batch []*pending[TTx]) {
	switch len(batch) {
	case 0:
		return
	case 1:
		batch[0].done <- s.write(batch[0].ctx, batch[0].fn)
		return
	}
	tx := &txn[TTx]{}
	errs := make([]error, len(batch))
	ok := 0
	for i, w := range batch {
		if errs[i] = w.ctx.Err(); errs[i] != nil {
			continue
		}
		m := tx.mark()
		if errs[i] = w.fn(tx); errs[i] != nil {
			tx.rollbackTo(m) // nothing of it was sent
			continue
		}
		s.flushEvents(tx)
		ok++
	}
	var err error
	if ok > 0 {
		err = s.commitQueued(tx)
	}
	committed := ok > 0 && err == nil
	if committed {
		err = s.announce(context.Background(), tx.changed) // the outcome of each write
	}
	var again []*pending[TTx]
	for i, w := range batch {
		switch {
		case errs[i] != nil:
		case committed:
			errs[i] = err
		default: // one of them failed the batch, or the batch failed
			again = append(again, w)
			continue
		}
		w.done <- errs[i]
	}
	if len(again) > 0 { // each half on its own, until the failing write is alone
		s.commitPipelined(again[:len(again)/2])
		s.commitPipelined(again[len(again)/2:])
	}
}

// commitQueued begins tx, sends what it has queued, with its jobs, and
// commits; it rolls back what it could not commit.
func (s *DB[TTx]) commitQueued(tx *txn[TTx]) error {
	ctx := context.Background() // the transaction's: each write has its own
	t, err := s.d.Begin(ctx)
	if err != nil {
		return err
	}
	tx.Tx = t
	if err = s.flushJobs(ctx, tx); err == nil {
		err = tx.commit(ctx)
	}
	if err != nil {
		t.Rollback(ctx) //nolint:errcheck // nothing of it is kept
	}
	return err
}
