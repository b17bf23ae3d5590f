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
// and queues its cook job: a statement each, whatever the number of
// lines, and no read back — the order is all known. With an idempotency
// key, a statement first looks for the order placed with it.
func (s *DB[TTx]) CreateOrder(ctx context.Context, o store.NewOrder) (store.Order, error) {
	var out store.Order
	err := s.write(ctx, func(tx *txn[TTx]) error {
		now := store.Millis(s.now())
		var key any // NULL without a key
		if o.IdempotencyKey != "" {
			key = o.IdempotencyKey
			var prev int64
			err := tx.QueryRow(ctx, `SELECT id FROM orders WHERE idempotency_key = $1 AND customer_id = $2 AND created_at > $3
				ORDER BY id DESC LIMIT 1`, o.IdempotencyKey, o.CustomerID, now-o.KeyLifetime.Milliseconds()).Scan(&prev)
			if err == nil {
				out, err = order(ctx, tx, prev)
				return err
			}
			if !errors.Is(err, ErrNoRows) {
				return err
			}
		}
		items, err := orderItems(ctx, tx, o.Lines)
		if err != nil {
			return err
		}
		var id int64
		// Version 2 and event 1: the order as created, then its
		// "received" event.
		err = tx.QueryRow(ctx, `INSERT INTO orders (customer_id, status, note, version, event_seq, created_at, updated_at, idempotency_key)
			VALUES ($1, $2, $3, 2, 1, $4, $4, $5) RETURNING id`,
			o.CustomerID, store.OrderReceived, o.Note, now, key).Scan(&id)
		if err != nil {
			return err
		}
		args := make([]any, 0, 9*len(items))
		for _, it := range items {
			args = append(args, id, it.Line, it.DishID, it.Name, it.UnitPriceCents, it.Quantity, it.Station, it.PrepSeconds, it.Status)
		}
		_, err = tx.Exec(ctx, `INSERT INTO order_items (order_id, line, dish_id, name, unit_price_cents, quantity, station, prep_seconds, status)
			VALUES `+values(len(items), 9), args...)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "INSERT INTO order_events (order_id, seq, at, kind, line, status) VALUES ($1, 1, $2, $3, 0, $4)",
			id, now, store.EventOrder, store.OrderReceived)
		if err != nil {
			return err
		}
		// No announcement: nobody can follow an order before it exists,
		// and a stream reads the table before it waits.
		s.queueCooking(tx, id)
		out = store.Order{ID: id, CustomerID: o.CustomerID, Status: store.OrderReceived, Note: o.Note, Items: items, Version: 2,
			CreatedAt: store.FromMillis(now), UpdatedAt: store.FromMillis(now)}
		return nil
	})
	return out, s.wrap("create order", err)
}

// orderItems reads the dishes of lines, in one statement, and returns
// the order's items: a copy of each dish as it is now. A missing or
// unavailable dish is a *store.DishError for its first line.
func orderItems(ctx context.Context, q Querier, lines []store.Line) ([]store.Item, error) {
	type dish struct {
		store.Item
		available bool
	}
	var ids []any
	for _, l := range lines {
		if !slices.Contains(ids, any(l.DishID)) {
			ids = append(ids, l.DishID)
		}
	}
	dishes := make(map[int64]dish, len(ids))
	rows, err := q.Query(ctx, "SELECT id, name, price_cents, station, prep_seconds, available FROM dishes WHERE id IN "+values(1, len(ids)), ids...)
	err = scanAll(rows, err, func(rows Rows) error {
		var d dish
		err := rows.Scan(&d.DishID, &d.Name, &d.UnitPriceCents, &d.Station, &d.PrepSeconds, &d.available)
		dishes[d.DishID] = d
		return err
	})
	if err != nil {
		return nil, err
	}
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
	var o store.Order
	var created, updated int64
	err := row.Scan(&o.ID, &o.CustomerID, &o.Status, &o.Note, &o.Version, &created, &updated)
	o.CreatedAt, o.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
	return o, err
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
	os := []store.Order{o}
	if err := loadItems(ctx, q, os); err != nil {
		return o, err
	}
	return os[0], nil
}

// loadItems fills in the items of orders: one statement for one order,
// one for a page of them.
func loadItems(ctx context.Context, q Querier, orders []store.Order) error {
	if len(orders) == 0 {
		return nil
	}
	const columns = "SELECT order_id, line, coalesce(dish_id, 0), name, unit_price_cents, quantity, station, prep_seconds, status FROM order_items"
	index := make(map[int64]int, len(orders))
	for i, o := range orders {
		index[o.ID] = i
		orders[i].Items = []store.Item{}
	}
	var rows Rows
	var err error
	if len(orders) == 1 {
		rows, err = q.Query(ctx, columns+" WHERE order_id = $1 ORDER BY line", orders[0].ID)
	} else {
		ids := make([]string, len(orders))
		for i, o := range orders {
			ids[i] = strconv.FormatInt(o.ID, 10) // integers: safe to inline
		}
		rows, err = q.Query(ctx, columns+" WHERE order_id IN ("+strings.Join(ids, ",")+") ORDER BY order_id, line")
	}
	return scanAll(rows, err, func(rows Rows) error {
		var id int64
		var it store.Item
		if err := rows.Scan(&id, &it.Line, &it.DishID, &it.Name, &it.UnitPriceCents, &it.Quantity, &it.Station, &it.PrepSeconds, &it.Status); err != nil {
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
		if err := s.flushEvents(ctx, tx); err != nil { // for the version read next
			return err
		}
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
