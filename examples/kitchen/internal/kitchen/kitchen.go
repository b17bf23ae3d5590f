// Package kitchen is the kitchen service: a restaurant's menu, its
// customers' orders, a kitchen that cooks them, and the roux API over it
// all. The service keeps its state in a [store.Store] — SQLite or a
// PostgreSQL shared by several instances — and nothing in memory that
// another instance would need: an instance that dies leaves its orders to
// be finished by another one, or by itself after a restart.
//
// # Webhooks
//
// A customer registers an endpoint (PUT /customers/me/webhook) and gets
// the secret its messages are signed with. Each of their orders that
// becomes ready queues, in the same transaction, a job that delivers the
// kitchenapi.OrderReady webhook with roux's sender; the receiver's answer,
// as deliver (webhooks.go) reads it, decides whether River completes,
// snoozes, retries or cancels the job. Deliveries go through a guard against
// server-side request forgery (guard.go): [Config.WebhookTo] names the
// classes of addresses the kitchen connects to, checked on the address
// it dials, after the name is resolved; [Public] only by default.
//
// # Idempotent orders
//
// POST /orders is roux.Idempotent: a retry with the same Idempotency-Key
// gets the first answer, from the store's database ([Config.IdempotencyTTL]),
// and the order records the key in its own transaction (idempotency.go).
package kitchen

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/middleware"
	"github.com/roux-go/roux/openapi"
	"github.com/roux-go/roux/schema"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
)

// Demo credentials, used when the configuration gives none: the staff key
// when Config.StaffKey is empty, and the token of the customer the first
// start creates.
const (
	DemoStaffKey      = "demo-staff-key"
	DemoCustomerToken = "demo-customer-token"
)

// MinConcurrency is the fewest requests the service's load shedder lets
// run at once while it is not refusing any (its MinLimit and InitialLimit;
// Config.MinConcurrency changes it): the SQLite store commits the writes
// that wait together (group commit), so its throughput grows with the
// writes in flight while their latency grows with the batch — which an
// adaptive limiter takes for queueing and answers by cutting the very
// concurrency that fills the batches. With bench/cmd/kitchenload
// (BENCHMARKS.md), POST /orders in a closed loop without the shedder gave
// 1,096/s with 4 in flight, 1,430 with 8, 1,722–1,829 with 12–16 and
// 2,316–2,369 with 32–48. A floor of 12 kept the p99 at 3× capacity lower
// (28–34 ms against 53–62 ms for 32), but 32 clients in a closed loop
// (cmd/kitchen-load) then got 176,212 503s in 10 s and 1,354 orders/s,
// against none and 2,350/s with 32: a load the service carries must not
// be shed. Under overload the floor is OverloadConcurrency instead.
const MinConcurrency = 32

// OverloadConcurrency is the fewest requests the load shedder lets run at
// once while it is refusing requests (its OverloadMinLimit): a closed loop
// of MinConcurrency clients never asks for more places than the floor and
// is never refused, but an open loop beyond capacity is refused all the
// time, and 32 orders in flight on one core wait 16 ms at the mean
// (Little's law). The floor comes back after a window without refusals,
// or a trial at the floor that nobody is refused through (package
// middleware's OverloadMinLimit). It applies only while it is below the
// floor (Config.MinConcurrency). With kitchenload at 3× capacity on one
// core of a quiet machine (BENCHMARKS.md), 16 gave a p99 of 21–32 ms and
// 0.78–0.99 of capacity, 8 gave 18–32 ms and 0.70–1.02, against 28–44 ms
// and 1.04–1.40 with the floor of 32 throughout: fewer in flight means
// smaller commit batches, which cost more CPU an order on the core that
// also answers the refusals.
const OverloadConcurrency = 16

// ShedDelay is the default of Config.ShedDelay: while the load shedder is
// refusing requests and one it admitted is running, it admits none but
// the health probes and /metrics (event streams have a cap of their own)
// as long as a quarter of the goroutines that began to run since its last
// look, a millisecond or more ago, had waited a millisecond or more for a
// processor. The
// refusals then get the processor time they need, which the concurrency
// limit alone left to the admitted requests. With bench/cmd/kitchenload
// at 3× capacity of GET /dishes on one core (BENCHMARKS.md, the eighth
// stop), it raised the median of the requests answered within 200 ms
// from 0.21–0.36 to 0.46–0.60 of capacity, with no round of client
// time-outs, and cut the p50 and p99 of admitted requests several times
// over; 0.5 ms was no better, and 2 ms not clearly so in five rounds.
// Against a closed loop of 64 or 256 clients that send again at once
// when refused it costs a tenth to a fifth of the goodput.
const ShedDelay = time.Millisecond

