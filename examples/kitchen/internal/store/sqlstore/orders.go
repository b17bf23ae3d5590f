package sqlstore

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
)

// CreateOrder stores a received order, its lines and its first event,
// and queues its cook job. Where the dialect writes River's table itself
// (JobWriter: PostgreSQL), that is one statement, in one round trip
// (placeOrder). Elsewhere (SQLite) it is a statement each, whatever the
// number of lines, and River's insert, with no read back — the order is
// all known: the read of the dishes and the order's row; River's insert
// of the job (whose arguments hold the order's id); the lines, the
// event and the order's job. The order's row goes in before its dishes
// are checked, to share their batch: an order with a dish that is
// missing or not available is rolled back. With an idempotency key, a
// statement in the same batch looks for the order placed with it, which,
// if there is one, is the answer, and the new row is rolled back. It
// looks by the key's index (placedSQL).
func (s *DB[TTx]) CreateOrder(ctx context.Context, o store.NewOrder) (store.Order, error) {
	if w, ok := s.d.(JobWriter); ok {
		return s.placeOrder(ctx, w, o)
	}
	var out store.Order
	var placed int64 // the order placed before with o's key
	err := s.write(ctx, func(tx *txn[TTx]) error {
		now := store.Millis(s.now())
		var key any // NULL without a key
		var stmts []Stmt
		if o.IdempotencyKey != "" {
			key = o.IdempotencyKey
			stmts = append(stmts, Stmt{SQL: placedSQL, Args: []any{o.IdempotencyKey, o.CustomerID, now - o.KeyLifetime.Milliseconds()},
				Rows: firstRow(new(bool), &placed)})
		}
		read, dishes := readDishes(o.Lines)
		var id int64
		var found bool
		// Version 2 and event 1: the order as created, then its
		// "received" event.
		err := tx.send(ctx, append(stmts, read, Stmt{SQL: `INSERT INTO orders (customer_id, status, note, version, event_seq, created_at, updated_at, idempotency_key)
			VALUES ($1, $2, $3, 2, 1, $4, $4, $5) RETURNING id`, Args: []any{o.CustomerID, store.OrderReceived, o.Note, now, key},
			Rows: firstRow(&found, &id)})...)
		switch {
		case err != nil:
			return err
		case placed != 0:
			return errPlaced
		case !found:
			return errors.New("inserting an order returned no id")
		}
		items, err := orderItems(o.Lines, dishes)
		if err != nil {
			return err
		}
		args := make([]any, 0, 9*len(items))
		for _, it := range items {
			args = append(args, id, it.Line, it.DishID, it.Name, it.UnitPriceCents, it.Quantity, it.Station, it.PrepSeconds, it.Status)
		}
		tx.queue(Stmt{SQL: `INSERT INTO order_items (order_id, line, dish_id, name, unit_price_cents, quantity, station, prep_seconds, status)
			VALUES ` + values(len(items), 9), Args: args},
			Stmt{SQL: "INSERT INTO order_events (order_id, seq, at, kind, line, status) VALUES ($1, 1, $2, $3, 0, $4)",
				Args: []any{id, now, store.EventOrder, store.OrderReceived}})
		// No announcement: nobody can follow an order before it exists,
		// and a stream reads the table before it waits.
		prep := make([]int, len(items))
		for i, it := range items {
			prep[i] = it.PrepSeconds
		}
		s.queueCooking(tx, id, prep)
		out = store.Order{ID: id, CustomerID: o.CustomerID, Status: store.OrderReceived, Note: o.Note, Items: items, Version: 2,
			CreatedAt: store.FromMillis(now), UpdatedAt: store.FromMillis(now)}
		return nil
	})
	if errors.Is(err, errPlaced) {
		out, err = order(ctx, s.d.Reader(), placed)
	}
	return out, s.wrap("create order", err)
}

// placedSQL finds the order placed with idempotency key $1 by customer
// $2 after time $3, by the key's index: the unary + on customer_id keeps
// SQLite's planner, which has no statistics and favours the index that
// orders by id, off the index of the customer's orders, which it would
// read through to the first, all of them for a new key.
const placedSQL = `SELECT id FROM orders WHERE idempotency_key = $1 AND +customer_id = $2 AND created_at > $3
	ORDER BY id DESC LIMIT 1`

// errPlaced rolls back the write of an order whose idempotency key
// placed one already.
var errPlaced = errors.New("sqlstore: an order was placed with this idempotency key")

