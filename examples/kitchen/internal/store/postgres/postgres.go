// Package postgres is the kitchen's shared store: a PostgreSQL database,
// through github.com/jackc/pgx/v5's connection pool. Several kitchen
// instances may use one database at once: every conditional change is
// one UPDATE whose WHERE clause states the condition, writes to an order
// take its row lock first (so its events commit in sequence order), and
// claims of abandoned orders skip rows another instance has locked.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLock is the advisory lock key that serializes migrations of
// instances starting at once.
const migrationLock = 7_263_548_101

// DB is a [store.Store] in a PostgreSQL database.
type DB struct {
	pool *pgxpool.Pool
	now  func() time.Time
}

var _ store.Store = (*DB)(nil)

// Open connects to the database at url (postgres://user:pass@host/db).
// Parameters pgx does not know, such as search_path, are sent to the
// server as run-time settings. Call Migrate before using it.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return &DB{pool: pool, now: time.Now}, nil
}

// Close closes the pool.
func (s *DB) Close() error { s.pool.Close(); return nil }

// Ping checks that the database answers.
func (s *DB) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// Migrate applies the embedded migrations not yet applied, in one
// transaction that holds an advisory lock, so that instances starting
// together migrate once.
func (s *DB) Migrate(ctx context.Context) (from, to int, err error) {
	sub, _ := fs.Sub(migrationFiles, "migrations")
	ms, err := store.Migrations(sub)
	if err != nil {
		return 0, 0, err
	}
	err = s.write(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(migrationLock)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&from); err != nil {
			return err
		}
		if err := store.CheckVersion(from, ms); err != nil {
			return err
		}
		to = from
		for _, m := range ms[from:] {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
				m.Version, m.Name, store.Millis(s.now())); err != nil {
				return err
			}
			to = m.Version
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("postgres: migrate: %w", err)
	}
	return from, to, nil
}

// write runs fn in a transaction and commits it.
func (s *DB) write(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}

// querier is what reads run on: the pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

const dishColumns = `d.id, d.name, d.description, d.price_cents, d.station, d.prep_seconds, d.available,
	d.version, d.created_at, d.updated_at,
	coalesce((SELECT string_agg(t.tag, ',' ORDER BY t.tag) FROM dish_tags t WHERE t.dish_id = d.id), '')`

func scanDish(row pgx.Row) (store.Dish, error) {
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
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
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
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM dishes d"+cond, args...).Scan(&total); err != nil {
		return nil, 0, wrap("dishes", err)
	}
	query := "SELECT " + dishColumns + " FROM dishes d" + cond + " ORDER BY " + q.OrderBy() +
		" LIMIT " + arg(q.Limit) + " OFFSET " + arg(q.Offset)
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, 0, wrap("dishes", err)
	}
	defer rows.Close()
	out := []store.Dish{}
	for rows.Next() {
		d, err := scanDish(rows)
		if err != nil {
			return nil, 0, wrap("dishes", err)
		}
		out = append(out, d)
	}
	return out, total, wrap("dishes", rows.Err())
}

// Dish returns one dish.
func (s *DB) Dish(ctx context.Context, id int64) (store.Dish, error) {
	d, err := dish(ctx, s.pool, id)
	return d, wrap("dish", err)
}

func dish(ctx context.Context, q querier, id int64) (store.Dish, error) {
	d, err := scanDish(q.QueryRow(ctx, "SELECT "+dishColumns+" FROM dishes d WHERE d.id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return d, store.ErrNotFound
	}
	return d, err
}

// CreateDish adds a dish.
func (s *DB) CreateDish(ctx context.Context, f store.DishFields) (store.Dish, error) {
	f.Normalize()
	var d store.Dish
	err := s.write(ctx, func(tx pgx.Tx) error {
		now := store.Millis(s.now())
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO dishes (name, description, price_cents, station, prep_seconds, available, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
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
	return d, wrap("create dish", err)
}

func setTags(ctx context.Context, tx pgx.Tx, id int64, tags []string) error {
	if _, err := tx.Exec(ctx, "DELETE FROM dish_tags WHERE dish_id = $1", id); err != nil {
		return err
	}
	if len(tags) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, "INSERT INTO dish_tags (dish_id, tag) SELECT $1, unnest($2::text[])", id, tags)
	return err
}

// versionCheck explains why a conditional write of dish id changed no
// row: the dish is gone, or its version moved on.
func versionCheck(ctx context.Context, tx pgx.Tx, id int64) error {
	var current int64
	err := tx.QueryRow(ctx, "SELECT version FROM dishes WHERE id = $1", id).Scan(&current)
	if errors.Is(err, pgx.ErrNoRows) {
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
	err := s.write(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE dishes SET name = $1, description = $2, price_cents = $3, station = $4,
			prep_seconds = $5, available = $6, version = version + 1, updated_at = $7
			WHERE id = $8 AND ($9 = 0 OR version = $9)`,
			f.Name, f.Description, f.PriceCents, f.Station, f.PrepSeconds, f.Available, store.Millis(s.now()), id, version)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return versionCheck(ctx, tx, id)
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
	err := s.write(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "DELETE FROM dishes WHERE id = $1 AND ($2 = 0 OR version = $2)", id, version)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return versionCheck(ctx, tx, id)
		}
		return nil
	})
	return wrap("delete dish", err)
}

// wrap prefixes err, leaving the store's own errors recognizable.
func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("postgres: %s: %w", what, err)
}

// CreateCustomer adds a customer.
func (s *DB) CreateCustomer(ctx context.Context, name, tokenHash string) (store.Customer, error) {
	c := store.Customer{Name: name}
	err := s.pool.QueryRow(ctx, "INSERT INTO customers (name, token_hash, created_at) VALUES ($1, $2, $3) RETURNING id",
		name, tokenHash, store.Millis(s.now())).Scan(&c.ID)
	return c, wrap("create customer", err)
}

// CustomerByToken finds a customer by token hash.
func (s *DB) CustomerByToken(ctx context.Context, tokenHash string) (store.Customer, error) {
	var c store.Customer
	err := s.pool.QueryRow(ctx, "SELECT id, name FROM customers WHERE token_hash = $1", tokenHash).Scan(&c.ID, &c.Name)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, store.ErrNotFound
	}
	return c, wrap("customer", err)
}

// sortedLines sorts line numbers, for events in a stable order.
func sortedLines(lines []int) []int { slices.Sort(lines); return lines }
