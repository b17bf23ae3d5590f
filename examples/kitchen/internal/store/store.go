// Package store is the kitchen's persistence: the records it keeps, the
// [Store] interface the service is written against, and what its two
// implementations (packages sqlite and postgres) share — migrations read
// from embedded SQL files and the seed data of a first start.
//
// Every write that changes an order appends to the order's event log in
// the same transaction, numbered by a per-order sequence (Event.Seq) that
// only increases. The sequence is taken from the order row itself, under
// its row lock, so events of one order commit in the order of their
// numbers: a reader that remembers the last number it saw never skips an
// event, whichever instance wrote it. (A global auto-increment id would
// not promise that on PostgreSQL, where concurrent transactions can
// commit out of id order.)
//
// Money is integer cents; times are kept as Unix milliseconds.
package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/roux-go/roux"
)

// Order statuses. An order is received, then cooking, then ready; it can
// be cancelled while received or cooking.
const (
	OrderReceived  = "received"
	OrderCooking   = "cooking"
	OrderReady     = "ready"
	OrderCancelled = "cancelled"
)

// Item statuses: each line of an order is queued, cooking, then done, or
// cancelled with its order.
const (
	ItemQueued    = "queued"
	ItemCooking   = "cooking"
	ItemDone      = "done"
	ItemCancelled = "cancelled"
)

// Stations are where dishes are prepared; each cooks on its own.
var Stations = []string{"cold", "grill", "wok", "oven", "pastry", "bar"}

// Errors the stores return; match them with errors.Is.
var (
	ErrNotFound = errors.New("store: not found")
	// ErrConflict is returned for a change the record's state does not
	// allow, such as cancelling an order that is ready.
	ErrConflict = errors.New("store: conflict")
)

// VersionError is returned by a conditional write whose expected version
// is not the record's current one. It matches [ErrConflict].
type VersionError struct {
	Current int64 // the record's version now
}

func (e *VersionError) Error() string {
	return "store: the record changed: its version is now " + strconv.FormatInt(e.Current, 10)
}

// Is makes a *VersionError match ErrConflict.
func (e *VersionError) Is(target error) bool { return target == ErrConflict }

// StatusError is returned for an order change its status does not allow.
// It matches [ErrConflict].
type StatusError struct {
	Status string // the order's status now
}

func (e *StatusError) Error() string { return "store: the order is " + e.Status }

// Is makes a *StatusError match ErrConflict.
func (e *StatusError) Is(target error) bool { return target == ErrConflict }

// DishError is returned by CreateOrder when a line names a dish that does
// not exist or is not available.
type DishError struct {
	Line   int   // index of the line in NewOrder.Lines
	DishID int64 // the dish it names
	Reason string
}

func (e *DishError) Error() string {
	return fmt.Sprintf("store: line %d: dish %d %s", e.Line, e.DishID, e.Reason)
}

