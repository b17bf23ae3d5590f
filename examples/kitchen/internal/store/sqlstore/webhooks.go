package sqlstore

// This file holds the customers' webhook endpoints and the deliveries of
// their messages, as River jobs beside the cooking.
//
// The step of the cooking that makes an order ready queues the delivery
// in its own transaction when the customer has an endpoint, so a ready
// order's message is never lost and a cancelled order, which never
// becomes ready, never has one. The job reads the order and the endpoint
// when it runs (a customer who changes their endpoint meanwhile gets the
// message at the new one; one who removed it, none) and hands them to
// WorkConfig.Deliver, whose answer decides what River does next:
// complete the job, snooze it for the receiver's Retry-After (which does
// not count as an attempt, so the snoozes are bounded apart), retry it
// with River's backoff up to DeliveryAttempts, or cancel it.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
)

// deliverArgs are the arguments of the job that delivers the message of
// an order that is ready.
type deliverArgs struct {
	OrderID int64 `json:"order_id"`
}

// Kind names the job kind in River's table.
func (deliverArgs) Kind() string { return store.JobDeliver }

// maxRetryAfter is the longest a delivery waits for a receiver that
// asked for a retry later: a longer Retry-After is cut to it.
const maxRetryAfter = time.Hour

// defaultDeliveryAttempts is WorkConfig.DeliveryAttempts' default.
const defaultDeliveryAttempts = 10

// SetWebhook registers or replaces the customer's endpoint: one upsert,
// whose version tells a new endpoint (1) from a replaced one.
func (s *DB[TTx]) SetWebhook(ctx context.Context, customerID int64, w store.Webhook) (replaced bool, err error) {
	var version int64
	err = s.write(ctx, func(tx *txn[TTx]) error {
		now := store.Millis(s.now())
		return tx.QueryRow(ctx, `INSERT INTO webhooks (customer_id, url, secret, version, created_at, updated_at)
			VALUES ($1, $2, $3, 1, $4, $4)
			ON CONFLICT (customer_id) DO UPDATE SET url = excluded.url, secret = excluded.secret,
				version = webhooks.version + 1, updated_at = excluded.updated_at
			RETURNING version`, customerID, w.URL, w.Secret, now).Scan(&version)
	})
	return version > 1, s.wrap("set webhook", err)
}

// DeleteWebhook removes the customer's endpoint.
func (s *DB[TTx]) DeleteWebhook(ctx context.Context, customerID int64) error {
	err := s.write(ctx, func(tx *txn[TTx]) error {
		n, err := tx.Exec(ctx, "DELETE FROM webhooks WHERE customer_id = $1", customerID)
		if err == nil && n == 0 {
			return store.ErrNotFound
		}
		return err
	})
	return s.wrap("delete webhook", err)
}

// queueDelivery queues the delivery of order id's message, in tx, when
// its customer has an endpoint. Where the dialect writes River's table
// (JobWriter), that is one statement, queued with tx's others, which
// inserts the job if there is an endpoint. Elsewhere the count of the
// endpoints goes with tx's next batch, and the job, if there is one, is
// inserted with the others at the end of tx (flushJobs).
func (s *DB[TTx]) queueDelivery(tx *txn[TTx], id int64) {
	if w, ok := s.d.(JobWriter); ok {
		tx.queue(Stmt{SQL: w.QueueDelivery(), Args: []any{id, store.JobDeliver, s.deliveries.attempts.Load()}})
		return
	}
	d := &delivery{order: id}
	tx.queue(Stmt{SQL: "SELECT count(*) FROM webhooks w JOIN orders o ON o.customer_id = w.customer_id WHERE o.id = $1",
		Args: []any{id}, Rows: firstRow(new(bool), &d.endpoints)})
	tx.deliveries = append(tx.deliveries, d)
}

// delivery is a webhook message a transaction delivers if its order's
// customer has an endpoint.
type delivery struct {
	order     int64
	endpoints int // of the order's customer, once counted
}

// deliveries counts the outcomes of this process's delivery attempts.
type deliveries struct {
	delivered, retried, failed, cancelled atomic.Int64
	attempts                              atomic.Int64 // WorkConfig.DeliveryAttempts, for the jobs queued
}

