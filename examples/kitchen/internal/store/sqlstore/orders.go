package sqlstore

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
)

// CreateOrder stores a received order and its first event.
func (s *DB[TTx]) CreateOrder(ctx context.Context, o store.NewOrder) (store.Order, error) {
	var out store.Order
	err := s.write(ctx, func(tx Tx[TTx]) error {
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
	return out, s.wrap("create order", err)
}

// appendEvent adds an event to an order's log. Taking the number from the
// order row also bumps the order's version (every event is a change of
// what GET /orders/{id} shows) and locks the row, so that the events of
// one order commit in the order of their numbers.
func (s *DB[TTx]) appendEvent(ctx context.Context, tx Tx[TTx], id int64, kind string, line int, status string) error {
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
	err := s.write(ctx, func(tx Tx[TTx]) error {
		var status string
		var owner int64
		err := tx.QueryRow(ctx, "SELECT status, customer_id FROM orders WHERE id = $1"+s.d.ForUpdate(), id).Scan(&status, &owner)
		if errors.Is(err, ErrNoRows) || err == nil && customerID != 0 && owner != customerID {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		if status != store.OrderReceived && status != store.OrderCooking {
			return &store.StatusError{Status: status}
		}
		var lines []int
		rows, err := tx.Query(ctx, `UPDATE order_items SET status = $1 WHERE order_id = $2 AND status IN ($3, $4) RETURNING line`,
			store.ItemCancelled, id, store.ItemQueued, store.ItemCooking)
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
	return out, s.wrap("cancel order", err)
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
func (s *DB[TTx]) SetOrderStatus(ctx context.Context, id int64, from []string, to string) (bool, error) {
	var ok bool
	err := s.write(ctx, func(tx Tx[TTx]) error {
		list, args := in([]any{to, id}, from)
		n, err := tx.Exec(ctx, "UPDATE orders SET status = $1 WHERE id = $2 AND status IN ("+list+")", args...)
		if err != nil || n == 0 {
			return err
		}
		ok = true
		return s.appendEvent(ctx, tx, id, store.EventOrder, 0, to)
	})
	return ok, s.wrap("set order status", err)
}

// SetItemStatus moves a line of a cooking order between statuses.
func (s *DB[TTx]) SetItemStatus(ctx context.Context, id int64, line int, from []string, to string) (bool, error) {
	var ok bool
	err := s.write(ctx, func(tx Tx[TTx]) error {
		// The order's row lock first: a cancellation waits for this
		// change, or this one sees it.
		var status string
		err := tx.QueryRow(ctx, "SELECT status FROM orders WHERE id = $1"+s.d.ForUpdate(), id).Scan(&status)
		if errors.Is(err, ErrNoRows) || err == nil && status != store.OrderCooking {
			return nil
		}
		if err != nil {
			return err
		}
		list, args := in([]any{to, id, line}, from)
		n, err := tx.Exec(ctx, "UPDATE order_items SET status = $1 WHERE order_id = $2 AND line = $3 AND status IN ("+list+")", args...)
		if err != nil || n == 0 {
			return err
		}
		ok = true
		return s.appendEvent(ctx, tx, id, store.EventItem, line, to)
	})
	return ok, s.wrap("set item status", err)
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

// ClaimOrders claims unfinished orders whose lease has expired.
func (s *DB[TTx]) ClaimOrders(ctx context.Context, owner string, now, until time.Time, limit int) ([]store.Order, error) {
	var out []store.Order
	err := s.write(ctx, func(tx Tx[TTx]) error {
		var ids []int64
		rows, err := tx.Query(ctx, `UPDATE orders SET lease_owner = $1, lease_until = $2
			WHERE id IN (SELECT id FROM orders WHERE status IN ($3, $4) AND lease_until < $5 ORDER BY id LIMIT $6`+s.d.SkipLocked()+`)
			RETURNING id`, owner, store.Millis(until), store.OrderReceived, store.OrderCooking, store.Millis(now), limit)
		err = scanAll(rows, err, func(rows Rows) error {
			var id int64
			err := rows.Scan(&id)
			ids = append(ids, id)
			return err
		})
		if err != nil {
			return err
		}
		slices.Sort(ids)
		for _, id := range ids {
			o, err := order(ctx, tx, id)
			if err != nil {
				return err
			}
			out = append(out, o)
		}
		return nil
	})
	return out, s.wrap("claim orders", err)
}

// RenewLeases extends owner's leases.
func (s *DB[TTx]) RenewLeases(ctx context.Context, owner string, ids []int64, until time.Time) ([]int64, error) {
	var lost []int64
	err := s.write(ctx, func(tx Tx[TTx]) error {
		lost = lost[:0]
		for _, id := range ids {
			n, err := tx.Exec(ctx, "UPDATE orders SET lease_until = $1 WHERE id = $2 AND lease_owner = $3",
				store.Millis(until), id, owner)
			if err != nil {
				return err
			}
			if n == 0 {
				lost = append(lost, id)
			}
		}
		return nil
	})
	return lost, s.wrap("renew leases", err)
}

// ReleaseLeases ends owner's leases.
func (s *DB[TTx]) ReleaseLeases(ctx context.Context, owner string, ids []int64) error {
	err := s.write(ctx, func(tx Tx[TTx]) error {
		for _, id := range ids {
			if _, err := tx.Exec(ctx, "UPDATE orders SET lease_until = 0 WHERE id = $1 AND lease_owner = $2", id, owner); err != nil {
				return err
			}
		}
		return nil
	})
	return s.wrap("release leases", err)
}
