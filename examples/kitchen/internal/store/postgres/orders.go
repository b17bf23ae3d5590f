package postgres

import (
	"context"
	"errors"
	"github.com/jackc/pgx/v5"
	"strconv"
	"strings"
	"time"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
)

// CreateOrder stores a received order and its first event.
func (s *DB) CreateOrder(ctx context.Context, o store.NewOrder) (store.Order, error) {
	var out store.Order
	err := s.write(ctx, func(tx pgx.Tx) error {
		items := make([]store.Item, len(o.Lines))
		for i, l := range o.Lines {
			it := store.Item{Line: i + 1, DishID: l.DishID, Quantity: l.Quantity, Status: store.ItemQueued}
			var available bool
			err := tx.QueryRow(ctx, "SELECT name, price_cents, station, prep_seconds, available FROM dishes WHERE id = $1", l.DishID).
				Scan(&it.Name, &it.UnitPriceCents, &it.Station, &it.PrepSeconds, &available)
			if errors.Is(err, pgx.ErrNoRows) {
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
		err := tx.QueryRow(ctx, `INSERT INTO orders (customer_id, status, note, lease_owner, lease_until, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`,
			o.CustomerID, store.OrderReceived, o.Note, o.Owner, store.Millis(o.LeaseUntil), now).Scan(&id)
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
		if err := s.appendEvent(ctx, tx, id, store.EventOrder, 0, store.OrderReceived); err != nil {
			return err
		}
		out, err = order(ctx, tx, id)
		return err
	})
	return out, wrap("create order", err)
}

// appendEvent adds an event to an order's log. Taking the number from the
// order row also bumps the order's version: every event is a change of
// what GET /orders/{id} shows.
func (s *DB) appendEvent(ctx context.Context, tx pgx.Tx, id int64, kind string, line int, status string) error {
	now := store.Millis(s.now())
	var seq int64
	err := tx.QueryRow(ctx, `UPDATE orders SET event_seq = event_seq + 1, version = version + 1, updated_at = $1
		WHERE id = $2 RETURNING event_seq`, now, id).Scan(&seq)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, "INSERT INTO order_events (order_id, seq, at, kind, line, status) VALUES ($1, $2, $3, $4, $5, $6)",
		id, seq, now, kind, line, status)
	return err
}

const orderColumns = "o.id, o.customer_id, o.status, o.note, o.version, o.created_at, o.updated_at"

func scanOrder(row interface{ Scan(...any) error }) (store.Order, error) {
	var o store.Order
	var created, updated int64
	err := row.Scan(&o.ID, &o.CustomerID, &o.Status, &o.Note, &o.Version, &created, &updated)
	o.CreatedAt, o.UpdatedAt = store.FromMillis(created), store.FromMillis(updated)
	return o, err
}

// order reads one order and its items.
func order(ctx context.Context, q querier, id int64) (store.Order, error) {
	o, err := scanOrder(q.QueryRow(ctx, "SELECT "+orderColumns+" FROM orders o WHERE o.id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
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

// loadItems fills in the items of orders.
func loadItems(ctx context.Context, q querier, orders []store.Order) error {
	if len(orders) == 0 {
		return nil
	}
	index := make(map[int64]int, len(orders))
	ids := make([]string, len(orders))
	for i, o := range orders {
		index[o.ID] = i
		ids[i] = strconv.FormatInt(o.ID, 10) // integers: safe to inline
		orders[i].Items = []store.Item{}
	}
	rows, err := q.Query(ctx, `SELECT order_id, line, coalesce(dish_id, 0), name, unit_price_cents, quantity, station, prep_seconds, status
		FROM order_items WHERE order_id IN (`+strings.Join(ids, ",")+`) ORDER BY order_id, line`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var it store.Item
		if err := rows.Scan(&id, &it.Line, &it.DishID, &it.Name, &it.UnitPriceCents, &it.Quantity, &it.Station, &it.PrepSeconds, &it.Status); err != nil {
			return err
		}
		i := index[id]
		orders[i].Items = append(orders[i].Items, it)
	}
	return rows.Err()
}

// Order returns one order.
func (s *DB) Order(ctx context.Context, id int64) (store.Order, error) {
	o, err := order(ctx, s.pool, id)
	return o, wrap("order", err)
}

// Orders returns a customer's orders, newest first.
func (s *DB) Orders(ctx context.Context, customerID int64, limit, offset int) ([]store.Order, int, error) {
	var total int
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM orders WHERE customer_id = $1", customerID).Scan(&total); err != nil {
		return nil, 0, wrap("orders", err)
	}
	rows, err := s.pool.Query(ctx, "SELECT "+orderColumns+" FROM orders o WHERE o.customer_id = $1 ORDER BY o.id DESC LIMIT $2 OFFSET $3",
		customerID, limit, offset)
	if err != nil {
		return nil, 0, wrap("orders", err)
	}
	defer rows.Close()
	out := []store.Order{}
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, 0, wrap("orders", err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, wrap("orders", err)
	}
	return out, total, wrap("orders", loadItems(ctx, s.pool, out))
}

// CancelOrder cancels an order that is not finished.
func (s *DB) CancelOrder(ctx context.Context, id, customerID int64) (store.Order, error) {
	var out store.Order
	err := s.write(ctx, func(tx pgx.Tx) error {
		var status string
		var owner int64
		err := tx.QueryRow(ctx, "SELECT status, customer_id FROM orders WHERE id = $1 FOR UPDATE", id).Scan(&status, &owner)
		if errors.Is(err, pgx.ErrNoRows) || err == nil && customerID != 0 && owner != customerID {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		if status != store.OrderReceived && status != store.OrderCooking {
			return &store.StatusError{Status: status}
		}
		rows, err := tx.Query(ctx, `UPDATE order_items SET status = $1 WHERE order_id = $2 AND status IN ($3, $4) RETURNING line`,
			store.ItemCancelled, id, store.ItemQueued, store.ItemCooking)
		if err != nil {
			return err
		}
		var lines []int
		for rows.Next() {
			var l int
			if err := rows.Scan(&l); err != nil {
				rows.Close()
				return err
			}
			lines = append(lines, l)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		sortedLines(lines)
		for _, l := range lines {
			if err := s.appendEvent(ctx, tx, id, store.EventItem, l, store.ItemCancelled); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, "UPDATE orders SET status = $1 WHERE id = $2", store.OrderCancelled, id); err != nil {
			return err
		}
		if err := s.appendEvent(ctx, tx, id, store.EventOrder, 0, store.OrderCancelled); err != nil {
			return err
		}
		out, err = order(ctx, tx, id)
		return err
	})
	return out, wrap("cancel order", err)
}

// in returns "$n, $n+1, ..." for the statuses, appending them to args.
func in(args []any, statuses []string) (string, []any) {
	ph := make([]string, len(statuses))
	for i, st := range statuses {
		args = append(args, st)
		ph[i] = "$" + strconv.Itoa(len(args))
	}
	return strings.Join(ph, ", "), args
}

// SetOrderStatus moves an order between statuses.
func (s *DB) SetOrderStatus(ctx context.Context, id int64, from []string, to string) (bool, error) {
	var ok bool
	err := s.write(ctx, func(tx pgx.Tx) error {
		list, args := in([]any{to, id}, from)
		res, err := tx.Exec(ctx, "UPDATE orders SET status = $1 WHERE id = $2 AND status IN ("+list+")", args...)
		if err != nil {
			return err
		}
		if res.RowsAffected() == 0 {
			return nil
		}
		ok = true
		return s.appendEvent(ctx, tx, id, store.EventOrder, 0, to)
	})
	return ok, wrap("set order status", err)
}

// SetItemStatus moves a line of a cooking order between statuses.
func (s *DB) SetItemStatus(ctx context.Context, id int64, line int, from []string, to string) (bool, error) {
	var ok bool
	err := s.write(ctx, func(tx pgx.Tx) error {
		// The order's row lock first: a cancellation waits for this
		// change, or this one sees it.
		var status string
		err := tx.QueryRow(ctx, "SELECT status FROM orders WHERE id = $1 FOR UPDATE", id).Scan(&status)
		if errors.Is(err, pgx.ErrNoRows) || err == nil && status != store.OrderCooking {
			return nil
		}
		if err != nil {
			return err
		}
		list, args := in([]any{to, id, line}, from)
		res, err := tx.Exec(ctx, `UPDATE order_items SET status = $1 WHERE order_id = $2 AND line = $3
			AND status IN (`+list+")", args...)
		if err != nil {
			return err
		}
		if res.RowsAffected() == 0 {
			return nil
		}
		ok = true
		return s.appendEvent(ctx, tx, id, store.EventItem, line, to)
	})
	return ok, wrap("set item status", err)
}

// Events returns an order's events after a sequence number.
func (s *DB) Events(ctx context.Context, orderID, after int64, limit int) ([]store.Event, error) {
	rows, err := s.pool.Query(ctx, `SELECT seq, at, kind, line, status FROM order_events
		WHERE order_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, orderID, after, limit)
	if err != nil {
		return nil, wrap("events", err)
	}
	defer rows.Close()
	var out []store.Event
	for rows.Next() {
		e := store.Event{OrderID: orderID}
		var at int64
		if err := rows.Scan(&e.Seq, &at, &e.Kind, &e.Line, &e.Status); err != nil {
			return nil, wrap("events", err)
		}
		e.At = store.FromMillis(at)
		out = append(out, e)
	}
	return out, wrap("events", rows.Err())
}

// ClaimOrders claims unfinished orders whose lease has expired.
func (s *DB) ClaimOrders(ctx context.Context, owner string, now, until time.Time, limit int) ([]store.Order, error) {
	var out []store.Order
	err := s.write(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `UPDATE orders SET lease_owner = $1, lease_until = $2
			WHERE id IN (SELECT id FROM orders WHERE status IN ($3, $4) AND lease_until < $5 ORDER BY id LIMIT $6
				FOR UPDATE SKIP LOCKED)
			RETURNING id`, owner, store.Millis(until), store.OrderReceived, store.OrderCooking, store.Millis(now), limit)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			o, err := order(ctx, tx, id)
			if err != nil {
				return err
			}
			out = append(out, o)
		}
		return nil
	})
	return out, wrap("claim orders", err)
}

// RenewLeases extends owner's leases.
func (s *DB) RenewLeases(ctx context.Context, owner string, ids []int64, until time.Time) ([]int64, error) {
	var lost []int64
	err := s.write(ctx, func(tx pgx.Tx) error {
		lost = lost[:0]
		for _, id := range ids {
			res, err := tx.Exec(ctx, "UPDATE orders SET lease_until = $1 WHERE id = $2 AND lease_owner = $3",
				store.Millis(until), id, owner)
			if err != nil {
				return err
			}
			if res.RowsAffected() == 0 {
				lost = append(lost, id)
			}
		}
		return nil
	})
	return lost, wrap("renew leases", err)
}

// ReleaseLeases ends owner's leases.
func (s *DB) ReleaseLeases(ctx context.Context, owner string, ids []int64) error {
	err := s.write(ctx, func(tx pgx.Tx) error {
		for _, id := range ids {
			if _, err := tx.Exec(ctx, "UPDATE orders SET lease_until = 0 WHERE id = $1 AND lease_owner = $2", id, owner); err != nil {
				return err
			}
		}
		return nil
	})
	return wrap("release leases", err)
}
