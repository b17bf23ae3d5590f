// Package sqlstore is the one implementation of [store.Store] that both
// backends run: every query, every transaction and every rule of the
// kitchen's persistence is written here once, over a [Dialect] that each
// backend (packages sqlite and postgres) supplies.
//
// # Why a dialect and not generated code
//
// The two databases accept the same SQL for everything the kitchen does:
// $1-style parameters (modernc.org/sqlite binds $N by position, as
// PostgreSQL does), RETURNING, string_agg (SQLite 3.44 and later),
// integer times and cents, and the schema itself but for the type of an
// auto-numbered key. What truly differs is small and is all the
// Dialect holds: the driver and its transactions (database/sql for
// SQLite, pgx for PostgreSQL), row locks (FOR UPDATE, SKIP LOCKED, which
// SQLite, with one writer, does not need), serializing migrations, the
// schema files, and — where River's table takes jobs written by SQL
// (PostgreSQL, JobWriter) — the one statement that places an order with
// its job. sqlc would generate one package per engine, with
// different types for each (database/sql against pgx), and so keep two
// copies of every method in the tree, plus a generator in the build;
// one implementation over a dialect keeps one.
//
// # Statements prepared once
//
// Every statement goes through the dialect's Querier, which prepares it
// once per connection and reuses it: pgx does so itself (its statement
// cache), the SQLite dialect keeps a cache of *sql.Stmt per pool.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/idemsql"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// ErrNoRows is what a Row's Scan returns when the query found no row:
// database/sql's, which pgx's ErrNoRows also is (errors.Is), so that a
// dialect returns its driver's row as it is, without a wrapper to box.
var ErrNoRows = sql.ErrNoRows

// Row is the single row of a query; Scan returns ErrNoRows when there is
// none.
type Row interface {
	Scan(dest ...any) error
}

// Rows are the rows of a query, read with Next and Scan and closed with
// Close (which Next does at the end).
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Querier runs statements on a pool or in a transaction. Its methods
// take the SQL text with $1, $2... parameters; an implementation
// prepares each text once per connection.
type Querier interface {
	// Exec runs a statement and returns how many rows it changed.
	Exec(ctx context.Context, sql string, args ...any) (int64, error)
	Query(ctx context.Context, sql string, args ...any) (Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) Row
}

// Stmt is a statement sent in a batch (Tx.Send): its SQL text with $1,
// $2... parameters, its arguments, and what reads its outcome.
//
// A batch is run as a whole: on PostgreSQL its statements reach the
// server together and the ones after a statement run even if its Rows
// fails. So whatever must stop a transaction is a statement's own error
// (a constraint, a NOT NULL), never a check in Rows: a batch that
// commits may read results, but not to decide whether to commit.
type Stmt struct {
	SQL  string
	Args []any
	// Rows, when set, reads the rows the statement returns; it must not
	// keep them. Without it, the statement's rows are discarded.
	Rows func(Rows) error
	// Changed, when set (and Rows is not), is told how many rows the
	// statement changed.
	Changed func(n int64)
}

// ErrTxDone is what a transaction's Send returns once the transaction
// has ended.
var ErrTxDone = errors.New("sqlstore: the transaction has been committed or rolled back")

// Tx is a write transaction: statements sent in batches, the driver's
// own transaction value (for what must write in the same transaction
// through another library, such as the job queue), and its end.
//
// Where the database is across a network (PostgreSQL), a batch is one
// round trip: its statements are pipelined, the transaction's BEGIN goes
// with the first batch and its COMMIT with the last, so a transaction
// whose later statements need no result of its earlier ones costs one
// round trip, and one that reads before it writes costs two.
type Tx[TTx any] interface {
	// Exec runs a statement, or several without arguments (a
	// migration's script), and Query one that returns rows, after the
	// transaction's begin, each in a round trip of its own.
	Exec(ctx context.Context, sql string, args ...any) (int64, error)
	Query(ctx context.Context, sql string, args ...any) (Rows, error)
	// Send runs stmts in order, beginning the transaction first if
	// nothing has begun it yet, and then, with commit, commits it. It
	// returns the first error, of a statement or of a Rows. After a
	// statement's error nothing more of the batch takes effect, and the
	// transaction is to be rolled back. A Rows error stops nothing the
	// database runs: on PostgreSQL the rest of the batch, its COMMIT
	// included, went with it (see Stmt).
	Send(ctx context.Context, commit bool, stmts ...Stmt) error
	// Native returns the driver's transaction, begun.
	Native(ctx context.Context) (TTx, error)
	// Rollback ends the transaction, undoing what it did, unless it has
	// ended (committed, or rolled back with a batch that failed to
	// commit): then it does nothing and returns nil.
	Rollback(ctx context.Context) error
}

