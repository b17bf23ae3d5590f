// Package idemsql keeps the entries of roux's idempotency keys
// (roux.Idempotent) in a SQL database through database/sql, so that every
// instance of a service sees the same keys: SQLite (with
// modernc.org/sqlite, say) or PostgreSQL (with pgx's stdlib driver, or
// lib/pq). It needs no driver itself; the program registers the one it
// uses. Keep the entries in the service's own database:
//
//	db, err := sql.Open("pgx", os.Getenv("DATABASE_URL"))
//	...
//	store := idemsql.New(db, idemsql.PostgreSQL)
//	if err := store.CreateTable(ctx); err != nil { ... } // or run Schema in a migration
//	roux.Post(api, "/orders", placeOrder, roux.Idempotent(store, 24*time.Hour))
//
// Entries live in the table roux_idempotency, one row per key, with
// their times in Unix milliseconds from the clock of the instance that
// wrote them (keep the instances' clocks in sync, as for anything that
// expires). A claim is one INSERT ... ON CONFLICT DO UPDATE ... WHERE
// the stored entry has lapsed: of two concurrent claims, the database
// lets one win. Lapsed rows are reused by the next claim of their key;
// [Store.DeleteExpired] removes the others, from a periodic job.
//
// # Writes in the service's transactions
//
// By default each write (a claim, a renewal, an answer, a release)
// commits on its own: an idempotent request costs two commits besides
// its own. A service that already batches its writes — one writer that
// commits many in one transaction, as SQLite wants — hands the store
// its way of writing with [Writer], and the keys' writes share its
// commits:
//
//	store := idemsql.New(db, idemsql.SQLite, idemsql.Writer(func(ctx context.Context, write func(idemsql.Conn) error) error {
//		return writes.Do(ctx, func(tx *sql.Tx) error { return write(tx) }) // the service's group commit
//	}))
package idemsql

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/roux-go/roux"
)

// Dialect is the SQL dialect of a database.
type Dialect int

// The dialects a Store speaks.
const (
	SQLite Dialect = iota + 1
	PostgreSQL
)

// Table is the name of the table the entries are kept in.
const Table = "roux_idempotency"

// Schema returns the statements that create the table and its index in
// dialect d, for a migration; [Store.CreateTable] runs them.
func Schema(d Dialect) string {
	blob := "BLOB"
	if d == PostgreSQL {
		blob = "BYTEA"
	}
	return `CREATE TABLE IF NOT EXISTS ` + Table + ` (
	idem_key    TEXT PRIMARY KEY,
	fingerprint TEXT NOT NULL,
	token       TEXT NOT NULL,
	expires_ms  BIGINT NOT NULL,
	done        INTEGER NOT NULL,
	status      INTEGER NOT NULL,
	header      TEXT NOT NULL,
	body        ` + blob + `
);
CREATE INDEX IF NOT EXISTS ` + Table + `_expires ON ` + Table + ` (expires_ms);`
}

// Store is a roux.IdempotencyStore in a SQL database. Each of its calls
// gives up after 5 seconds, or when its context ends. It is safe for
// concurrent use, as its *sql.DB is.
type Store struct {
	db  *sql.DB
	d   Dialect
	run WriteFunc
}

// Conn runs a Store's statements: a *sql.DB, *sql.Conn or *sql.Tx.
type Conn interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// WriteFunc runs one write of a Store: it calls write once, with a Conn
// on the store's database, and returns write's error; or, when write
// returned nil, nil once what write did is committed, durable and
// visible to the store's later calls — and the error that kept it from
// being so otherwise. When write fails, it may keep or roll back what
// write did (a claim's failure leaves the key as it was, or claimed by a
// token nobody holds, which lapses). A WriteFunc is called concurrently.
type WriteFunc func(ctx context.Context, write func(Conn) error) error

// Option is a setting of a Store, for [New].
type Option interface{ apply(*Store) }

type option func(*Store)

func (o option) apply(s *Store) { o(s) }

// Writer makes the store run its writes — Claim (with its read of a key
// already held), Update, Release and DeleteExpired — with run, in the
// service's own transactions, rather than each on its own on the
// *sql.DB: a service that commits its writes in groups (one
// transaction, one fsync, for all the writes waiting) lets the keys'
// writes share them. The default runs write on the *sql.DB, where each
// statement commits on its own.
func Writer(run WriteFunc) Option {
	return option(func(s *Store) { s.run = run })
}

// callTimeout bounds each call: roux completes keys with a context that
// does not end on its own.
const callTimeout = 5 * time.Second

var _ roux.IdempotencyStore = (*Store)(nil)

// New returns a store of the entries in db, a database of dialect d.
// Create the table with [Store.CreateTable] or a migration running
// [Schema].
func New(db *sql.DB, d Dialect, opts ...Option) *Store {
	s := &Store{db: db, d: d}
	s.run = func(_ context.Context, write func(Conn) error) error { return write(db) }
	for _, o := range opts {
		o.apply(s)
	}
	return s
}

