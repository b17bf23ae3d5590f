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
	"net"
	"strings"
	"sync"
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
	return open(ctx, cfg)
}

// open connects with cfg.
func open(ctx context.Context, cfg *pgxpool.Config) (*DB, error) {
	p, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	d := &dialect{pool: p, sql: stdlib.OpenDBFromPool(p), reader: querier{p}}
	db, err := sqlstore.New[pgx.Tx](d)
	if err != nil {
		d.Close()
	}
	return db, err
}

// dialect is PostgreSQL's side of package sqlstore.
type dialect struct {
	pool   *pgxpool.Pool
	sql    *sql.DB          // over pool, for package idemsql
	reader sqlstore.Querier // querier{pool}, made once: boxing it allocates
	place  sync.Map         // PlaceOrder's statements, by number of lines
}

var _ sqlstore.JobWriter = (*dialect)(nil)

func (d *dialect) Driver() riverdriver.Driver[pgx.Tx] { return riverpgxv5.New(d.pool) }
func (d *dialect) SQL() (*sql.DB, idemsql.Dialect)    { return d.sql, idemsql.PostgreSQL }
func (d *dialect) SingleProcess() bool                { return false }
func (d *dialect) GroupCommit() int                   { return 0 }
func (d *dialect) Name() string                       { return "postgres" }
func (d *dialect) Reader() sqlstore.Querier           { return d.reader }
func (d *dialect) AutoID() string                     { return "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY" }
func (d *dialect) ForUpdate() string                  { return " FOR UPDATE" }
func (d *dialect) SkipLocked() string                 { return " FOR UPDATE SKIP LOCKED" }
func (d *dialect) Close() error                       { err := d.sql.Close(); d.pool.Close(); return err }

// Unavailable reports whether err says that PostgreSQL cannot take a
// connection or a statement now but may soon: the server refuses
// connections (SQLSTATE 53300 too_many_connections, for max_connections
// or a role's or database's CONNECTION LIMIT; 57P03 cannot_connect_now,
// while it starts, stops or recovers), it ended the connection as it
// shut down (57P01, 57P02), or it cannot be reached at all. A
// connection the pool could not open reaches its caller as the pool's
// acquire error, a pgconn.ConnectError that wraps the server's error.
func (d *dialect) Unavailable(err error) bool { return unavailable(err) }

func unavailable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "53300", "57P01", "57P02", "57P03":
			return true
		}
		return false
	}
	var ce *pgconn.ConnectError
	var ne *net.OpError
	return errors.As(err, &ce) && errors.As(err, &ne) // no answer: refused, unreachable, timed out
}

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

// PlaceOrder returns the statement that places an order of n lines (see
// sqlstore.JobWriter): data-modifying WITH queries, which see one
// snapshot and each other only through what they return. The cook job's
// id is taken from River's sequence first, so that the order's row and
// the job's each hold the other's id. Written once for each n.
func (d *dialect) PlaceOrder(n int) string {
	if q, ok := d.place.Load(n); ok {
		return q.(string)
	}
	var lines strings.Builder
	for i := range n {
		if i > 0 {
			lines.WriteString(", ")
		}
		p := 11 + 3*i
		fmt.Fprintf(&lines, "(CAST($%d AS BIGINT), CAST($%d AS BIGINT), CAST($%d AS BIGINT))", p, p+1, p+2)
	}
	q := `WITH o AS (
		INSERT INTO orders (customer_id, status, note, version, event_seq, created_at, updated_at, idempotency_key, job_id)
		SELECT CAST($1 AS BIGINT), CAST($2 AS TEXT), CAST($3 AS TEXT), 2, 1, CAST($4 AS BIGINT), CAST($4 AS BIGINT), CAST($9 AS TEXT),
			nextval('river_job_id_seq')
		WHERE NOT EXISTS (SELECT 1 FROM orders WHERE idempotency_key = CAST($9 AS TEXT) AND customer_id = CAST($1 AS BIGINT) AND created_at > CAST($10 AS BIGINT))
		RETURNING id, job_id),
	l AS (
		INSERT INTO order_items (order_id, line, dish_id, name, unit_price_cents, quantity, station, prep_seconds, status)
		SELECT o.id, v.line, d.id, d.name, d.price_cents, v.quantity, d.station, d.prep_seconds, CAST($6 AS TEXT)
		FROM o CROSS JOIN (VALUES ` + lines.String() + `) v (line, dish, quantity)
			LEFT JOIN dishes d ON d.id = v.dish AND d.available
		RETURNING line, coalesce(dish_id, 0) AS dish_id, name, unit_price_cents, quantity, station, prep_seconds, status),
	e AS (
		INSERT INTO order_events (order_id, seq, at, kind, line, status) SELECT o.id, 1, CAST($4 AS BIGINT), CAST($5 AS TEXT), 0, CAST($2 AS TEXT) FROM o),
	j AS (
		INSERT INTO river_job (id, args, kind, max_attempts)
		SELECT o.job_id, jsonb_build_object('order_id', o.id, 'prep', (SELECT jsonb_agg(l.prep_seconds ORDER BY l.line) FROM l)),
			CAST($7 AS TEXT), CAST($8 AS SMALLINT)
		FROM o)
	SELECT o.id, l.line, l.dish_id, l.name, l.unit_price_cents, l.quantity, l.station, l.prep_seconds, l.status
	FROM o, l ORDER BY l.line`
	d.place.Store(n, q)
	return q
}

