package sqlite

// This file holds the statement cache: a database/sql driver over
// modernc.org/sqlite's whose connections keep every statement they
// prepare, by its text, and run a text they have seen with its prepared
// statement. So every statement is parsed and planned once per
// connection — the store's and the job queue's alike (River's SQLite
// driver runs its SQL as text through database/sql, and parsing it again
// on every call was a third of the kitchen's CPU time under load).
//
// Texts without arguments (migrations, which hold several statements,
// and transaction control) run unprepared, as the driver runs them. A
// statement whose rows are still being read when its text comes again
// (a query run while another of the same text is open) runs as a
// statement of its own, closed after. Past maxStmts texts a connection
// caches no more.

import (
	"context"
	"database/sql/driver"
	"errors"

	modernc "modernc.org/sqlite"
)

// maxStmts is the most statements one connection keeps.
const maxStmts = 512

// connector opens connections of modernc's driver to dsn, each with its
// statement cache.
type connector struct {
	dsn string
	d   *modernc.Driver
	// whole runs every statement to its end, whatever its context: the
	// driver interrupts a statement whose context ends
	// (sqlite3_interrupt), and SQLite then rolls back the whole
	// transaction of an INSERT, UPDATE or DELETE interrupted — on the
	// writer, the group writer's, with the writes of others in it
	// (answered ordered ones included), after which its later statements
	// would run outside any transaction. A statement whose context has
	// ended before it starts still does not run (database/sql's check),
	// and the write whose context it is fails alone, as it should.
	whole bool
}

func (c connector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.d.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &cachingConn{conn: conn.(modernConn), stmts: map[string]*cachedStmt{}, whole: c.whole}, nil
}

func (c connector) Driver() driver.Driver { return c.d }

// modernConn is what database/sql uses of a modernc.org/sqlite
// connection.
type modernConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// cachingConn is a connection with its statement cache. database/sql
// uses a connection from one goroutine at a time, so it needs no lock.
type cachingConn struct {
	conn  modernConn
	stmts map[string]*cachedStmt
	whole bool // the connector's
}

// cachedStmt is a prepared statement, whether rows of it are open, and
// those rows: a statement runs one query at a time, so its rows are kept
// with it and a cached statement's query allocates nothing here.
type cachedStmt struct {
	st   stmtRunner
	busy bool
	own  bool // not in the cache: closed with its rows
	rows releasingRows
}

// stmtRunner is what a prepared statement of modernc's driver does.
type stmtRunner interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

var _ modernConn = (*cachingConn)(nil)

// stmt returns the prepared statement of query, marked busy: the cached
// one, or one of its own (own set) when the cached one is busy or the
// cache is full. Give it back with release.
func (c *cachingConn) stmt(ctx context.Context, query string) (*cachedStmt, error) {
	if cs, ok := c.stmts[query]; ok && !cs.busy {
		cs.busy = true
		return cs, nil
	}
	st, err := c.conn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	cs := &cachedStmt{st: st.(stmtRunner), busy: true}
	if _, ok := c.stmts[query]; ok || len(c.stmts) >= maxStmts {
		cs.own = true
		return cs, nil
	}
	c.stmts[query] = cs
	return cs, nil
}

// release gives a statement back: free again, or closed if it was its own.
func (cs *cachedStmt) release() {
	cs.busy = false
	if cs.own {
		cs.st.Close()
	}
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if c.whole {
		ctx = context.WithoutCancel(ctx)
	}
	if len(args) == 0 {
		return c.conn.ExecContext(ctx, query, args)
	}
	cs, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	defer cs.release()
	return cs.st.ExecContext(ctx, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if c.whole {
		ctx = context.WithoutCancel(ctx)
	}
	if len(args) == 0 {
		return c.conn.QueryContext(ctx, query, args)
	}
	cs, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := cs.st.QueryContext(ctx, args)
	if err != nil {
		cs.release()
		return nil, err
	}
	cs.rows = releasingRows{Rows: rows, stmt: cs}
	return &cs.rows, nil
}

// releasingRows gives its statement back when closed.
type releasingRows struct {
	driver.Rows
	stmt *cachedStmt
}

func (r *releasingRows) Close() error {
	err := r.Rows.Close()
	if cs := r.stmt; cs != nil {
		r.stmt = nil
		cs.release()
	}
	return err
}

func (c *cachingConn) Prepare(query string) (driver.Stmt, error) { return c.conn.Prepare(query) }
func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.conn.PrepareContext(ctx, query)
}
func (c *cachingConn) Begin() (driver.Tx, error) {
	return c.conn.BeginTx(context.Background(), driver.TxOptions{})
} //nolint:staticcheck // driver.Conn requires it
func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.conn.BeginTx(ctx, opts)
}
func (c *cachingConn) Ping(ctx context.Context) error         { return c.conn.Ping(ctx) }
func (c *cachingConn) ResetSession(ctx context.Context) error { return c.conn.ResetSession(ctx) }
func (c *cachingConn) IsValid() bool                          { return c.conn.IsValid() }

// Close closes the cached statements and the connection.
func (c *cachingConn) Close() error {
	var errs []error
	for _, cs := range c.stmts {
		errs = append(errs, cs.st.Close())
	}
	c.stmts = nil
	return errors.Join(append(errs, c.conn.Close())...)
}