// lineDish is a dish as an order's line copies it.
type lineDish struct {
	store.Item
	available bool
}

// readDishes returns the statement that reads the dishes of lines, in
// one statement, and the map it fills in, by id.
func readDishes(lines []store.Line) (Stmt, map[int64]lineDish) {
	var ids []any
	for _, l := range lines {
		if !slices.Contains(ids, any(l.DishID)) {
			ids = append(ids, l.DishID)
		}
	}
	dishes := make(map[int64]lineDish, len(ids))
	return Stmt{SQL: "SELECT id, name, price_cents, station, prep_seconds, available FROM dishes WHERE id IN " + values(1, len(ids)),
		Args: ids, Rows: eachRow(func(rows Rows) error {
			var d lineDish
			err := rows.Scan(&d.DishID, &d.Name, &d.UnitPriceCents, &d.Station, &d.PrepSeconds, &d.available)
			dishes[d.DishID] = d
			return err
		})}, dishes
}

// orderItems returns the items of an order of lines: a copy of each dish
// as it is now. A missing or unavailable dish is a *store.DishError for
// its first line.
func orderItems(lines []store.Line, dishes map[int64]lineDish) ([]store.Item, error) {
	items := make([]store.Item, len(lines))
	for i, l := range lines {
		d, ok := dishes[l.DishID]
		switch {
		case !ok:
			return nil, &store.DishError{Line: i, DishID: l.DishID, Reason: "does not exist"}
		case !d.available:
			return nil, &store.DishError{Line: i, DishID: l.DishID, Reason: "is not available"}
		}
		items[i] = d.Item
		items[i].Line, items[i].Quantity, items[i].Status = i+1, l.Quantity, store.ItemQueued
	}
	return items, nil
}

// setLines moves the lines of order id that are in one of the statuses
// from (one or two) to status to, appending an event for each, in line
// order.
func (s *DB[TTx]) setLines(ctx context.Context, tx *txn[TTx], id int64, to string, from ...string) error {
	var lines []int
	rows, err := tx.Query(ctx, "UPDATE order_items SET status = $1 WHERE order_id = $2 AND status IN ($3, $4) RETURNING line",
		to, id, from[0], from[len(from)-1])
	err = scanAll(rows, err, func(rows Rows) error {
		var l int
		err := rows.Scan(&l)
		lines = append(lines, l)
		return err
	})
	if err != nil {
		return err
	}
	slices.Sort(lines)
	for _, l := range lines {
		tx.appendEvent(id, store.EventItem, l, to)
	}
	return nil
}

const orderColumns = "o.id, o.customer_id, o.status, o.note, o.version, o.created_at, o.updated_at"

func scanOrder(row Row) (store.Order, error) {
	// One value holds every destination: Scan's pointers make what they
	// point at escape, one allocation rather than three.
	var r struct {
		o                store.Order
		created, updated int64
	}
	err := row.Scan(&r.o.ID, &r.o.CustomerID, &r.o.Status, &r.o.Note, &r.o.Version, &r.created, &r.updated)
	r.o.CreatedAt, r.o.UpdatedAt = store.FromMillis(r.created), store.FromMillis(r.updated)
	return r.o, err
}

// order reads one order and its items.
func order(ctx context.Context, q Querier, id int64) (store.Order, error) {
	o, err := scanOrder(q.QueryRow(ctx, "SELECT "+orderColumns+" FROM orders o WHERE o.id = $1", id))
	if errors.Is(err, ErrNoRows) {
		return o, store.ErrNotFound
	}
	if err != nil {
		return o, err
	}
	o.Items, err = orderLines(ctx, q, id)
	return o, err
}

// itemColumns are an item's columns, as scanItem reads them.
const itemColumns = "line, coalesce(dish_id, 0), name, unit_price_cents, quantity, station, prep_seconds, status"

// scanItem reads an item into it, after the columns in before.
func scanItem(rows Rows, it *store.Item, before ...any) error {
	return rows.Scan(append(before, &it.Line, &it.DishID, &it.Name, &it.UnitPriceCents, &it.Quantity, &it.Station, &it.PrepSeconds, &it.Status)...)
}

// orderLines reads the items of one order, scanned in place.
func orderLines(ctx context.Context, q Querier, id int64) ([]store.Item, error) {
	items := make([]store.Item, 0, 4)
	rows, err := q.Query(ctx, "SELECT "+itemColumns+" FROM order_items WHERE order_id = $1 ORDER BY line", id)
	err = scanAll(rows, err, func(rows Rows) error {
		items = append(items, store.Item{})
		return scanItem(rows, &items[len(items)-1])
	})
	return items, err
}

