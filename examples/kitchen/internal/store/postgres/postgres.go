// Package postgres is the kitchen's shared store: a PostgreSQL database,
// through github.com/jackc/pgx/v5's connection pool, running the store's
// one implementation (package sqlstore). Several kitchen instances may
// use one database at once: every conditional change is one UPDATE whose
// WHERE clause states the condition, writes to an order take its row
// lock first (so its events commit in sequence order), and claims of
// abandoned orders skip rows another instance has locked. pgx prepares
// each statement once per connection (its statement cache).
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/roux-go/roux/idemsql"

	"github.com/roux-go/roux/examples/kitchen/internal/store/sqlstore"
)

// migrationLock is the advisory lock key that serializes migrations of
// instances starting at once.
const migrationLock = 7_263_548_101

// DefaultMaxConns is the size of the connection pool when the URL does
// not set one (pool_max_conns).
const DefaultMaxConns = 32

// DB is the store in a PostgreSQL database.
type DB = sqlstore.DB[pgx.Tx]

// Open connects to the database at url (postgres://user:pass@host/db),
// with a pool of DefaultMaxConns connections unless the URL sets
// pool_max_conns. Parameters pgx does not know, such as search_path, are
// sent to the server as run-time settings. Call Migrate before using it.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if !strings.Contains(url, "pool_max_conns=") {
		// pgxpool's default, the number of CPUs (4 at least), makes
		// concurrent requests queue for a connection while PostgreSQL
		// idles: each waits on round trips, not on the CPU.
		cfg.MaxConns = DefaultMaxConns
	}
	p, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	d := &dialect{pool: p, sql: stdlib.OpenDBFromPool(p)}
	db, err := sqlstore.New[pgx.Tx](d)
	if err != nil {
		d.Close()
	}
	return db, err
}

// dialect is PostgreSQL's side of package sqlstore.
type dialect struct {
	pool *pgxpool.Pool
	sql  *sql.DB // over pool, for package idemsql
}

func (d *dialect) Driver() riverdriver.Driver[pgx.Tx] { return riverpgxv5.New(d.pool) }
func (d *dialect) SQL() (*sql.DB, idemsql.Dialect)    { return d.sql, idemsql.PostgreSQL }
func (d *dialect) SingleProcess() bool                { return false }
func (d *dialect) GroupCommit() int                   { return 0 }
func (d *dialect) Name() string                       { return "postgres" }
func (d *dialect) Reader() sqlstore.Querier           { return querier{d.pool} }
func (d *dialect) AutoID() string                     { return "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY" }
func (d *dialect) ForUpdate() string                  { return " FOR UPDATE" }
func (d *dialect) SkipLocked() string                 { return " FOR UPDATE SKIP LOCKED" }
func (d *dialect) Close() error                       { err := d.sql.Close(); d.pool.Close(); return err }

// Exclusive runs fn holding a session advisory lock, on a connection
// kept aside for it.
func (d *dialect) Exclusive(ctx context.Context, fn func() error) error {
	conn, err := d.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(migrationLock)); err != nil {
		return err
	}
	err = fn()
	_, uerr := conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", int64(migrationLock))
	return errors.Join(err, uerr)
}

// channel is the LISTEN/NOTIFY channel of new events.
const channel = "kitchen_events"

// Notify sends payload on the channel when tx commits.
func (d *dialect) Notify(ctx context.Context, tx sqlstore.Tx[pgx.Tx], payload string) error {
	_, err := tx.Exec(ctx, "SELECT pg_notify($1, $2)", channel, payload)
	return err
}

// Listen listens on the channel with a connection of its own, outside
// the pool, until ctx ends; it reconnects after a failure, waiting a
// little longer each time (up to 2s), and calls fn("") once it listens
// again, for what it may have missed.
func (d *dialect) Listen(ctx context.Context, fn func(payload string)) {
	backoff := 50 * time.Millisecond
	for first := true; ctx.Err() == nil; first = false {
		if !first {
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 2*time.Second)
		}
		conn, err := pgx.ConnectConfig(ctx, d.pool.Config().ConnConfig)
		if err != nil {
			continue
		}
		if _, err := conn.Exec(ctx, "LISTEN "+channel); err == nil {
			if !first {
				fn("")
			}
			backoff = 50 * time.Millisecond
			for {
				n, err := conn.WaitForNotification(ctx)
				if err != nil {
					break
				}
				fn(n.Payload)
			}
		}
		conn.Close(context.WithoutCancel(ctx))
	}
}

// Begin starts a transaction.
func (d *dialect) Begin(ctx context.Context) (sqlstore.Tx[pgx.Tx], error) {
	tx, err := d.pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	return txn{querier{tx}, tx}, nil
}

// pgxQuerier is what the pool and a transaction have in common.
type pgxQuerier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// querier runs statements on the pool or in a transaction.
type querier struct{ q pgxQuerier }

func (q querier) Exec(ctx context.Context, sql string, args ...any) (int64, error) {
	tag, err := q.q.Exec(ctx, sql, args...)
	return tag.RowsAffected(), err
}

func (q querier) Query(ctx context.Context, sql string, args ...any) (sqlstore.Rows, error) {
	return q.q.Query(ctx, sql, args...)
}

func (q querier) QueryRow(ctx context.Context, sql string, args ...any) sqlstore.Row {
	return row{q.q.QueryRow(ctx, sql, args...)}
}

// txn is a transaction.
type txn struct {
	querier
	tx pgx.Tx
}

func (t txn) Native() pgx.Tx                     { return t.tx }
func (t txn) Commit(ctx context.Context) error   { return t.tx.Commit(ctx) }
func (t txn) Rollback(ctx context.Context) error { return t.tx.Rollback(ctx) }

// row is a pgx.Row whose Scan reports no row as sqlstore.ErrNoRows.
type row struct{ r pgx.Row }

func (r row) Scan(dest ...any) error {
	err := r.r.Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return sqlstore.ErrNoRows
	}
	return err
}