// Dish is a dish on the menu.
type Dish struct {
	ID int64
	DishFields
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// DishFields are the fields of a dish a client sets.
type DishFields struct {
	Name        string
	Description string
	PriceCents  int64
	Tags        []string // sorted, without duplicates
	Station     string
	PrepSeconds int
	Available   bool
}

// Normalize sorts and deduplicates the tags.
func (f *DishFields) Normalize() {
	f.Tags = slices.Clone(f.Tags)
	slices.Sort(f.Tags)
	f.Tags = slices.Compact(f.Tags)
	if f.Tags == nil {
		f.Tags = []string{}
	}
}

// Sort orders of [DishQuery].
const (
	SortID        = "id"
	SortName      = "name"
	SortPrice     = "price"
	SortIDDesc    = "-id"
	SortNameDesc  = "-name"
	SortPriceDesc = "-price"
)

// DishQuery selects a page of dishes.
type DishQuery struct {
	Tags      []string // dishes having every one of these tags
	MinPrice  int64    // in cents, inclusive; 0 for no bound
	MaxPrice  int64    // in cents, inclusive; 0 for no bound
	Available *bool    // only (un)available dishes; nil for all
	Sort      string   // one of the Sort constants; "" is SortID
	Limit     int
	Offset    int
}

// OrderBy returns the SQL ORDER BY list for q.Sort, ties broken by id.
// Both stores use it; only these fixed strings ever reach the SQL.
func (q DishQuery) OrderBy() string {
	switch q.Sort {
	case SortName:
		return "d.name, d.id"
	case SortNameDesc:
		return "d.name DESC, d.id DESC"
	case SortPrice:
		return "d.price_cents, d.id"
	case SortPriceDesc:
		return "d.price_cents DESC, d.id DESC"
	case SortIDDesc:
		return "d.id DESC"
	}
	return "d.id"
}

// Customer is someone who orders.
type Customer struct {
	ID   int64
	Name string
}

// Order is an order and its lines.
type Order struct {
	ID         int64
	CustomerID int64
	Status     string
	Note       string
	Items      []Item
	Version    int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Item is one line of an order: a dish as it was when ordered.
type Item struct {
	Line           int   // 1-based
	DishID         int64 // 0 when the dish has since been removed
	Name           string
	UnitPriceCents int64
	Quantity       int
	Station        string
	PrepSeconds    int
	Status         string
}

// NewOrder is an order to create.
type NewOrder struct {
	CustomerID int64
	Note       string
	Lines      []Line
	// IdempotencyKey, when set, identifies the request that places the
	// order (roux's scoped Idempotency-Key): CreateOrder returns the
	// order placed with the same key less than KeyLifetime ago, if there
	// is one, instead of placing another. roux answers a retry from its
	// own store of keys; this catches the retry of a request whose
	// answer was not stored (its process died between the order's commit
	// and the key's update).
	IdempotencyKey string
	KeyLifetime    time.Duration
}

// Line is a dish and how many of it.
type Line struct {
	DishID   int64
	Quantity int
}

// Webhook is a customer's webhook endpoint: where the kitchen sends the
// customer's webhook messages, and the secret it signs them with (kept
// as it is: signing needs it).
type Webhook struct {
	URL    string
	Secret string
}

// Delivery is a webhook message to deliver: the order that became
// ready, to its customer's endpoint as registered when the delivery runs.
type Delivery struct {
	Order    Order
	Endpoint Webhook
	// MessageID is the message's id, the same on every attempt.
	MessageID string
	// Attempt counts the attempts, from 1; a retry the receiver asked
	// for with Retry-After does not count.
	Attempt int
}

// DeliveryError is the error of a delivery that failed, as
// WorkConfig.Deliver reports it: whether to try again, and when.
// Deliver may return other errors, which are retried with the queue's
// backoff.
type DeliveryError struct {
	Err error
	// Permanent says not to try again: the receiver refused the message,
	// or it cannot be sent at all.
	Permanent bool
	// RetryAfter is the delay the receiver asked for, or 0 for the
	// queue's backoff.
	RetryAfter time.Duration
}

func (e *DeliveryError) Error() string { return e.Err.Error() }

// Unwrap returns Err.
func (e *DeliveryError) Unwrap() error { return e.Err }

// Event kinds.
const (
	EventOrder = "order" // the order's status changed
	EventItem  = "item"  // a line's status changed
)

// Event is one entry of an order's event log.
type Event struct {
	OrderID int64
	Seq     int64 // 1, 2, 3... per order, in commit order
	At      time.Time
	Kind    string // EventOrder or EventItem
	Line    int    // the line, for EventItem
	Status  string // the new status
}

// Store keeps the menu, customers, orders and their events. Its methods
// are safe for concurrent use, also by several processes sharing one
// database (PostgreSQL).
type Store interface {
	// Migrate brings the schema up to date and returns the version it
	// found (0 for an empty database) and the one it left.
	Migrate(ctx context.Context) (from, to int, err error)
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// Close stops the store's work and releases the database. A second
	// call does nothing and returns nil.
	Close() error
	// Unavailable reports whether err, returned by one of the store's
	// methods, means that the database cannot take the request now but
	// may take it later: PostgreSQL refuses connections (max_connections
	// or a CONNECTION LIMIT reached, the server starting, shutting down
	// or out of reach), SQLite's file stayed locked by another process
	// past the busy timeout, or the context's deadline passed while the
	// request waited for the database. A service answers such a request
	// 503 with Retry-After, not 500.
	Unavailable(err error) bool

	// Dishes returns a page of dishes and how many match in all.
	Dishes(ctx context.Context, q DishQuery) ([]Dish, int, error)
	// Dish returns one dish, or ErrNotFound.
	Dish(ctx context.Context, id int64) (Dish, error)
	// CreateDish adds a dish with version 1.
	CreateDish(ctx context.Context, f DishFields) (Dish, error)
	// UpdateDish replaces a dish's fields if its version is version (any
	// version when 0) and increments the version. It returns ErrNotFound
	// or a *VersionError.
	UpdateDish(ctx context.Context, id, version int64, f DishFields) (Dish, error)
	// DeleteDish removes a dish if its version is version (any when 0).
	// Orders keep their copy of it.
	DeleteDish(ctx context.Context, id, version int64) error

	// CreateCustomer adds a customer who authenticates with the token
	// whose SHA-256 is tokenHash (hex).
	CreateCustomer(ctx context.Context, name, tokenHash string) (Customer, error)
	// CustomerByToken finds a customer by token hash, or ErrNotFound.
	CustomerByToken(ctx context.Context, tokenHash string) (Customer, error)

	// CreateOrder stores a received order with its first event, copying
	// each dish's name, price, station and preparation time, and queues
	// the job that cooks it, all in one transaction: an order that
	// exists has its work queued. A missing or unavailable dish is a
	// *DishError.
	CreateOrder(ctx context.Context, o NewOrder) (Order, error)
	// Order returns one order with its items, or ErrNotFound.
	Order(ctx context.Context, id int64) (Order, error)
	// Orders returns a customer's orders, newest first, and their count.
	Orders(ctx context.Context, customerID int64, limit, offset int) ([]Order, int, error)
	// CancelOrder cancels a received or cooking order of customerID (any
	// customer when 0), its lines not yet done, and the job that cooks
	// it, in one transaction. It returns
	// ErrNotFound, or a *StatusError when the order is ready or
	// cancelled already.
	CancelOrder(ctx context.Context, id, customerID int64) (Order, error)
	// Events returns up to limit events of an order with Seq > after,
	// in order.
	Events(ctx context.Context, orderID, after int64, limit int) ([]Event, error)

	// SetWebhook registers the customer's webhook endpoint, or replaces
	// the one registered, and reports whether it replaced one. From then
	// on, each order of the customer that becomes ready queues the
	// delivery of a message to it, in the transaction that makes it
	// ready; a cancelled order never does.
	SetWebhook(ctx context.Context, customerID int64, w Webhook) (replaced bool, err error)
	// DeleteWebhook removes the customer's webhook endpoint, or returns
	// ErrNotFound. Deliveries queued for it are cancelled when they run.
	DeleteWebhook(ctx context.Context, customerID int64) error

	// Idempotency returns the store of roux's idempotency keys, in the
	// same database (package idemsql; Migrate creates its table).
	Idempotency() roux.IdempotencyStore
	// OrderIdempotency is Idempotency for POST /orders, whose orders
	// record their key (NewOrder.IdempotencyKey) and whose retries find
	// the order of their key: where the store's writes are ordered
	// (SQLite's group commit), the successful answers are sent before
	// their commit, as idemsql's OrderedAnswers allows.
	OrderIdempotency() roux.IdempotencyStore

	// Subscribe calls fn with the id of every order that has new events,
	// written by this process or any other sharing the database
	// (PostgreSQL's LISTEN/NOTIFY), and with 0 when some may have been
	// missed (every order may have new events). fn must not block. It
	// returns the function that ends the subscription.
	Subscribe(fn func(orderID int64)) (unsubscribe func())

	// StartWork starts cooking: the store's job queue (River, in the
	// same database) runs the jobs that CreateOrder queues, in this
	// process beside any other process sharing the database. Orders left
	// unfinished by a process that stopped or crashed are finished here.
	StartWork(ctx context.Context, cfg WorkConfig) error
	// StopWork stops taking jobs and waits for the running ones to end,
	// until ctx is done; then it cancels them. Their orders stay queued
	// for the next process that works.
	StopWork(ctx context.Context) error
	// Queue reports the job queue: the jobs not finished, by kind and
	// state, from the database (every process sharing it sees the same),
	// and what this process's work has done since the store was opened.
	Queue(ctx context.Context) (QueueStats, error)
}

// The kinds of the store's jobs, as QueueStats names them.
const (
	JobCook    = "cook_order"      // cooks an order
	JobDeliver = "deliver_webhook" // delivers an order's webhook message
	JobExpire  = "expire_keys"     // deletes the idempotency keys that lapsed
)

// QueueStats is what Store.Queue reports.
type QueueStats struct {
	// Waiting counts the jobs not finished — available, scheduled,
	// running, retryable or pending — by kind and state, in the whole
	// queue. A queue that keeps up stays about as deep as the work
	// arriving in one job's time.
	Waiting []JobCount
	// Worked counts, by kind, the runs of jobs this process finished.
	Worked []JobRuns
	// Deliveries counts the outcomes of the webhook deliveries this
	// process attempted.
	Deliveries Deliveries
}

// Deliveries counts the attempts of webhook deliveries by outcome.
type Deliveries struct {
	// Delivered counts the messages the receiver accepted (2xx).
	Delivered int64
	// Retried counts the attempts that failed and are tried again: after
	// the receiver's Retry-After, or the queue's backoff.
	Retried int64
	// Failed counts the messages given up after their last attempt.
	Failed int64
	// Cancelled counts the messages not sent again because the receiver
	// refused them (a 4xx other than 408, 409, 425 and 429), their
	// address is one the kitchen may not send to, or their endpoint or
	// order is gone.
	Cancelled int64
}

// JobCount is how many jobs of a kind are in a state.
type JobCount struct {
	Kind, State string
	N           int64
}

// JobRuns counts the runs of one kind of job that a process finished.
type JobRuns struct {
	Kind string
	// Completed counts the jobs that completed.
	Completed int64
	// Failed counts the runs that failed: those to be retried and those
	// that were the job's last attempt (Discarded counts these again).
	Failed int64
	// Discarded counts the jobs given up after their last attempt.
	Discarded int64
}

// WorkConfig configures the work of Store.StartWork. The zero value of
// each field means its default.
//
// Cooking an order is one job. Its first run starts the order and all its
// lines cooking; a line is done PrepSeconds × CookUnit after that, and
// the job sleeps (River's snooze) until the next line is due, finishes
// it, and so on until the order is ready. Each run is one short
// transaction, so stopping waits for milliseconds, and a job whose
// process died while it ran is run again after RescueAfter.
type WorkConfig struct {
	// CookUnit is how long one of a dish's PrepSeconds lasts: 1s by
	// default.
	CookUnit time.Duration
	// RescueAfter is how long a job may run before it is taken to be
	// lost with its process and run again: 10s by default. A run takes
	// milliseconds; it is stopped after half of RescueAfter.
	RescueAfter time.Duration
	// Poll is how often the queue looks for jobs that are due: 50ms by
	// default, 20ms on SQLite (where each look is a write of the group
	// writer, and smaller batches queue less at once there). The
	// cook jobs, which the store writes with their orders and announces
	// to no one, are found by this poll, as is a line coming due; the jobs River inserts (webhook deliveries) are
	// announced at once on PostgreSQL (LISTEN/NOTIFY) and found by the
	// poll on SQLite.
	Poll time.Duration
	// MaxWorkers is how many jobs run at once in this process: 1000 by
	// default.
	MaxWorkers int
	// Deliver delivers a webhook message (see Store.SetWebhook) and
	// returns nil once the receiver has accepted it, or an error: a
	// *DeliveryError says whether and when to try again, any other is
	// retried with the queue's backoff. A run is stopped after half of
	// RescueAfter, like a step of the cooking. Without Deliver, deliveries
	// are cancelled.
	Deliver func(ctx context.Context, d Delivery) error
	// DeliveryAttempts is how many times a message is tried before it is
	// given up, not counting the retries a receiver asked for with
	// Retry-After (of which there may be as many again): 10 by default,
	// the last about 4 hours after the first (the queue's backoff waits
	// attempt⁴ seconds, give or take 10%, after each failure).
	DeliveryAttempts int
	// ExpireKeys is how often the idempotency keys that lapsed are deleted
	// (by one of the processes sharing the queue): hourly by default. A
	// lapsed key is as good as absent, and its row is reused by the next
	// request with it; this keeps the table from growing with keys never
	// sent again.
	ExpireKeys time.Duration
	// Logger receives the queue's messages: slog.Default() by default.
	Logger *slog.Logger
}

// Millis converts t to Unix milliseconds, as the stores keep times.
func Millis(t time.Time) int64 { return t.UnixMilli() }

// FromMillis converts Unix milliseconds back to a UTC time.
func FromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// Migration is one step of a schema: an SQL file applied in one
// transaction, named NNNN_description.sql.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations reads the migrations in the root of fsys, in version order.
// Versions must be 1, 2, 3... without gaps.
func Migrations(fsys fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 1 {
			return nil, fmt.Errorf("store: migration %s: want a name like 0001_init.sql", e.Name())
		}
		b, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("store: migration %s: %w", e.Name(), err)
		}
		ms = append(ms, Migration{Version: v, Name: e.Name(), SQL: string(b)})
	}
	slices.SortFunc(ms, func(a, b Migration) int { return a.Version - b.Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("store: migration %s: version %d expected", m.Name, i+1)
		}
	}
	return ms, nil
}

// CheckVersion returns an error when the database's schema version is
// newer than the last migration this program knows: an older binary must
// not run against a schema it does not understand.
func CheckVersion(current int, ms []Migration) error {
	if current > len(ms) {
		return fmt.Errorf("store: the database schema is at version %d, newer than this program's %d; run a newer kitchen", current, len(ms))
	}
	return nil
}
