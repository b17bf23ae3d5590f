package sqlstore

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
)

// dishColumns are a dish's columns and its tags, joined by commas in no
// particular order: scanDish sorts them. (An ORDER BY inside string_agg
// makes SQLite sort each dish's few tags with a sorter of its own, about
// a tenth of a page's cost.)
const dishColumns = `d.id, d.name, d.description, d.price_cents, d.station, d.prep_seconds, d.available,
	d.version, d.created_at, d.updated_at,
	coalesce((SELECT string_agg(t.tag, ',') FROM dish_tags t WHERE t.dish_id = d.id), '')`

func scanDish(row Row) (store.Dish, error) {
	// One value holds every destination: Scan's pointers make what they
	// point at escape, one allocation rather than four.
	var r struct {
		d                store.Dish
		created, updated int64
		tags             string
	}
	d := &r.d
	err := row.Scan(&d.ID, &d.Name, &d.Description, &d.PriceCents, &d.Station, &d.PrepSeconds, &d.Available,
		&d.Version, &r.created, &r.updated, &r.tags)
	if err != nil {
		return *d, err
	}
	d.CreatedAt, d.UpdatedAt = store.FromMillis(r.created), store.FromMillis(r.updated)
	tags := r.tags
	// Without duplicates by the table's key; sorted here, which for a
	// dish's few tags costs less than sorting them in the query.
	d.Tags = []string{}
	if tags != "" {
		d.Tags = strings.Split(tags, ",")
		slices.Sort(d.Tags)
	}
	return *d, nil
}

// Dishes returns a page of dishes. Its filters make a handful of
// statement shapes, each written once (dishStatements) and prepared once
// like the rest.
func (s *DB[TTx]) Dishes(ctx context.Context, q store.DishQuery) ([]store.Dish, int, error) {
	st := dishStatements(q)
	args := make([]any, 0, len(q.Tags)+5)
	for _, tag := range q.Tags {
		args = append(args, tag)
	}
	if q.MinPrice > 0 {
		args = append(args, q.MinPrice)
	}
	if q.MaxPrice > 0 {
		args = append(args, q.MaxPrice)
	}
	if q.Available != nil {
		args = append(args, *q.Available)
	}
	r := s.d.Reader()
	var total int
	if err := r.QueryRow(ctx, st.count, args...).Scan(&total); err != nil {
		return nil, 0, s.wrap("dishes", err)
	}
	out := make([]store.Dish, 0, max(0, min(q.Limit, total-q.Offset))) // the page's size, known from the count
	rows, err := r.Query(ctx, st.page, append(args, q.Limit, q.Offset)...)
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

// dishShape is what the SQL of a DishQuery depends on: which filters it
// has, not their values.
type dishShape struct {
	tags            int
	min, max, avail bool
	order           string
}

// dishSQL is the count and the page of one shape, with the page's LIMIT
// and OFFSET as its last two parameters.
type dishSQL struct{ count, page string }

// dishSQLs holds the statements of the shapes seen so far, copied on
// write: a handful (sorts × filters), read by every request.
var dishSQLs atomic.Pointer[map[dishShape]dishSQL]

// maxCachedTags bounds the shapes kept: queries with more tags (the API
// allows 5) are written each time.
const maxCachedTags = 8

// dishStatements returns the statements of q's shape.
func dishStatements(q store.DishQuery) dishSQL {
	shape := dishShape{tags: len(q.Tags), min: q.MinPrice > 0, max: q.MaxPrice > 0, avail: q.Available != nil, order: q.OrderBy()}
	m := dishSQLs.Load()
	if m != nil {
		if st, ok := (*m)[shape]; ok {
			return st
		}
	}
	st := shape.sql()
	if shape.tags <= maxCachedTags {
		next := make(map[dishShape]dishSQL, 1)
		if m != nil {
			maps.Copy(next, *m)
		}
		next[shape] = st
		dishSQLs.CompareAndSwap(m, &next) // a lost race leaves it to the next call
	}
	return st
}

// sql writes the statements of the shape.
func (sh dishShape) sql() dishSQL {
	var where []string
	n := 0
	arg := func() string { n++; return "$" + strconv.Itoa(n) }
	for range sh.tags {
		where = append(where, "EXISTS (SELECT 1 FROM dish_tags t WHERE t.dish_id = d.id AND t.tag = "+arg()+")")
	}
	if sh.min {
		where = append(where, "d.price_cents >= "+arg())
	}
	if sh.max {
		where = append(where, "d.price_cents <= "+arg())
	}
	if sh.avail {
		where = append(where, "d.available = "+arg())
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	return dishSQL{
		count: "SELECT count(*) FROM dishes d" + cond,
		page:  "SELECT " + dishColumns + " FROM dishes d" + cond + " ORDER BY " + sh.order + " LIMIT " + arg() + " OFFSET " + arg(),
	}
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
			WHERE id = $8 AND (CAST($9 AS BIGINT) = 0 OR version = CAST($9 AS BIGINT))`,
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
		n, err := tx.Exec(ctx, "DELETE FROM dishes WHERE id = $1 AND (CAST($2 AS BIGINT) = 0 OR version = CAST($2 AS BIGINT))", id, version)
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
