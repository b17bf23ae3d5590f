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
//
// # Ordered writes
//
// An idempotent request still waits for three commits in a row: its
// claim's, its handler's and its answer's. Where one writer runs every
// write of the database, in transactions it commits in the order it ran
// them (SQLite's one writer, a group commit), most of that waiting buys
// nothing, and [OrderedWriter] drops it: the claim is acknowledged once
// it has run in the writer's transaction, before that commits, since
// whatever the handler writes afterwards runs in the same transaction or
// a later one, and cannot be durable without the claim. With
// [Store.OrderedAnswers], for an operation whose handler records its key
// with its own durable write, the successful answer is not waited for
// either: the request waits for one commit, its handler's.
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
	// ordered, when set, runs every write (run is it, waiting for the
	// commit); answers says that successful answers need not wait.
	ordered OrderedWriteFunc
	answers bool
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
//
// Of Writer and [OrderedWriter], the last one given wins.
func Writer(run WriteFunc) Option {
	return option(func(s *Store) { s.run, s.ordered = run, nil })
}

// OrderedWriteFunc runs one write of a Store as a [WriteFunc] does, in
// the transactions of the one writer of the store's database. When
// durable is true, it returns as a WriteFunc does: nil once what write
// did is committed and durable. When durable is false, it may return nil
// as soon as write has run, in a transaction not yet committed ("ordered"
// durability); what write did is durable once that transaction commits.
// It must keep three promises, which make an ordered write as good as a
// committed one for what depends on it:
//
//  1. It is the database's only writer — of the store's writes and of
//     the service's own, in this process and any other — and it commits
//     its transactions one after another, in the order it ran them: of
//     the writes it ran, those that survive a crash are the ones run
//     before some point, never a later one without an earlier one; and
//     once a durable write returns, every write run before it is durable.
//  2. A write that starts after run returned runs after write, in the
//     same transaction or a later one, and sees what write did.
//  3. When a transaction holding a write acknowledged before its commit
//     fails to commit (a full disk, an I/O error), nothing run after it
//     is committed any more: the writer fails every later write, as a
//     crash would have ended them, until the service restarts. Otherwise
//     a later write that depends on the lost one (a handler's effect, on
//     the claim of its key) would be kept without it.
//
// An OrderedWriteFunc is called concurrently.
type OrderedWriteFunc func(ctx context.Context, durable bool, write func(Conn) error) error

// OrderedWriter makes the store run every write with run, as [Writer]
// does, and acknowledge those of running requests — Claim, the renewal
// of a claim, Release — once they have run in order (durable false), not
// once committed: a request's handler starts without waiting for its
// claim's commit. Answers are committed before they are acknowledged (see
// [Store.OrderedAnswers]), as is DeleteExpired.
//
// This is as safe as waiting, given run's promises: whatever the
// handler writes through the same writer runs after its claim, so it is
// never durable without it; a crash that loses a claim loses every later
// write, the handler's too, and a retry runs the request afresh, as its
// client never had an answer. A claim that meets another answers from
// what may not be durable yet: a 409 or a 422 for a claim (harmless: had
// that claim been lost, its request would have had no answer, and this
// one would have run), and a stored answer, which is replayed only after
// a durable write (an empty one) has committed it. A handler's effects
// outside the database are no less exposed than before: a claim that
// survives a crash without its answer lapses at the end of its lease (at
// most 30 seconds), and a retry then runs the handler again anyway.
//
// Of [Writer] and OrderedWriter, the last one given wins.
func OrderedWriter(run OrderedWriteFunc) Option {
	return option(func(s *Store) {
		s.ordered = run
		s.run = func(ctx context.Context, write func(Conn) error) error { return run(ctx, true, write) }
	})
}

// OrderedAnswers returns a store of the same entries as s, for the
// operations whose handlers record their key with their effect, which
// with [OrderedWriter] also writes their successful answers (a status of
// 2xx) in order: a request's answer is sent without waiting for its
// commit, and a request waits for the one commit of its handler's own
// write. Without OrderedWriter, it is s as it is.
//
// Hand it only to [roux.Idempotent] for an operation whose handler keeps
// both halves of this promise: a success is a durable write of the
// handler's, through the store's writer, that records the key (a unique
// column, read with [roux.IdempotencyKeyFrom]); and a handler that finds
// its key's effect recorded answers with that effect — the same outcome,
// as it is now — instead of doing it again. Then an answer lost in a
// crash after it was sent is never missed: the claim before it survives
// (it was written before the effect, which is durable), so a retry gets
// 409 until the claim's lease lapses (at most 30 seconds), then the
// handler's answer for the effect it finds. That is what a retry gets
// without OrderedAnswers after a crash between the effect's commit and
// the answer's; with it, also after the first answer was sent (a client
// that saw that answer and retries anyway gets the same effect, as it is
// then, rather than the stored bytes). Refusals (4xx) record
// nothing, so their answers are committed before they are sent, as
// without OrderedAnswers.
func (s *Store) OrderedAnswers() *Store {
	c := *s
	c.answers = true
	return &c
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
		err := s.write(ctx, false, func(c Conn) error {
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
		if prev != nil && prev.Done && s.ordered != nil {
			// An answer to replay: it may have been run and not yet
			// committed. A durable write after it commits it too.
			if err := s.ordered(ctx, true, func(Conn) error { return nil }); err != nil {
				return nil, wrap(err)
			}
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
	// A renewal is ordered; an answer is committed, unless it is a
	// success of an operation whose handler recorded it (OrderedAnswers).
	durable := e.Done && !(s.answers && e.Status >= 200 && e.Status < 300)
	return s.exec(ctx, durable, updateSQL, e.Expires.UnixMilli(), done, e.Status, header, e.Body, key, e.Token)
}

// Release implements roux.IdempotencyStore.
func (s *Store) Release(ctx context.Context, key, token string) error {
	return s.exec(ctx, false, releaseSQL, key, token)
}

// exec runs one statement as a write, within callTimeout; durable says
// it waits for its commit with an OrderedWriter.
func (s *Store) exec(ctx context.Context, durable bool, query string, args ...any) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	return wrap(s.write(ctx, durable, func(c Conn) error {
		_, err := c.ExecContext(ctx, query, args...)
		return err
	}))
}

// write runs one write: with the OrderedWriter, waiting for its commit
// when durable, or else with the Writer, or on the *sql.DB.
func (s *Store) write(ctx context.Context, durable bool, write func(Conn) error) error {
	if s.ordered != nil {
		return s.ordered(ctx, durable, write)
	}
	return s.run(ctx, write)
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