// Config configures a [Service]. The zero value of each duration means
// its default.
type Config struct {
	// Open opens the store; the service calls it when it starts (so that
	// "kitchen spec" needs no database), migrates it, and seeds it when
	// the database was empty and Seed is set.
	Open func(ctx context.Context) (store.Store, error)
	// Seed fills an empty database with a menu and a demo customer (token
	// DemoCustomerToken), so that a first run has something to show.
	Seed bool
	// StaffKey is the API key of menu changes (header X-Staff-Key); it
	// defaults to DemoStaffKey, with a warning in the log.
	StaffKey string
	// CookUnit is how long one second of a dish's prep_seconds lasts: a
	// second by default; tests and demos make the kitchen faster.
	CookUnit time.Duration
	// Lease is how long a step of the cooking may run before the job
	// queue takes it to be lost with its instance and runs it again
	// (River's rescue of stuck jobs; a step takes milliseconds). When an
	// instance is killed, another finishes its orders within about a
	// Lease. It defaults to 10s.
	Lease time.Duration
	// OrderLimit is how many orders one customer (by their bearer token)
	// may place a minute; beyond it POST /orders answers 429 with
	// Retry-After. It defaults to DefaultOrderLimit; a negative value
	// sets no limit.
	OrderLimit int
	// AuthFailureLimit is how many requests answered 401 (a missing or
	// wrong staff key or customer token) one client address may make a
	// minute; beyond it, every request of that address to an operation
	// that needs a credential answers 429 until its budget refills. It
	// defaults to DefaultAuthFailureLimit; a negative value sets no
	// limit.
	AuthFailureLimit int
	// WebhookTo holds the classes of addresses the kitchen sends webhooks
	// to; 0 means Public. A receiver's URL whose host is an address of
	// another class is refused when it is registered, and a connection
	// to one — which a name may resolve to — when a message is sent.
	// Add Loopback for a demo or tests whose receiver runs on the same
	// machine (Loopback alone makes sure nothing leaves it), Private for
	// receivers inside your network.
	WebhookTo AddressClass
	// WebhookAttempts is how many times a webhook message is tried before
	// it is given up (retries the receiver asked for with Retry-After
	// apart); it defaults to DefaultWebhookAttempts.
	WebhookAttempts int
	// Logger receives the access log and the kitchen's messages; it
	// defaults to slog.Default().
	Logger *slog.Logger
	// Instance names this instance in its telemetry; it defaults to a
	// random name.
	Instance string
	// Metrics serves OpenTelemetry metrics of every operation (request
	// durations, sizes, requests in flight, by operation) and of the Go
	// runtime at GET /metrics (MetricsPath), in the Prometheus text
	// format. The path is not an operation: it is not in the OpenAPI
	// document, and it needs no credentials.
	Metrics bool
	// Traces, when set, receives a span per request as JSON
	// (OpenTelemetry's stdout exporter), written in batches.
	Traces io.Writer
	// NoDocs turns the API's interactive docs page off
	// (roux.Config.DocsPath "-"), as package cli's -docs=false asks.
	NoDocs bool
	// NoLoadShed turns off the load shedder in front of the API (its
	// concurrency limit and its cap on event streams); see the file
	// shed.go.
	NoLoadShed bool
	// MaxStreams is how many order event streams may be open at once;
	// more are refused with 503 and Retry-After. It defaults to
	// DefaultMaxStreams.
	MaxStreams int
	// IdempotencyTTL is how long the answer to an order placed with an
	// Idempotency-Key is kept for its retries; it defaults to the
	// constant IdempotencyTTL. It also bounds roux's lease on a key a
	// request claims (the shorter of it and 30s): a key whose instance
	// died is free again after it. Whatever it says, an order remembers
	// its key for at least the constant IdempotencyTTL, so that a retry
	// whose answer has lapsed still gets its order, not a second one.
	IdempotencyTTL time.Duration
	// MinConcurrency is the fewest requests the load shedder lets run at
	// once (the floor of its adaptive limit, and where the limit starts);
	// it defaults to the constant MinConcurrency, below which group
	// commit loses its batches.
	MinConcurrency int
	// ShedDelay is the Go scheduler's delay past which the load shedder,
	// while it is refusing requests and one it admitted is running,
	// admits none but the health probes and /metrics (package
	// middleware's SchedulingDelay); it defaults to
	// the constant ShedDelay, and a negative value turns it off.
	ShedDelay time.Duration
}

