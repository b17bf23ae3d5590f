package sqlstore

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
)

// CreateOrder stores a received order and its first event.
func (s *DB[TTx]) CreateOrder(ctx context.Context, o store.NewOrder) (store.Order, error) {
	var out store.Order
	err := s.write(ctx, func(tx *txn[TTx]) error {
		items := make([]store.Item, len(o.Lines))
		for i, l := range o.Lines {
			it := store.Item{Line: i + 1, DishID: l.DishID, Quantity: l.Quantity, Status: store.ItemQueued}
			var available bool
			err := tx.QueryRow(ctx, "SELECT name, price_cents, station, prep_seconds, available FROM dishes WHERE id = $1", l.DishID).
				Scan(&it.Name, &it.UnitPriceCents, &it.Station, &it.PrepSeconds, &available)
			if errors.Is(err, ErrNoRows) {
				return &store.DishError{Line: i, DishID: l.DishID, Reason: "does not exist"}
			}
			if err != nil {
				return err
			}
			if !available {
				return &store.DishError{Line: i, DishID: l.DishID, Reason: "is not available"}
			}
			items[i] = it
		}
		now := store.Millis(s.now())
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO orders (customer_id, status, note, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $4) RETURNING id`,
			o.CustomerID, store.OrderReceived, o.Note, now).Scan(&id)
		if err != nil {
			return err
		}
		for _, it := range items {
			_, err := tx.Exec(ctx, `INSERT INTO order_items (order_id, line, dish_id, name, unit_price_cents, quantity, station, prep_seconds, status)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
				id, it.Line, it.DishID, it.Name, it.UnitPriceCents, it.Quantity, it.Station, it.PrepSeconds, it.Status)
			if err != nil {
				return err
			}
		}
		if err := s.queueCooking(ctx, tx, id); err != nil {
			return err
		}
		if err := s.appendEvent(ctx, tx, id, store.EventOrder, 0, store.OrderReceived); err != nil {
			return err
		}
		out, err = order(ctx, tx, id)
		return err
	})
	return out, s.wrap("create order", err)
}

// appendEvent adds an event to an order's log. Taking the number from the
// order row also bumps the order's version (every event is a change of
// what GET /orders/{id} shows) and locks the row, so that the events of
// one order commit in the order of their numbers.
func (s *DB[TTx]) appendEvent(ctx context.Context, tx *txn[TTx], id int64, kind string, line int, status string) error {
	now := store.Millis(s.now())
	var seq int64
	err := tx.QueryRow(ctx, `UPDATE orders SET event_seq = event_seq + 1, version = version + 1, updated_at = $1
		WHERE id = $2 RETURNING event_seq`, now, id).Scan(&seq)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, "INSERT INTO order_events (order_id, seq, at, kind, line, status) VALUES ($1, $2, $3, $4, $5, $6)",
		id, seq, now, kind, line, status)
	if !slices.Contains(tx.changed, id) {
		tx.changed = append(tx.changed, id)
	}
	return err
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
		if err := s.appendEvent(ctx, tx, id, store.EventItem, l, to); err != nil {
			return err
		}
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
		if err := s.appendEvent(ctx, tx, id, store.EventOrder, 0, store.OrderCancelled); err != nil {
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