// Dialect is what a backend supplies: its connections and what its SQL
// does differently.
type Dialect[TTx any] interface {
	// Name prefixes the store's error messages ("sqlite", "postgres").
	Name() string
	// Reader runs reads that are not part of a write.
	Reader() Querier
	// Begin starts a write transaction. It may send nothing yet: the
	// transaction's first batch begins it (Tx.Send).
	Begin(ctx context.Context) (Tx[TTx], error)
	// Exclusive runs fn, which migrates, so that processes starting at
	// once migrate one after the other.
	Exclusive(ctx context.Context, fn func() error) error
	// AutoID is the column type of an auto-numbered primary key, which
	// stands for {{id}} in the migrations.
	AutoID() string
	// ForUpdate is the clause that locks the rows a SELECT reads until
	// the transaction ends (" FOR UPDATE"), or "" where one writer at a
	// time makes it needless.
	ForUpdate() string
	// SkipLocked is ForUpdate that passes over rows another transaction
	// holds (" FOR UPDATE SKIP LOCKED"), or "".
	SkipLocked() string
	// Notify sends each of payloads to the processes that Listen
	// (PostgreSQL's NOTIFY), at once, in a transaction of its own. It is
	// not called where one process at a time uses the database
	// (SingleProcess).
	Notify(ctx context.Context, payloads []string) error
	// Listen calls fn with the payload of every Notify of any process
	// until ctx ends, and with "" when it may have missed some (it lost
	// its connection). Where there is nothing to listen to (SQLite), it
	// returns at once.
	Listen(ctx context.Context, fn func(payload string))
	// SingleProcess reports whether one process at a time uses the
	// database (SQLite).
	SingleProcess() bool
	// GroupCommit is the most writes the store commits in one
	// transaction (see group.go), for a database with one writer; 0 or 1
	// where each write commits on its own, in parallel with others
	// (PostgreSQL, which also shares its WAL flushes between them).
	GroupCommit() int
	// Driver is River's driver for the dialect's pool.
	Driver() riverdriver.Driver[TTx]
	// SQL returns the database through database/sql, on the connections
	// the writes use, and its dialect for package idemsql, which keeps
	// roux's idempotency keys there.
	SQL() (*sql.DB, idemsql.Dialect)
	// Unavailable reports whether err, from the dialect's driver, says
	// that the database refuses or cannot take connections or statements
	// now but may soon (see store.Store's Unavailable).
	Unavailable(err error) bool
	// Close closes the connections.
	Close() error
}

// DB is a [store.Store] over a dialect.
type DB[TTx any] struct {
	d   Dialect[TTx]
	now func() time.Time
	// inserter queues and cancels jobs in the store's transactions; it
	// works none (see StartWork).
	inserter   *river.Client[TTx]
	work       worker[TTx]
	events     events
	group      *group[TTx]    // nil without group commit
	pipeline   *pipeline[TTx] // nil with group commit (pipeline.go)
	runs       runs           // of the jobs this process worked
	deliveries deliveries     // of the webhook messages this process delivered
	idem       *idemsql.Store
	orderIdem  *idemsql.Store // idem, for the orders that record their key
	closeOnce  sync.Once      // of Close: the group's and the pipeline's stop close channels
}

var _ store.Store = (*DB[any])(nil)

// New returns the store that runs on d.
func New[TTx any](d Dialect[TTx]) (*DB[TTx], error) {
	inserter, err := river.NewClient(d.Driver(), &river.Config{Logger: discardLogger})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d.Name(), err)
	}
	s := &DB[TTx]{d: d, now: time.Now, inserter: inserter}
	s.deliveries.attempts.Store(defaultDeliveryAttempts)
	var notify func(context.Context, []string) error
	if !d.SingleProcess() {
		notify = d.Notify
	}
	s.events.init(d.Listen, notify)
	if n := d.GroupCommit(); n > 1 {
		s.startGroup(n)
		s.joinGroup(d)
	} else if _, ok := d.(JobWriter); ok {
		s.startPipeline()
	}
	db, dialect := d.SQL()
	s.idem = idemsql.New(db, dialect, s.idemWrites()...)
	s.orderIdem = s.idem.OrderedAnswers()
	return s, nil
}

// Dialect returns the dialect the store runs on.
func (s *DB[TTx]) Dialect() Dialect[TTx] { return s.d }

// Close stops the work, if any, and closes the database. Calls after
// the first do nothing and return nil.
func (s *DB[TTx]) Close() error {
	var err error
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err = s.StopWork(ctx)
		s.events.close()
		if s.group != nil {
			s.group.stop()
		}
		if s.pipeline != nil {
			s.pipeline.stop()
		}
		err = errors.Join(err, s.d.Close())
	})
	return err
}

// Unavailable reports whether err, from one of the store's methods, says
// that the database cannot take the request now but may later: the
// dialect's driver says so (its connections refused, its file locked),
// or the context's deadline passed while the request waited for it.
func (s *DB[TTx]) Unavailable(err error) bool {
	return err != nil && (errors.Is(err, context.DeadlineExceeded) || s.d.Unavailable(err))
}