// loadItems fills in the items of a page of orders, in one statement.
func loadItems(ctx context.Context, q Querier, orders []store.Order) error {
	switch len(orders) {
	case 0:
		return nil
	case 1: // one text for every order, prepared once
		var err error
		orders[0].Items, err = orderLines(ctx, q, orders[0].ID)
		return err
	}
	index := make(map[int64]int, len(orders))
	ids := make([]string, len(orders))
	for i, o := range orders {
		index[o.ID] = i
		orders[i].Items = []store.Item{}
		ids[i] = strconv.FormatInt(o.ID, 10) // integers: safe to inline
	}
	rows, err := q.Query(ctx, "SELECT order_id, "+itemColumns+" FROM order_items WHERE order_id IN ("+strings.Join(ids, ",")+") ORDER BY order_id, line")
	return scanAll(rows, err, func(rows Rows) error {
		var id int64
		var it store.Item
		if err := scanItem(rows, &it, &id); err != nil {
			return err
		}
		i := index[id]
		orders[i].Items = append(orders[i].Items, it)
		return nil
	})
}

// Order returns one order.
func (s *DB[TTx]) Order(ctx context.Context, id int64) (store.Order, error) {
	o, err := order(ctx, s.d.Reader(), id)
	return o, s.wrap("order", err)
}

// Orders returns a customer's orders, newest first.
func (s *DB[TTx]) Orders(ctx context.Context, customerID int64, limit, offset int) ([]store.Order, int, error) {
	r := s.d.Reader()
	var total int
	if err := r.QueryRow(ctx, "SELECT count(*) FROM orders WHERE customer_id = $1", customerID).Scan(&total); err != nil {
		return nil, 0, s.wrap("orders", err)
	}
	out := []store.Order{}
	rows, err := r.Query(ctx, "SELECT "+orderColumns+" FROM orders o WHERE o.customer_id = $1 ORDER BY o.id DESC LIMIT $2 OFFSET $3",
		customerID, limit, offset)
	err = scanAll(rows, err, func(rows Rows) error {
		o, err := scanOrder(rows)
		out = append(out, o)
		return err
	})
	if err == nil {
		err = loadItems(ctx, r, out)
	}
	if err != nil {
		return nil, 0, s.wrap("orders", err)
	}
	return out, total, nil
}

// CancelOrder cancels an order that is not finished.
func (s *DB[TTx]) CancelOrder(ctx context.Context, id, customerID int64) (store.Order, error) {
	var out store.Order
	err := s.write(ctx, func(tx *txn[TTx]) error {
		var status string
		var owner, job int64
		err := tx.QueryRow(ctx, "SELECT status, customer_id, job_id FROM orders WHERE id = $1"+s.d.ForUpdate(), id).Scan(&status, &owner, &job)
		if errors.Is(err, ErrNoRows) || err == nil && customerID != 0 && owner != customerID {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		if status != store.OrderReceived && status != store.OrderCooking {
			return &store.StatusError{Status: status}
		}
		if err := s.setLines(ctx, tx, id, store.ItemCancelled, store.ItemQueued, store.ItemCooking); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE orders SET status = $1 WHERE id = $2", store.OrderCancelled, id); err != nil {
			return err
		}
		if err := s.cancelCooking(ctx, tx, job); err != nil {
			return err
		}
		tx.appendEvent(id, store.EventOrder, 0, store.OrderCancelled)
		s.flushEvents(tx) // sent before the read of the order, for its version
		out, err = order(ctx, tx, id)
		return err
	})
	return out, s.wrap("cancel order", err)
}

// Events returns an order's events after a sequence number.
func (s *DB[TTx]) Events(ctx context.Context, orderID, after int64, limit int) ([]store.Event, error) {
	var out []store.Event
	rows, err := s.d.Reader().Query(ctx, `SELECT seq, at, kind, line, status FROM order_events
		WHERE order_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, orderID, after, limit)
	err = scanAll(rows, err, func(rows Rows) error {
		e := store.Event{OrderID: orderID}
		var at int64
		err := rows.Scan(&e.Seq, &at, &e.Kind, &e.Line, &e.Status)
		e.At = store.FromMillis(at)
		out = append(out, e)
		return err
	})
	return out, s.wrap("events", err)
}