// QueueDelivery returns the statement that queues a ready order's
// webhook delivery if its customer has an endpoint (see
// sqlstore.JobWriter).
func (d *dialect) QueueDelivery() string {
	return `INSERT INTO river_job (args, kind, max_attempts)
		SELECT jsonb_build_object('order_id', o.id), CAST($2 AS TEXT), CAST($3 AS SMALLINT)
		FROM orders o JOIN webhooks w ON w.customer_id = o.customer_id WHERE o.id = CAST($1 AS BIGINT)`
}

// channel is the LISTEN/NOTIFY channel of new events.
const channel = "kitchen_events"

// Notify sends payloads on the channel, in a transaction of its own.
func (d *dialect) Notify(ctx context.Context, payloads []string) error {
	_, err := d.pool.Exec(ctx, "SELECT pg_notify($1, p) FROM unnest($2::text[]) p", channel, payloads)
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

// Begin takes a connection for a transaction, which its first batch
// begins (see txn).
func (d *dialect) Begin(ctx context.Context) (sqlstore.Tx[pgx.Tx], error) {
	conn, err := d.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	return &txn{conn: conn}, nil
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
	return q.q.QueryRow(ctx, sql, args...) // pgx.ErrNoRows is sql.ErrNoRows, sqlstore.ErrNoRows
}

// txn is a transaction on a connection of the pool. A batch (Send) is
// one pgx batch: its statements are pipelined, in one round trip, with
// the BEGIN when nothing has begun the transaction yet (pgx's
// Batch.BeginTx) and the COMMIT when it commits — or with neither when
// the first batch commits: the statements of a batch that no BEGIN
// precedes are one transaction of their own (the extended protocol's
// implicit transaction, up to the batch's Sync), committed or rolled back
// as a whole. What runs otherwise (Exec, Query, the transaction handed to
// River) begins the transaction first, in a round trip of its own.
type txn struct {
	conn *pgxpool.Conn // nil once the transaction has ended
	tx   pgx.Tx        // nil until begun
}

// begin begins the transaction if nothing has.
func (t *txn) begin(ctx context.Context) error {
	switch {
	case t.conn == nil:
		return sqlstore.ErrTxDone
	case t.tx != nil:
		return nil
	}
	tx, err := t.conn.Begin(ctx)
	t.tx = tx
	return err
}

func (t *txn) Exec(ctx context.Context, sql string, args ...any) (int64, error) {
	if err := t.begin(ctx); err != nil {
		return 0, err
	}
	tag, err := t.tx.Exec(ctx, sql, args...)
	return tag.RowsAffected(), err
}

func (t *txn) Query(ctx context.Context, sql string, args ...any) (sqlstore.Rows, error) {
	if err := t.begin(ctx); err != nil {
		return nil, err
	}
	return t.tx.Query(ctx, sql, args...)
}

func (t *txn) Native(ctx context.Context) (pgx.Tx, error) {
	err := t.begin(ctx)
	return t.tx, err
}

// Send sends stmts as one batch, with the BEGIN first if nothing has
// begun the transaction and the COMMIT last if it commits — or as a
// transaction of their own if both.
func (t *txn) Send(ctx context.Context, commit bool, stmts ...sqlstore.Stmt) error {
	if t.conn == nil {
		return sqlstore.ErrTxDone
	}
	if t.tx == nil && len(stmts) == 0 {
		if commit {
			t.release() // nothing to commit
		}
		return nil
	}
	b := &pgx.Batch{}
	implicit := t.tx == nil && commit
	begin := t.tx == nil && !commit
	if begin {
		b.BeginTx(pgx.TxOptions{})
	}
	for _, s := range stmts {
		b.Queue(s.SQL, s.Args...)
	}
	if commit && !implicit {
		b.Queue("COMMIT")
	}
	var br pgx.BatchResults
	if t.tx == nil {
		br = t.conn.SendBatch(ctx, b)
		t.tx = br.Tx()
	} else {
		br = t.tx.SendBatch(ctx, b)
	}
	err := readBatch(br, begin, commit && !implicit, stmts)
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if implicit || commit && err == nil {
		t.release() // committed, or rolled back with the implicit transaction
	}
	return err
}

// readBatch reads the results of a batch's BEGIN (if it begins), of
// stmts, and of its COMMIT (if it commits), up to the first error.
func readBatch(br pgx.BatchResults, begin, commit bool, stmts []sqlstore.Stmt) error {
	if begin {
		if _, err := br.Exec(); err != nil {
			return err
		}
	}
	for _, s := range stmts {
		if s.Rows != nil {
			rows, err := br.Query()
			if err == nil {
				err = s.Rows(rows)
				rows.Close()
			}
			if err == nil {
				err = rows.Err()
			}
			if err != nil {
				return err
			}
			continue
		}
		tag, err := br.Exec()
		if err != nil {
			return err
		}
		if s.Changed != nil {
			s.Changed(tag.RowsAffected())
		}
	}
	if !commit {
		return nil
	}
	tag, err := br.Exec()
	if err == nil && tag.String() != "COMMIT" {
		err = pgx.ErrTxCommitRollback // the transaction had failed: COMMIT rolled it back
	}
	return err
}

// Rollback rolls back what the transaction did, if it has not ended, and
// gives its connection back to the pool.
func (t *txn) Rollback(ctx context.Context) error {
	if t.conn == nil {
		return nil
	}
	var err error
	if t.tx != nil && t.conn.Conn().PgConn().TxStatus() != 'I' {
		err = t.tx.Rollback(ctx)
	}
	t.release()
	return err
}

// release gives the connection back to the pool (which closes it if it
// is still in a transaction).
func (t *txn) release() {
	t.conn.Release()
	t.conn, t.tx = nil, nil
}
