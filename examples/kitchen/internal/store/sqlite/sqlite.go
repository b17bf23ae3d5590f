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
// run beside the writer, as WAL allows; writes that arrive together are
// committed together (GroupCommit). Each statement is prepared once per
// connection and kept (stmtcache.go).
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	modernc "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/roux-go/roux/idemsql"

	"github.com/roux-go/roux/examples/kitchen/internal/store/sqlstore"
)

// GroupCommit is the most writes the store commits in one transaction:
// writes that arrive while one transaction commits are committed together
// in the next, with one fsync (see package sqlstore's group commit).
const GroupCommit = 64

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
	w := sql.OpenDB(connector{dsn: "file:" + path + "?" + params.Encode(), d: &modernc.Driver{}, whole: true})
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
	r := sql.OpenDB(connector{dsn: "file:" + path + "?" + params.Encode(), d: &modernc.Driver{}})
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4) // database/sql keeps 2 by default: the others would reopen, and prepare again, all the time
	d := &dialect{w: w, r: r, reader: querier{r}, readJobs: riversqlite.New(r).GetExecutor()}
	db, err := sqlstore.New[*sql.Tx](d)
	if err != nil {
		d.Close()
	}
	return db, err
}

// dialect is SQLite's side of package sqlstore.
type dialect struct {
	w, r   *sql.DB
	reader sqlstore.Querier // querier{r}, made once: boxing it allocates
	jobs   sync.Map         // InsertJobs' statements, by number of jobs
	// inGroup runs a write of River's in the store's group writer (set
	// by JoinGroup, as the store is made).
	inGroup  func(ctx context.Context, fn func(tx *sql.Tx) error) error
	readJobs riverdriver.Executor // River's reads of job rows, on the readers
}

var (
	_ sqlstore.JobInserter          = (*dialect)(nil)
	_ sqlstore.GroupJoiner[*sql.Tx] = (*dialect)(nil)
)

func (d *dialect) Driver() riverdriver.Driver[*sql.Tx] { return riverDriver{riversqlite.New(d.w), d} }
func (d *dialect) SQL() (*sql.DB, idemsql.Dialect)     { return d.w, idemsql.SQLite }
func (d *dialect) SingleProcess() bool                 { return true }
func (d *dialect) GroupCommit() int                    { return GroupCommit }
func (d *dialect) Name() string                        { return "sqlite" }
func (d *dialect) Reader() sqlstore.Querier            { return d.reader }
func (d *dialect) AutoID() string                      { return "INTEGER PRIMARY KEY AUTOINCREMENT" }
func (d *dialect) ForUpdate() string                   { return "" } // one writer at a time
func (d *dialect) SkipLocked() string                  { return "" }
func (d *dialect) Close() error                        { return errors.Join(d.r.Close(), d.w.Close()) }

// InsertJobs returns the statement that inserts n River jobs (see
// sqlstore.JobInserter): the row River's driver writes for a job of
// that kind, arguments and attempts, with its other columns at their
// defaults and its times as River's driver writes them when it is given
// none (datetime('now', 'subsec'): the text form its fetches compare).
// Written once for each n.
func (d *dialect) InsertJobs(n int) string {
	if q, ok := d.jobs.Load(n); ok {
		return q.(string)
	}
	var b strings.Builder
	b.WriteString("INSERT INTO river_job (kind, args, max_attempts, created_at, scheduled_at) VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		p := 1 + 3*i
		fmt.Fprintf(&b, "($%d, jsonb($%d), $%d, datetime('now', 'subsec'), datetime('now', 'subsec'))", p, p+1, p+2)
	}
	b.WriteString(" RETURNING id, kind, coalesce(json_extract(args, '$.order_id'), 0)")
	q := b.String()
	d.jobs.Store(n, q)
	return q
}

// JoinGroup takes the store's group writer for River's fetches and
// changes of job states (completer.go).
func (d *dialect) JoinGroup(run func(ctx context.Context, fn func(tx *sql.Tx) error) error) {
	d.inGroup = run
}

// write runs fn in a write transaction: the group writer's, or one of
// its own before the store has joined it.
func (d *dialect) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if d.inGroup != nil {
		return d.inGroup(ctx, fn)
	}
	tx, err := d.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit, nothing to roll back
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// Unavailable reports whether err is SQLite's SQLITE_BUSY (any of its
// extended codes): another process held the file's lock past the busy
// timeout.
func (d *dialect) Unavailable(err error) bool {
	var e *modernc.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_BUSY
}

// Exclusive runs fn: SQLite's write lock, which each of fn's
// transactions takes, serializes processes enough.
func (d *dialect) Exclusive(_ context.Context, fn func() error) error { return fn() }

// Notify does nothing: the file has one process, which sqlstore tells
// itself (and so does not call Notify).
func (d *dialect) Notify(context.Context, []string) error { return nil }

// Listen returns at once: there is no other process to hear.
func (d *dialect) Listen(context.Context, func(string)) {}

// Begin starts a write transaction: BEGIN IMMEDIATE (the _txlock of the
// writer's DSN) on the writer's one connection.
func (d *dialect) Begin(ctx context.Context) (sqlstore.Tx[*sql.Tx], error) {
	tx, err := d.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &txn{querier{tx}, tx, false}, nil
}

// querier runs statements on a pool or in a transaction; the
// connections prepare each text once (stmtcache.go).
type querier struct{ q execer }

// execer is what *sql.DB and *sql.Tx have in common.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (q querier) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := q.q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (q querier) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

func (q querier) QueryRow(ctx context.Context, query string, args ...any) sqlstore.Row {
	return q.q.QueryRowContext(ctx, query, args...) // its Scan reports sql.ErrNoRows, sqlstore.ErrNoRows
}

// txn is a write transaction. Its batches run their statements one after
// the other: the database is in the process, with no round trip to save.
type txn struct {
	querier
	tx    *sql.Tx
	ended bool
}

func (t *txn) Native(context.Context) (*sql.Tx, error) { return t.tx, nil }

// Send runs stmts in order, then commits if asked to.
func (t *txn) Send(ctx context.Context, commit bool, stmts ...sqlstore.Stmt) error {
	if t.ended {
		return sqlstore.ErrTxDone
	}
	for _, s := range stmts {
		if err := t.run(ctx, s); err != nil {
			return err
		}
	}
	if !commit {
		return nil
	}
	t.ended = true
	return t.tx.Commit()
}

// run runs one statement of a batch.
func (t *txn) run(ctx context.Context, s sqlstore.Stmt) error {
	if s.Rows == nil {
		n, err := t.Exec(ctx, s.SQL, s.Args...)
		if err == nil && s.Changed != nil {
			s.Changed(n)
		}
		return err
	}
	rows, err := t.Query(ctx, s.SQL, s.Args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if err := s.Rows(rows); err != nil {
		return err
	}
	return rows.Err()
}

func (t *txn) Rollback(context.Context) error {
	if t.ended {
		return nil
	}
	t.ended = true
	return t.tx.Rollback()
}

// sqlRows are *sql.Rows whose Close returns nothing, as sqlstore wants.
type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { r.Rows.Close() }
