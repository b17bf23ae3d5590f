// Package sqlite is the kitchen's embedded store: one SQLite database
// file, through modernc.org/sqlite (pure Go, no cgo).
//
// The file is opened in WAL mode with synchronous=FULL, so a committed
// transaction is on disk before the call returns and survives a crash of
// the process or the machine; foreign keys are enforced and a busy
// timeout makes a second process wait for the lock rather than fail.
// Writes go through a pool of one connection, so writers queue in Go
// instead of contending for SQLite's lock; reads use their own pool and
// run beside the writer, as WAL allows.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// DB is a [store.Store] in one SQLite file.
type DB struct {
	w, r *sql.DB
	now  func() time.Time
}

var _ store.Store = (*DB)(nil)

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
	return &DB{w: w, r: r, now: time.Now}, nil
}

// Close closes the database.
func (s *DB) Close() error { return errors.Join(s.r.Close(), s.w.Close()) }

// Ping checks that the database file can be read.
func (s *DB) Ping(ctx context.Context) error {
	var one int
	return s.r.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Migrate applies the embedded migrations not yet applied, all in one
// transaction, and records each in schema_migrations.
func (s *DB) Migrate(ctx context.Context) (from, to int, err error) {
	sub, _ := fs.Sub(migrationFiles, "migrations")
	ms, err := store.Migrations(sub)
	if err != nil {
		return 0, 0, err
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&from); err != nil {
			return err
		}
		if err := store.CheckVersion(from, ms); err != nil {
			return err
		}
		to = from
		for _, m := range ms[from:] {
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
				m.Version, m.Name, store.Millis(s.now())); err != nil {
				return err
			}
			to = m.Version
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("sqlite: migrate: %w", err)
	}
	return from, to, nil
}

// write runs fn in a write transaction (BEGIN IMMEDIATE) and commits it.
func (s *DB) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback() //nolint:errcheck // the error that matters is fn's
		return err
	}
	return tx.Commit()
}

// querier is what reads run on: the reader pool or a write transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const dishColumns = `d.id, d.name, d.description, d.price_cents, d.station, d.prep_seconds, d.available,
	d.version, d.created_at, d.updated_at,
	coalesce((SELECT group_concat(t.tag, ',') FROM dish_tags t WHERE t.dish_id = d.id), '')`

func scanDish(row interface{ Scan(...any) error }) (store.Dish, error) {
	var d store.Dish
	var created, updated int64
	var tags string
	err := row.Scan(&d.ID, &d.Name, &d.Description, &d.PriceCents, &d.Station, &d.PrepSeconds, &d.Available,
		&d.Version, &created, &updated, &tags)
	if err != nil {
		return d, err
	}
	d.CreatedAt, d.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
	d.Tags = nil
	if tags != "" {
		d.Tags = strings.Split(tags, ",")
	}
	d.Normalize()
	return d, nil
}

// Dishes returns a page of dishes.
func (s *DB) Dishes(ctx context.Context, q store.DishQuery) ([]store.Dish, int, error) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return "?" + strconv.Itoa(len(args)) }
	for _, tag := range q.Tags {
		where = append(where, "EXISTS (SELECT 1 FROM dish_tags t WHERE t.dish_id = d.id AND t.tag = "+arg(tag)+")")
	}
	if q.MinPrice > 0 {
		where = append(where, "d.price_cents >= "+arg(q.MinPrice))
	}
	if q.MaxPrice > 0 {
		where = append(where, "d.price_cents <= "+arg(q.MaxPrice))
	}
	if q.Available != nil {
		where = append(where, "d.available = "+arg(*q.Available))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.r.QueryRowContext(ctx, "SELECT count(*) FROM dishes d"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("sqlite: dishes: %w", err)
	}
	query := "SELECT " + dishColumns + " FROM dishes d" + cond + " ORDER BY " + q.OrderBy() +
		" LIMIT " + arg(q.Limit) + " OFFSET " + arg(q.Offset)
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("sqlite: dishes: %w", err)
	}
	defer rows.Close()
	out := []store.Dish{}
	for rows.Next() {
		d, err := scanDish(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("sqlite: dishes: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("sqlite: dishes: %w", err)
	}
	return out, total, nil
}

// Dish returns one dish.
func (s *DB) Dish(ctx context.Context, id int64) (store.Dish, error) {
	return dish(ctx, s.r, id)
}

func dish(ctx context.Context, q querier, id int64) (store.Dish, error) {
	d, err := scanDish(q.QueryRowContext(ctx, "SELECT "+dishColumns+" FROM dishes d WHERE d.id = ?1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, store.ErrNotFound
	}
	if err != nil {
		return d, fmt.Errorf("sqlite: dish %d: %w", id, err)
	}
	return d, nil
}

// CreateDish adds a dish.
func (s *DB) CreateDish(ctx context.Context, f store.DishFields) (store.Dish, error) {
	f.Normalize()
	var d store.Dish
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := store.Millis(s.now())
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO dishes (name, description, price_cents, station, prep_seconds, available, created_at, updated_at)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING id`,
			f.Name, f.Description, f.PriceCents, f.Station, f.PrepSeconds, f.Available, now).Scan(&id)
		if err != nil {
			return err
		}
		if err := setTags(ctx, tx, id, f.Tags); err != nil {
			return err
		}
		d, err = dish(ctx, tx, id)
		return err
	})
	if err != nil {
		return d, fmt.Errorf("sqlite: create dish: %w", err)
	}
	return d, nil
}