func (d *deliveries) snapshot() store.Deliveries {
	return store.Deliveries{Delivered: d.delivered.Load(), Retried: d.retried.Load(), Failed: d.failed.Load(), Cancelled: d.cancelled.Load()}
}

// deliver is the delivery job: one attempt, counted and logged by its
// outcome.
func (s *DB[TTx]) deliver(ctx context.Context, job *river.Job[deliverArgs]) error {
	s.work.mu.Lock()
	cfg := s.work.cfg
	s.work.mu.Unlock()
	err := s.attempt(ctx, job, cfg)
	log := cfg.Logger.With("order", job.Args.OrderID, "job", job.ID, "attempt", job.Attempt)
	var cancel *rivertype.JobCancelError
	var snooze *rivertype.JobSnoozeError
	switch {
	case err == nil:
		s.deliveries.delivered.Add(1)
		log.Debug("kitchen: webhook delivered")
	case errors.As(err, &cancel):
		s.deliveries.cancelled.Add(1)
		log.Info("kitchen: webhook not delivered, and not tried again", "error", err)
	case errors.As(err, &snooze):
		s.deliveries.retried.Add(1)
		log.Info("kitchen: webhook not delivered; trying again when the receiver asked", "after", snooze.Duration, "error", err)
	case job.Attempt >= job.MaxAttempts:
		s.deliveries.failed.Add(1)
		log.Warn("kitchen: webhook not delivered after its last attempt", "error", err)
	default:
		s.deliveries.retried.Add(1)
		log.Info("kitchen: webhook not delivered; trying again later", "error", err)
	}
	return err
}

// attempt delivers the message of job's order once, and says what River
// does next: nothing (nil), cancel, snooze, or retry (any other error).
func (s *DB[TTx]) attempt(ctx context.Context, job *river.Job[deliverArgs], cfg store.WorkConfig) error {
	id := job.Args.OrderID
	if cfg.Deliver == nil {
		return river.JobCancel(errors.New("this kitchen delivers no webhooks"))
	}
	d, err := s.delivery(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return river.JobCancel(fmt.Errorf("order %d or its customer's webhook is gone", id))
	case err != nil:
		return err
	}
	d.MessageID, d.Attempt = "order-"+strconv.FormatInt(id, 10)+"-ready", job.Attempt
	err = cfg.Deliver(ctx, d)
	var de *store.DeliveryError
	switch {
	case err == nil:
		return nil
	case !errors.As(err, &de):
		return err
	case de.Permanent:
		return river.JobCancel(err)
	case de.RetryAfter > 0 && snoozes(job.Metadata) < job.MaxAttempts:
		return river.JobSnooze(min(de.RetryAfter, maxRetryAfter))
	}
	return err
}

// snoozes returns how many times a job has snoozed, which River counts
// in its metadata.
func snoozes(metadata []byte) int {
	var m struct {
		Snoozes int `json:"snoozes"`
	}
	json.Unmarshal(metadata, &m) //nolint:errcheck // none counted is 0
	return m.Snoozes
}

// delivery reads the order id and its customer's endpoint.
func (s *DB[TTx]) delivery(ctx context.Context, id int64) (store.Delivery, error) {
	r := s.d.Reader()
	o, err := order(ctx, r, id)
	if err != nil {
		return store.Delivery{}, err
	}
	var w store.Webhook
	err = r.QueryRow(ctx, "SELECT url, secret FROM webhooks WHERE customer_id = $1", o.CustomerID).Scan(&w.URL, &w.Secret)
	if errors.Is(err, ErrNoRows) {
		return store.Delivery{}, store.ErrNotFound
	}
	return store.Delivery{Order: o, Endpoint: w}, err
}

// expireArgs are the arguments of the periodic job that deletes the
// idempotency keys that lapsed.
type expireArgs struct{}

// Kind names the job kind in River's table.
func (expireArgs) Kind() string { return store.JobExpire }

// expire deletes the lapsed idempotency keys.
func (s *DB[TTx]) expire(ctx context.Context, _ *river.Job[expireArgs]) error {
	n, err := s.idem.DeleteExpired(ctx)
	if err == nil && n > 0 {
		s.work.mu.Lock()
		log := s.work.cfg.Logger
		s.work.mu.Unlock()
		log.LogAttrs(ctx, slog.LevelDebug, "kitchen: lapsed idempotency keys deleted", slog.Int64("keys", n))
	}
	return err
}
