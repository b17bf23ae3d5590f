package sqlstore

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
)

const dishColumns = `d.id, d.name, d.description, d.price_cents, d.station, d.prep_seconds, d.available,
	d.version, d.created_at, d.updated_at,
	coalesce((SELECT string_agg(t.tag, ',' ORDER BY t.tag) FROM dish_tags t WHERE t.dish_id = d.id), '')`

func scanDish(row Row) (store.Dish, error) {
	var d store.Dish
	var created, updated int64
	var tags string
	err := row.Scan(&d.ID, &d.Name, &d.Description, &d.PriceCents, &d.Station, &d.PrepSeconds, &d.Available,
		&d.Version, &created, &updated, &tags)
	if err != nil {
		return d, err
	}
	d.CreatedAt, d.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
	// Sorted by the query, and without duplicates by the table's key:
	// normalized already.
	d.Tags = []string{}
	if tags != "" {
		d.Tags = strings.Split(tags, ",")
	}
	return d, nil
}

// Dishes returns a page of dishes. Its filters make a handful of
// statement shapes, each prepared once like the rest.
func (s *DB[TTx]) Dishes(ctx context.Context, q store.DishQuery) ([]store.Dish, int, error) {
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
	r := s.d.Reader()
	var total int
	if err := r.QueryRow(ctx, "SELECT count(*) FROM dishes d"+cond, args...).Scan(&total); err != nil {
		return nil, 0, s.wrap("dishes", err)
	}
	query := "SELECT " + dishColumns + " FROM dishes d" + cond + " ORDER BY " + q.OrderBy() +
		" LIMIT " + arg(q.Limit) + " OFFSET " + arg(q.Offset)
	out := []store.Dish{}
	rows, err := r.Query(ctx, query, args...)
	err = scanAll(rows, err, func(rows Rows) error {
		d, err := scanDish(rows)
		out = append(out, d)
		return err
	})
	if err != nil {
		return nil, 0, s.wrap("dishes", err)
	}
	return out, total, nil
}

// Dish returns one dish.
func (s *DB[TTx]) Dish(ctx context.Context, id int64) (store.Dish, error) {
	d, err := dish(ctx, s.d.Reader(), id)
	return d, s.wrap("dish", err)
}

func dish(ctx context.Context, q Querier, id int64) (store.Dish, error) {
	d, err := scanDish(q.QueryRow(ctx, "SELECT "+dishColumns+" FROM dishes d WHERE d.id = $1", id))
	if errors.Is(err, ErrNoRows) {
		return d, store.ErrNotFound
	}
	return d, err
}

// CreateDish adds a dish.
func (s *DB[TTx]) CreateDish(ctx context.Context, f store.DishFields) (store.Dish, error) {
	f.Normalize()
	var d store.Dish
	err := s.write(ctx, func(tx *txn[TTx]) error {
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
	return d, s.wrap("create dish", err)
}

func setTags(ctx context.Context, q Querier, id int64, tags []string) error {
	if _, err := q.Exec(ctx, "DELETE FROM dish_tags WHERE dish_id = $1", id); err != nil {
		return err
	}
	for _, tag := range tags {
		if _, err := q.Exec(ctx, "INSERT INTO dish_tags (dish_id, tag) VALUES ($1, $2)", id, tag); err != nil {
			return err
		}
	}
	return nil
}

// versionCheck explains why a conditional write of dish id changed no
// row: the dish is gone, or its version moved on.
func versionCheck(ctx context.Context, q Querier, id int64) error {
	var current int64
	err := q.QueryRow(ctx, "SELECT version FROM dishes WHERE id = $1", id).Scan(&current)
	if errors.Is(err, ErrNoRows) {
		return store.ErrNotFound
	}
	if err != nil {
		return err
	}
	return &store.VersionError{Current: current}
}

// UpdateDish replaces a dish's fields if its version matches.
func (s *DB[TTx]) UpdateDish(ctx context.Context, id, version int64, f store.DishFields) (store.Dish, error) {
	f.Normalize()
	var d store.Dish
	err := s.write(ctx, func(tx *txn[TTx]) error {
		n, err := tx.Exec(ctx, `UPDATE dishes SET name = $1, description = $2, price_cents = $3, station = $4,
			prep_seconds = $5, available = $6, version = version + 1, updated_at = $7
			WHERE id = $8 AND ($9 = 0 OR version = $9)`,
			f.Name, f.Description, f.PriceCents, f.Station, f.PrepSeconds, f.Available, store.Millis(s.now()), id, version)
		if err != nil {
			return err
		}
		if n == 0 {
			return versionCheck(ctx, tx, id)
		}
		if err := setTags(ctx, tx, id, f.Tags); err != nil {
			return err
		}
		d, err = dish(ctx, tx, id)
		return err
	})
	return d, s.wrap("update dish", err)
}

// DeleteDish removes a dish if its version matches.
func (s *DB[TTx]) DeleteDish(ctx context.Context, id, version int64) error {
	err := s.write(ctx, func(tx *txn[TTx]) error {
		n, err := tx.Exec(ctx, "DELETE FROM dishes WHERE id = $1 AND ($2 = 0 OR version = $2)", id, version)
		if err != nil {
			return err
		}
		if n == 0 {
			return versionCheck(ctx, tx, id)
		}
		return nil
	})
	return s.wrap("delete dish", err)
}

// CreateCustomer adds a customer.
func (s *DB[TTx]) CreateCustomer(ctx context.Context, name, tokenHash string) (store.Customer, error) {
	c := store.Customer{Name: name}
	err := s.write(ctx, func(tx *txn[TTx]) error {
		return tx.QueryRow(ctx, "INSERT INTO customers (name, token_hash, created_at) VALUES ($1, $2, $3) RETURNING id",
			name, tokenHash, store.Millis(s.now())).Scan(&c.ID)
	})
	return c, s.wrap("create customer", err)
}

// CustomerByToken finds a customer by token hash.
func (s *DB[TTx]) CustomerByToken(ctx context.Context, tokenHash string) (store.Customer, error) {
	var c store.Customer
	err := s.d.Reader().QueryRow(ctx, "SELECT id, name FROM customers WHERE token_hash = $1", tokenHash).Scan(&c.ID, &c.Name)
	if errors.Is(err, ErrNoRows) {
		return c, store.ErrNotFound
	}
	return c, s.wrap("customer", err)
}