func setTags(ctx context.Context, tx *sql.Tx, id int64, tags []string) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM dish_tags WHERE dish_id = ?1", id); err != nil {
		return err
	}
	for _, tag := range tags {
		if _, err := tx.ExecContext(ctx, "INSERT INTO dish_tags (dish_id, tag) VALUES (?1, ?2)", id, tag); err != nil {
			return err
		}
	}
	return nil
}

// versionCheck explains why a conditional write of dish id changed no
// row: the dish is gone, or its version moved on.
func versionCheck(ctx context.Context, tx *sql.Tx, id int64) error {
	var current int64
	err := tx.QueryRowContext(ctx, "SELECT version FROM dishes WHERE id = ?1", id).Scan(&current)
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	if err != nil {
		return err
	}
	return &store.VersionError{Current: current}
}

// UpdateDish replaces a dish's fields if its version matches.
func (s *DB) UpdateDish(ctx context.Context, id, version int64, f store.DishFields) (store.Dish, error) {
	f.Normalize()
	var d store.Dish
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE dishes SET name = ?1, description = ?2, price_cents = ?3, station = ?4,
			prep_seconds = ?5, available = ?6, version = version + 1, updated_at = ?7
			WHERE id = ?8 AND (?9 = 0 OR version = ?9)`,
			f.Name, f.Description, f.PriceCents, f.Station, f.PrepSeconds, f.Available, store.Millis(s.now()), id, version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return cmpErr(err, versionCheck(ctx, tx, id))
		}
		if err := setTags(ctx, tx, id, f.Tags); err != nil {
			return err
		}
		d, err = dish(ctx, tx, id)
		return err
	})
	return d, wrap("update dish", err)
}

// DeleteDish removes a dish if its version matches.
func (s *DB) DeleteDish(ctx context.Context, id, version int64) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM dishes WHERE id = ?1 AND (?2 = 0 OR version = ?2)", id, version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return cmpErr(err, versionCheck(ctx, tx, id))
		}
		return nil
	})
	return wrap("delete dish", err)
}

// cmpErr returns err if it is not nil, else alt.
func cmpErr(err, alt error) error {
	if err != nil {
		return err
	}
	return alt
}

// wrap prefixes err, leaving the store's own errors recognizable.
func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("sqlite: %s: %w", what, err)
}

// CreateCustomer adds a customer.
func (s *DB) CreateCustomer(ctx context.Context, name, tokenHash string) (store.Customer, error) {
	c := store.Customer{Name: name}
	err := s.write(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, "INSERT INTO customers (name, token_hash, created_at) VALUES (?1, ?2, ?3) RETURNING id",
			name, tokenHash, store.Millis(s.now())).Scan(&c.ID)
	})
	return c, wrap("create customer", err)
}

// CustomerByToken finds a customer by token hash.
func (s *DB) CustomerByToken(ctx context.Context, tokenHash string) (store.Customer, error) {
	var c store.Customer
	err := s.r.QueryRowContext(ctx, "SELECT id, name FROM customers WHERE token_hash = ?1", tokenHash).Scan(&c.ID, &c.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return c, store.ErrNotFound
	}
	return c, wrap("customer", err)
}
