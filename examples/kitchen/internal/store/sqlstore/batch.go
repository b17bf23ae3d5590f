package sqlstore

// This file holds the batching of a write transaction's statements: a
// statement whose result nothing waits for is queued, and goes to the
// database with the next statement that is waited for, or with the
// commit, in one batch (Tx.Send) — on PostgreSQL, one round trip for
// all of them. A transaction that reads and then writes, such as a cook
// step, is then two round trips: its BEGIN with the read, its writes
// with the COMMIT.
//
// What runs through the txn's Querier methods (Exec, Query, QueryRow)
// sees what was queued before it: the queue is sent first.

import "context"

// queue adds stmts to what tx sends with its next batch.
func (tx *txn[TTx]) queue(stmts ...Stmt) {
	tx.queued = append(tx.queued, stmts...)
}

// send sends what tx has queued and then stmts, in one batch.
func (tx *txn[TTx]) send(ctx context.Context, stmts ...Stmt) error {
	all := append(tx.queued, stmts...)
	tx.queued = nil
	if len(all) == 0 {
		return nil
	}
	return tx.Tx.Send(ctx, false, all...)
}

// commit sends what tx has queued and commits, in one batch.
func (tx *txn[TTx]) commit(ctx context.Context) error {
	all := tx.queued
	tx.queued = nil
	return tx.Tx.Send(ctx, true, all...)
}

// Native returns the driver's transaction once what tx has queued is
// sent, so that what runs through it sees all of tx's writes.
func (tx *txn[TTx]) Native(ctx context.Context) (TTx, error) {
	if err := tx.send(ctx); err != nil {
		var none TTx
		return none, err
	}
	return tx.Tx.Native(ctx)
}

// Exec sends a statement, after what tx has queued, and returns how many
// rows it changed.
func (tx *txn[TTx]) Exec(ctx context.Context, sql string, args ...any) (int64, error) {
	var n int64
	err := tx.send(ctx, Stmt{SQL: sql, Args: args, Changed: func(c int64) { n = c }})
	return n, err
}

// Query sends what tx has queued and then runs a statement that returns
// rows (in a round trip of its own: rows are read as they come).
func (tx *txn[TTx]) Query(ctx context.Context, sql string, args ...any) (Rows, error) {
	if err := tx.send(ctx); err != nil {
		return nil, err
	}
	return tx.Tx.Query(ctx, sql, args...)
}

// script sends what tx has queued and then runs sql, which may hold
// several statements (and so no parameters), in a round trip of its own.
func (tx *txn[TTx]) script(ctx context.Context, sql string) (int64, error) {
	if err := tx.send(ctx); err != nil {
		return 0, err
	}
	return tx.Tx.Exec(ctx, sql)
}

// QueryRow returns the first row of a statement, which its Scan sends
// after what tx has queued.
func (tx *txn[TTx]) QueryRow(ctx context.Context, sql string, args ...any) Row {
	return txRow[TTx]{tx, ctx, sql, args}
}

// txRow is the row of a txn's QueryRow.
type txRow[TTx any] struct {
	tx   *txn[TTx]
	ctx  context.Context
	sql  string
	args []any
}

func (r txRow[TTx]) Scan(dest ...any) error {
	var found bool
	err := r.tx.send(r.ctx, Stmt{SQL: r.sql, Args: r.args, Rows: firstRow(&found, dest...)})
	if err == nil && !found {
		return ErrNoRows
	}
	return err
}

// firstRow reads the first of a statement's rows, if any, into dest and
// records in found whether there was one.
func firstRow(found *bool, dest ...any) func(Rows) error {
	return func(rows Rows) error {
		if !rows.Next() {
			return nil
		}
		*found = true
		return rows.Scan(dest...)
	}
}

// eachRow reads every row of a statement with scan.
func eachRow(scan func(Rows) error) func(Rows) error {
	return func(rows Rows) error {
		for rows.Next() {
			if err := scan(rows); err != nil {
				return err
			}
		}
		return nil
	}
}
