// Package sqlite is the kitchen's embedded store: one SQLite database
// file, through modernc.org/sqlite (pure Go, no cgo), running the
// store's one implementation (package sqlstore) over database/sql.
//
// The file is opened in WAL mode with synchronous=FULL, so a committed
// transaction is on disk before the call returns and survives a crash of
// the process or the machine; foreign keys are enforced and a busy
// timeout makes a second process wait for the lock rather than fail.
// Writes go through a pool of one connection, so writers queue in Go
// instead of contending for SQLite's lock; reads use their own pool and
// run beside the writer, as WAL allows. Each statement is prepared once
// per connection and kept (see stmtCache).
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/roux-go/roux/examples/kitchen/internal/store/sqlstore"
)

// DB is the store in one SQLite file.
type DB = sqlstore.DB[*sql.Tx]

// Open opens (creating it if needed) the database file at path. Call
// Migrate before using it.
func Open(path string) (*DB, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("sqlite: bad database path %q", path)
	}
	params := url.Values{}
	params.Add("_pragma", "busy_timeout(10000)")
	params.Add("_pragma", "journal_mode(WAL)")
	params.Add("_pragma", "synchronous(FULL)")
	params.Add("_pragma", "foreign_keys(1)")
	params.Set("_txlock", "immediate")
	w, err := sql.Open("sqlite", "file:"+path+"?"+params.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	// Open the writer first, so that the file exists and is in WAL mode
	// before readers open it.
	if err := w.Ping(); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: opening %s: %w", path, err)
	}
	params.Set("_pragma", "busy_timeout(10000)")
	params.Add("_pragma", "foreign_keys(1)")
	params.Add("_pragma", "query_only(1)")
	params.Del("_txlock")
	r, err := sql.Open("sqlite", "file:"+path+"?"+params.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	r.SetMaxOpenConns(4)
	d := &dialect{w: newStmtCache(w), r: newStmtCache(r)}
	db, err := sqlstore.New[*sql.Tx](d)
	if err != nil {
		d.Close()
	}
	return db, err
}

// dialect is SQLite's side of package sqlstore.
type dialect struct {
	w, r *stmtCache
}

func (d *dialect) Driver() riverdriver.Driver[*sql.Tx] { return riversqlite.New(d.w.db) }
func (d *dialect) SingleProcess() bool                 { return true }
func (d *dialect) Name() string                        { return "sqlite" }
func (d *dialect) Reader() sqlstore.Querier            { return querier{c: d.r} }
func (d *dialect) AutoID() string                      { return "INTEGER PRIMARY KEY AUTOINCREMENT" }
func (d *dialect) ForUpdate() string                   { return "" } // one writer at a time
func (d *dialect) SkipLocked() string                  { return "" }
func (d *dialect) Close() error                        { return errors.Join(d.r.close(), d.w.close()) }

// Exclusive runs fn: SQLite's write lock, which each of fn's
// transactions takes, serializes processes enough.
func (d *dialect) Exclusive(_ context.Context, fn func() error) error { return fn() }

// Notify does nothing: the file has one process, which sqlstore tells
// itself.
func (d *dialect) Notify(context.Context, sqlstore.Tx[*sql.Tx], string) error { return nil }

// Listen returns at once: there is no other process to hear.
func (d *dialect) Listen(context.Context, func(string)) {}

// Begin starts a write transaction: BEGIN IMMEDIATE (the _txlock of the
// writer's DSN) on the writer's one connection.
func (d *dialect) Begin(ctx context.Context) (sqlstore.Tx[*sql.Tx], error) {
	tx, err := d.w.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return txn{querier{c: d.w, tx: tx, mu: new(sync.Mutex), missed: new([]string)}}, nil
}

// stmtCache keeps the statements prepared on a pool, one per SQL text:
// database/sql prepares a Stmt once on each connection that runs it and
// reuses it after (Tx.StmtContext finds it too). Statements without
// arguments (migrations, which hold several statements) are not
// prepared; past maxStmts distinct texts, new ones run unprepared.
//
// Preparing on the pool takes a connection, and the writer has only one,
// which a transaction holds: a statement first met in a transaction is
// prepared for that transaction alone, then on the pool once the
// transaction has ended.
type stmtCache struct {
	db *sql.DB
	mu sync.RWMutex
	m  map[string]*sql.Stmt
}

const maxStmts = 256