// Idempotency returns the store of roux's idempotency keys, in the
// store's database.
func (s *DB[TTx]) Idempotency() roux.IdempotencyStore { return s.idem }

// OrderIdempotency returns the store of the keys of orders, which record
// their key (CreateOrder): with group commit, their successful answers
// are not waited for (idemsql's OrderedAnswers).
func (s *DB[TTx]) OrderIdempotency() roux.IdempotencyStore { return s.orderIdem }

// Ping checks that the database answers, and that the group writer has
// not stopped (group.go).
func (s *DB[TTx]) Ping(ctx context.Context) error {
	if s.group != nil {
		if err := s.group.errStopped(); err != nil {
			return err
		}
	}
	var one int
	return s.d.Reader().QueryRow(ctx, "SELECT 1").Scan(&one)
}

// txn is a write transaction, the statements it holds for its next
// batch (batch.go), the orders whose events it appended, and what it
// leaves for its end (pending.go).
type txn[TTx any] struct {
	Tx[TTx]
	queued     []Stmt
	changed    []int64
	events     []pendingEvent
	sets       []orderSet
	expected   *expectation // of the order whose events it appends, if any
	jobs       []cookArgs   // the cook jobs to queue
	deliveries []*delivery  // the webhook messages to deliver, if their customers have endpoints
}

// write runs fn in a write transaction and commits it; it rolls back
// when fn fails. When the transaction has appended events, it announces
// them once committed (events.go), and returns when that is done. With
// group commit, the transaction is shared with other writes (see
// group.go) and fn's part of it is rolled back alone.
//
// What fn and the end of the transaction queue (its events) goes with
// the commit, in one batch.
func (s *DB[TTx]) write(ctx context.Context, fn func(tx *txn[TTx]) error) error {
	if s.group != nil {
		return s.group.do(ctx, fn)
	}
	t, err := s.d.Begin(ctx)
	if err != nil {
		return err
	}
	tx := &txn[TTx]{Tx: t}
	err = fn(tx)
	if err == nil {
		s.flushEvents(tx)
		err = s.flushJobs(ctx, tx)
	}
	if err == nil {
		err = tx.commit(ctx)
	}
	if err != nil {
		t.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // the error that matters is fn's
		return err
	}
	return s.announce(ctx, tx.changed)
}

// announce tells this process's subscribers and then the other
// processes' that orders ids have new events, committed.
func (s *DB[TTx]) announce(ctx context.Context, ids []int64) error {
	s.events.publish(ids)
	if err := s.events.announce(ctx, ids); err != nil {
		return fmt.Errorf("committed, but announcing the events failed: %w", err)
	}
	return nil
}

// wrap prefixes err with the backend's name and what failed, leaving the
// store's own errors recognizable.
func (s *DB[TTx]) wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %s: %w", s.d.Name(), what, err)
}

// Migrate applies the migrations not yet applied, River's and the
// kitchen's, all in one transaction, and records the kitchen's in
// schema_migrations. Orders that a kitchen from before River left
// unfinished get their cook job.
func (s *DB[TTx]) Migrate(ctx context.Context) (from, to int, err error) {
	sub, _ := fs.Sub(migrationFiles, "migrations")
	ms, err := store.Migrations(sub)
	if err != nil {
		return 0, 0, err
	}
	err = s.d.Exclusive(ctx, func() error {
		// River's first: its versions run in transactions of their own
		// (PostgreSQL cannot use an enum value in the transaction that
		// adds it), and the kitchen's may queue jobs.
		if err := s.migrateQueue(ctx); err != nil {
			return err
		}
		return s.write(ctx, func(tx *txn[TTx]) error { return s.migrate(ctx, tx, ms, &from, &to) })
	})
	if err != nil {
		return 0, 0, s.wrap("migrate", err)
	}
	return from, to, nil
}

// migrate applies the kitchen's migrations in tx.
func (s *DB[TTx]) migrate(ctx context.Context, tx *txn[TTx], ms []store.Migration, from, to *int) error {
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		return err
	}
	if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(from); err != nil {
		return err
	}
	if err := store.CheckVersion(*from, ms); err != nil {
		return err
	}
	*to = *from
	for _, m := range ms[*from:] {
		_, dialect := s.d.SQL()
		text := strings.NewReplacer("{{id}}", s.d.AutoID(), "{{idempotency}}", idemsql.Schema(dialect)).Replace(m.SQL)
		if _, err := tx.script(ctx, text); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
			m.Version, m.Name, store.Millis(s.now())); err != nil {
			return err
		}
		*to = m.Version
	}
	if *from == 1 {
		return s.requeue(ctx, tx)
	}
	return nil
}

// scanAll reads every row of rows with scan.
func scanAll(rows Rows, err error, scan func(Rows) error) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