// Service is the kitchen service: its API, its store, its cooks.
type Service struct {
	cfg     Config
	api     *roux.API
	store   atomic.Pointer[storeBox]
	kitchen *kitchen
	hub     *hub
	log     *slog.Logger
	limits  limits

	sender   *roux.WebhookSender       // of webhook messages, through the guard
	staff    *roux.Dep[Staff]          // the X-Staff-Key scheme
	customer *roux.Dep[store.Customer] // the customers' bearer scheme
	setupErr error                     // a failure of New, returned by start

	unavailableLog unavailableLog // unavailable.go
}

type storeBox struct{ s store.Store }

// errNotStarted answers requests that arrive before the store is open.
var errNotStarted = roux.NewError(http.StatusServiceUnavailable, "the kitchen is starting").WithHeader("Retry-After", "1")

// db returns the store, or an error while the service is not started.
func (s *Service) db() (store.Store, error) {
	if b := s.store.Load(); b != nil {
		return b.s, nil
	}
	return nil, errNotStarted
}

// New builds the service and its API. The store is opened by the API's
// start hook ([roux.API.Start], which package cli's serve calls) and
// closed by its shutdown hook.
func New(cfg Config) *Service {
	if cfg.CookUnit <= 0 {
		cfg.CookUnit = time.Second
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 10 * time.Second
	}
	if cfg.IdempotencyTTL <= 0 {
		cfg.IdempotencyTTL = IdempotencyTTL
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.WebhookTo == 0 {
		cfg.WebhookTo = Public
	}
	if cfg.WebhookAttempts <= 0 {
		cfg.WebhookAttempts = DefaultWebhookAttempts
	}
	if cfg.Instance == "" {
		b := make([]byte, 6)
		rand.Read(b)
		cfg.Instance = "kitchen-" + hex.EncodeToString(b)
	}
	s := &Service{cfg: cfg, hub: newHub(), log: cfg.Logger, limits: newLimits(cfg)}
	// A delivery runs as a job, stopped after half a lease (see
	// store.WorkConfig): so is the request.
	s.sender = &roux.WebhookSender{Client: webhookClient(cfg.WebhookTo, cfg.Lease/2), Timeout: cfg.Lease / 2}
	s.kitchen = newKitchen(s)
	docsPath := "" // roux's default, /docs
	if cfg.NoDocs {
		docsPath = "-"
	}
	s.api = roux.New(roux.Config{
		Title:   "Kitchen",
		Version: "1.0.0",
		Description: "A restaurant's ordering API, built on roux. Browse the menu, order with a customer token " +
			"(the demo customer's is `" + DemoCustomerToken + "`), follow the kitchen's progress as server-sent events, " +
			"ask for the bill. Menu changes need the staff key (header X-Staff-Key). Prices are euro cents.",
		Logger:       cfg.Logger,
		DocsPath:     docsPath,
		Contact:      &openapi.Contact{Name: "The roux authors", URL: "https://github.com/roux-go/roux"},
		License:      &openapi.License{Name: "MIT", Identifier: "MIT"},
		Servers:      []openapi.Server{{URL: "/", Description: "The kitchen that serves this document"}},
		ExternalDocs: &openapi.ExternalDocs{URL: "https://github.com/roux-go/roux/tree/main/examples/kitchen", Description: "The kitchen's README: running it, a tour with curl"},
		Tags: []openapi.Tag{
			{Name: "menu", Description: "The dishes. Anyone may read the menu; changes need the staff key."},
			{Name: "orders", Description: "A customer's orders, the kitchen's progress on them and their bills. Each needs the customer's token."},
			{Name: "customers", Description: "Registering customers, which needs the staff key, and a customer's webhook, which needs their token."},
			{Name: "health", Description: "Probes for load balancers and orchestrators."},
		},
		SchemeDescriptions: map[string]string{
			"staffKey":      "The staff key, in the X-Staff-Key header: menu changes and customer registration.",
			"customerToken": "A customer's token, as returned once by POST /customers (the demo customer's is `" + DemoCustomerToken + "`).",
		},
	})
	// Outermost first: the load shedder, in front of everything that
	// costs a request its CPU, so that a refusal costs as little as it
	// can (shed.go); then recover, the request ID and the security
	// headers (documented on every response but the shedder's, which
	// does not pass through them), the access log.
	if !cfg.NoLoadShed {
		s.shedLoad()
	}
	for _, l := range []*middleware.RateLimiter{s.limits.orders, s.limits.authFailures} {
		if l != nil {
			s.api.CountRefusals(roux.RefusalRateLimit, l.Limited)
		}
	}
	s.api.Use(middleware.Recover(cfg.Logger))
	s.api.UseDocumented(middleware.RequestID(), middleware.SecureHeaders())
	s.api.Use(middleware.AccessLog(cfg.Logger))
	s.api.OnStart(s.start)
	s.api.OnShutdown(s.stop)
	s.api.OnShutdown(func(context.Context) error { s.sender.Client.CloseIdleConnections(); return nil })
	s.api.Health("/livez", "/readyz", roux.ReadyCheck{Name: "database", Check: func(ctx context.Context) error {
		db, err := s.db()
		if err != nil {
			return errors.New("not started")
		}
		return db.Ping(ctx)
	}})
	s.staff, s.customer = s.staffAuth(), s.customerAuth()
	s.registerMenu()
	s.registerOrders()
	s.registerWebhooks()
	if err := s.instrument(cfg.Metrics, cfg.Traces); err != nil {
		s.setupErr = fmt.Errorf("kitchen: telemetry: %w", err)
	}
	return s
}

// API returns the service's API.
func (s *Service) API() *roux.API { return s.api }

// start opens, migrates and maybe seeds the store, then starts the cooks.
func (s *Service) start(ctx context.Context) error {
	if s.setupErr != nil {
		return s.setupErr
	}
	if s.cfg.Open == nil {
		return errors.New("kitchen: Config.Open is nil")
	}
	if s.cfg.StaffKey == "" {
		s.log.Warn("kitchen: using the demo staff key; set -staff-key or KITCHEN_STAFF_KEY", "key", DemoStaffKey)
	}
	db, err := s.cfg.Open(ctx)
	if err != nil {
		return err
	}
	from, to, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return err
	}
	s.log.Info("kitchen: database ready", "schema_from", from, "schema", to)
	if from == 0 && s.cfg.Seed {
		if err := seed(ctx, db); err != nil {
			db.Close()
			return fmt.Errorf("kitchen: seeding: %w", err)
		}
		s.log.Info("kitchen: first start: menu and demo customer created", "customer_token", DemoCustomerToken)
	}
	if err := s.kitchen.start(ctx, db); err != nil {
		db.Close()
		return err
	}
	s.store.Store(&storeBox{db})
	return nil
}