func newStmtCache(db *sql.DB) *stmtCache { return &stmtCache{db: db, m: map[string]*sql.Stmt{}} }

// lookup returns the prepared statement of query, or nil.
func (c *stmtCache) lookup(query string) *sql.Stmt {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[query]
}

// prepare prepares query on the pool and keeps it, unless the cache is
// full; it returns nil then. It holds no lock while it prepares, which
// waits for a connection.
func (c *stmtCache) prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.RLock()
	st, ok := c.m[query]
	full := len(c.m) >= maxStmts || c.m == nil
	c.mu.RUnlock()
	if ok || full {
		return st, nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.m[query]; ok || c.m == nil { // another goroutine was first, or closed
		st.Close()
		return prev, nil
	}
	c.m[query] = st
	return st, nil
}

func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = nil
	return c.db.Close()
}

// execer is what *sql.DB, *sql.Tx and stmtExecer have in common.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// querier runs statements, prepared, on the pool of c or in tx.
type querier struct {
	c  *stmtCache
	tx *sql.Tx     // nil: on the pool
	mu *sync.Mutex // guards missed, in a transaction
	// missed are the statements this transaction met unprepared.
	missed *[]string
}

// on returns what runs query: its prepared statement (in tx if there
// is one), or tx or the pool.
func (q querier) on(ctx context.Context, query string, args []any) (execer, error) {
	if len(args) == 0 {
		if q.tx != nil {
			return q.tx, nil
		}
		return q.c.db, nil
	}
	st := q.c.lookup(query)
	switch {
	case st != nil && q.tx != nil:
		return stmtExecer{q.tx.StmtContext(ctx, st)}, nil
	case st != nil:
		return stmtExecer{st}, nil
	case q.tx != nil:
		q.mu.Lock()
		*q.missed = append(*q.missed, query)
		q.mu.Unlock()
		return q.tx, nil
	}
	st, err := q.c.prepare(ctx, query)
	if err != nil || st == nil {
		return q.c.db, err
	}
	return stmtExecer{st}, nil
}

func (q querier) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	e, err := q.on(ctx, query, args)
	if err != nil {
		return 0, err
	}
	res, err := e.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (q querier) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	e, err := q.on(ctx, query, args)
	if err != nil {
		return nil, err
	}
	rows, err := e.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

func (q querier) QueryRow(ctx context.Context, query string, args ...any) sqlstore.Row {
	e, err := q.on(ctx, query, args)
	if err != nil {
		return errRow{err}
	}
	return sqlRow{e.QueryRowContext(ctx, query, args...)}
}

// txn is a write transaction.
type txn struct{ querier }

func (t txn) Native() *sql.Tx { return t.tx }

func (t txn) Commit(ctx context.Context) error {
	err := t.tx.Commit()
	t.prepareMissed(ctx)
	return err
}

func (t txn) Rollback(ctx context.Context) error {
	err := t.tx.Rollback()
	t.prepareMissed(ctx)
	return err
}

// prepareMissed prepares on the pool, now that the transaction has let
// the connection go, the statements it ran unprepared. A failure here
// only means they stay unprepared.
func (t txn) prepareMissed(ctx context.Context) {
	for _, q := range *t.missed {
		t.c.prepare(ctx, q) //nolint:errcheck // see above
	}
}

// stmtExecer runs a prepared statement, ignoring the text it is given.
type stmtExecer struct{ st *sql.Stmt }

func (s stmtExecer) ExecContext(ctx context.Context, _ string, args ...any) (sql.Result, error) {
	return s.st.ExecContext(ctx, args...)
}

func (s stmtExecer) QueryContext(ctx context.Context, _ string, args ...any) (*sql.Rows, error) {
	return s.st.QueryContext(ctx, args...)
}

func (s stmtExecer) QueryRowContext(ctx context.Context, _ string, args ...any) *sql.Row {
	return s.st.QueryRowContext(ctx, args...)
}

// sqlRows are *sql.Rows whose Close returns nothing, as sqlstore wants.
type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { r.Rows.Close() }

// sqlRow is a *sql.Row whose Scan reports no row as sqlstore.ErrNoRows.
type sqlRow struct{ r *sql.Row }

func (r sqlRow) Scan(dest ...any) error {
	err := r.r.Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return sqlstore.ErrNoRows
	}
	return err
}

// errRow is a row whose statement could not be prepared.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }
