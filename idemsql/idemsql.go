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
	db *sql.DB
	d  Dialect
}

// callTimeout bounds each call: roux completes keys with a context that
// does not end on its own.
const callTimeout = 5 * time.Second

var _ roux.IdempotencyStore = (*Store)(nil)

// New returns a store of the entries in db, a database of dialect d.
// Create the table with [Store.CreateTable] or a migration running
// [Schema].
func New(db *sql.DB, d Dialect) *Store { return &Store{db: db, d: d} }

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
// unless a live entry holds it, then a read of that entry.
func (s *Store) Claim(ctx context.Context, key string, e *roux.IdempotencyEntry) (*roux.IdempotencyEntry, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	for range 3 {
		now := time.Now().UnixMilli()
		res, err := s.db.ExecContext(ctx, claimSQL, key, e.Fingerprint, e.Token, e.Expires.UnixMilli(), now)
		if err != nil {
			return nil, wrap(err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, wrap(err)
		} else if n == 1 {
			return nil, nil
		}
		prev, err := s.lookup(ctx, key, now)
		if prev != nil || err != nil {
			return prev, err
		}
		// The entry lapsed or was released between the two statements:
		// claim again.
	}
	return nil, fmt.Errorf("idemsql: the key %s changes hands too fast to claim", key)
}

func (s *Store) lookup(ctx context.Context, key string, now int64) (*roux.IdempotencyEntry, error) {
	var (
		e            roux.IdempotencyEntry
		expires      int64
		done, status int
		header       string
		body         []byte
	)
	err := s.db.QueryRowContext(ctx, lookupSQL, key, now).Scan(&e.Fingerprint, &e.Token, &expires, &done, &status, &header, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, wrap(err)
	}
	e.Expires, e.Done, e.Status, e.Body = time.UnixMilli(expires), done == 1, status, body
	if header != "" {
		if err := json.Unmarshal([]byte(header), &e.Header); err != nil {
			return nil, fmt.Errorf("idemsql: the stored headers of %s: %w", key, err)
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
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	_, err := s.db.ExecContext(ctx, updateSQL, e.Expires.UnixMilli(), done, e.Status, header, e.Body, key, e.Token)
	return wrap(err)
}

// Release implements roux.IdempotencyStore.
func (s *Store) Release(ctx context.Context, key, token string) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	_, err := s.db.ExecContext(ctx, releaseSQL, key, token)
	return wrap(err)
}

// DeleteExpired deletes the entries that have lapsed and returns how many
// it deleted. Run it now and then (an hourly job); claims reuse lapsed
// rows anyway, so it only keeps the table small.
func (s *Store) DeleteExpired(ctx context.Context) (int64, error) {
	res, err := s.db.ExecContext(ctx, expiredSQL, time.Now().UnixMilli())
	if err != nil {
		return 0, wrap(err)
	}
	n, err := res.RowsAffected()
	return n, wrap(err)
}

func wrap(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("idemsql: %w", err)
}