// stop stops the cooks, leaving their orders queued, and closes the
// store.
func (s *Service) stop(ctx context.Context) error {
	b := s.store.Load()
	if b == nil {
		return nil
	}
	s.kitchen.stop(ctx, b.s)
	s.store.Store(nil)
	return b.s.Close()
}

// hashToken is how customer tokens are kept: SHA-256, hex.
func hashToken(token string) string {
	// A token of up to 64 bytes (ours are 48) is hashed from a copy on
	// the stack: []byte(token) of more than 32 bytes allocates.
	var in [64]byte
	var h [sha256.Size]byte
	if len(token) <= len(in) {
		h = sha256.Sum256(append(in[:0], token...))
	} else {
		h = sha256.Sum256([]byte(token))
	}
	var b [2 * sha256.Size]byte
	hex.Encode(b[:], h[:])
	return string(b[:]) // one allocation; hex.EncodeToString makes two
}

// newToken returns a random customer token.
func newToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// storeError turns the store's errors into problems; what it does not
// know stays an internal error.
func storeError(err error, what string) error {
	var ve *store.VersionError
	var se *store.StatusError
	switch {
	case errors.Is(err, store.ErrNotFound):
		return roux.Errorf(http.StatusNotFound, "%s does not exist", what)
	case errors.As(err, &ve):
		return roux.Errorf(http.StatusPreconditionFailed, "%s has changed: its ETag is now %s", what, etag(ve.Current)).
			WithHeader("ETag", etag(ve.Current))
	case errors.As(err, &se):
		return roux.Errorf(http.StatusConflict, "%s is %s", what, se.Status)
	}
	return err
}

// compress compresses the long lists (GET /dishes and GET /orders) for
// clients that accept it, and publishes the headers it adds.
var compress = roux.Wrap(roux.Describe(middleware.Compress(), nil, map[string]*openapi.Header{
	"Content-Encoding": {Description: "gzip (or another coding the request's Accept-Encoding admits) when the answer is compressed.",
		Schema: &schema.Schema{Type: schema.Types{"string"}}},
	"Vary": {Description: "Accept-Encoding: the answer depends on it.", Schema: &schema.Schema{Type: schema.Types{"string"}}},
}))