// CreateTable creates the table and its index, unless they exist.
func (s *Store) CreateTable(ctx context.Context) error {
	if s.d == PostgreSQL {
		_, err := s.db.ExecContext(ctx, Schema(s.d))
		return wrap(err)
	}
	// SQLite drivers run one statement per call.
	for _, stmt := range splitStatements(Schema(s.d)) {
		if _, err := s.db.ExecContext(ctx, stmt); err != nil {
			return wrap(err)
		}
	}
	return nil
}

func splitStatements(schema string) []string {
	var out []string
	for start, i := 0, 0; i < len(schema); i++ {
		if schema[i] == ';' {
			out = append(out, schema[start:i+1])
			start = i + 1
		}
	}
	return out
}

// The statements, in a form both dialects read ($n placeholders: SQLite
// takes them as numbered parameters).
const (
	claimSQL = `INSERT INTO ` + Table + ` (idem_key, fingerprint, token, expires_ms, done, status, header, body)
VALUES ($1, $2, $3, $4, 0, 0, '', NULL)
ON CONFLICT (idem_key) DO UPDATE SET fingerprint = excluded.fingerprint, token = excluded.token,
	expires_ms = excluded.expires_ms, done = 0, status = 0, header = '', body = NULL
WHERE ` + Table + `.expires_ms <= $5`
	lookupSQL = `SELECT fingerprint, token, expires_ms, done, status, header, body FROM ` + Table + `
WHERE idem_key = $1 AND expires_ms > $2`
	updateSQL = `UPDATE ` + Table + ` SET expires_ms = $1, done = $2, status = $3, header = $4, body = $5
WHERE idem_key = $6 AND token = $7`
	releaseSQL = `DELETE FROM ` + Table + ` WHERE idem_key = $1 AND token = $2`
	expiredSQL = `DELETE FROM ` + Table + ` WHERE expires_ms <= $1`
)

// Claim implements roux.IdempotencyStore: one upsert that takes the key
// unless a live entry holds it, then a read of that entry, in one write.
func (s *Store) Claim(ctx context.Context, key string, e *roux.IdempotencyEntry) (*roux.IdempotencyEntry, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	for range 3 {
		var (
			prev    *roux.IdempotencyEntry
			claimed bool
		)
		err := s.run(ctx, func(c Conn) error {
			prev, claimed = nil, false
			now := time.Now().UnixMilli()
			res, err := c.ExecContext(ctx, claimSQL, key, e.Fingerprint, e.Token, e.Expires.UnixMilli(), now)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil || n == 1 {
				claimed = err == nil
				return err
			}
			prev, err = lookup(ctx, c, key, now)
			return err
		})
		if err != nil {
			return nil, wrap(err)
		}
		if claimed || prev != nil {
			return prev, nil
		}
		// The entry lapsed or was released between the two statements
		// (each committed on its own): claim again.
	}
	return nil, fmt.Errorf("idemsql: the key %s changes hands too fast to claim", key)
}

// lookup reads the live entry under key, or nil.
func lookup(ctx context.Context, c Conn, key string, now int64) (*roux.IdempotencyEntry, error) {
	var (
		e            roux.IdempotencyEntry
		expires      int64
		done, status int
		header       string
		body         []byte
	)
	err := c.QueryRowContext(ctx, lookupSQL, key, now).Scan(&e.Fingerprint, &e.Token, &expires, &done, &status, &header, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	e.Expires, e.Done, e.Status, e.Body = time.UnixMilli(expires), done == 1, status, body
	if header != "" {
		if err := json.Unmarshal([]byte(header), &e.Header); err != nil {
			return nil, fmt.Errorf("the stored headers of %s: %w", key, err)
		}
	}
	return &e, nil
}

// Update implements roux.IdempotencyStore.
func (s *Store) Update(ctx context.Context, key string, e *roux.IdempotencyEntry) error {
	header := ""
	if e.Done {
		h := e.Header
		if h == nil {
			h = http.Header{}
		}
		b, err := json.Marshal(h)
		if err != nil {
			return fmt.Errorf("idemsql: %w", err)
		}
		header = string(b)
	}
	done := 0
	if e.Done {
		done = 1
	}
	return s.exec(ctx, updateSQL, e.Expires.UnixMilli(), done, e.Status, header, e.Body, key, e.Token)
}

// Release implements roux.IdempotencyStore.
func (s *Store) Release(ctx context.Context, key, token string) error {
	return s.exec(ctx, releaseSQL, key, token)
}

// exec runs one statement as a write, within callTimeout.
func (s *Store) exec(ctx context.Context, query string, args ...any) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	return wrap(s.run(ctx, func(c Conn) error {
		_, err := c.ExecContext(ctx, query, args...)
		return err
	}))
}

// DeleteExpired deletes the entries that have lapsed and returns how many
// it deleted. Run it now and then (an hourly job); claims reuse lapsed
// rows anyway, so it only keeps the table small.
func (s *Store) DeleteExpired(ctx context.Context) (int64, error) {
	var n int64
	err := s.run(ctx, func(c Conn) error {
		res, err := c.ExecContext(ctx, expiredSQL, time.Now().UnixMilli())
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	return n, wrap(err)
}

func wrap(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("idemsql: %w", err)
}
