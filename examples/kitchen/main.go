// Command kitchen is a restaurant's ordering API built on roux: a menu
// with ETags and staff-only changes, orders cooked concurrently by the
// kitchen and followed as server-sent events, a CPU-bound bill, health
// probes. From the repository's root,
//
//	go run ./examples/kitchen -demo
//
// serves it in demo mode on http://127.0.0.1:8080 (docs at /docs) with an
// SQLite database in ./kitchen-data, seeded on first start with a menu and
// a demo customer; the demo staff key and the demo customer's token are
// public (demo-staff-key, demo-customer-token), and the log says so. Out of
// demo mode the staff key must be given, nothing is seeded, and a database
// that holds the demo customer is refused; customers are registered with
// POST /customers. Give it a PostgreSQL database to share between
// instances:
//
//	go run ./examples/kitchen -db postgres://user:pass@host:5432/kitchen -staff-key "$KEY"
//
// Besides roux's serve and spec subcommands and their flags (package
// cli), kitchen takes these flags, before or after the subcommand, each
// also read from an environment variable; "kitchen -h" lists them all,
// kitchen's and cli's, in one usage:
//
//	-demo BOOL        KITCHEN_DEMO          demo mode: public demo credentials, a seeded menu (default false)
//	-demo-on-postgres BOOL KITCHEN_DEMO_ON_POSTGRES  allow demo mode on a PostgreSQL database (default false)
//	-data DIR         KITCHEN_DATA          SQLite data directory (default kitchen-data)
//	-db URL           KITCHEN_DATABASE_URL  postgres:// URL: use PostgreSQL instead of SQLite
//	-staff-key KEY    KITCHEN_STAFF_KEY     API key of menu changes (required out of demo mode)
//	-seed BOOL        KITCHEN_SEED          seed an empty database with a menu and the demo customer (default: in demo mode)
//	-cook-unit D      KITCHEN_COOK_UNIT     how long a second of a dish's prep_seconds lasts (default 1s)
//	-lease D          KITCHEN_LEASE         how long an instance holds orders without renewing (default 10s)
//	-idempotency-ttl D KITCHEN_IDEMPOTENCY_TTL  how long the answer to a keyed order is kept for its retries (default 24h)
//	-metrics BOOL     KITCHEN_METRICS       serve OpenTelemetry metrics of every operation at /metrics, for Prometheus (default true)
//	-traces BOOL      KITCHEN_TRACES        write a span per request to standard output as JSON (default false)
//	-shed BOOL        KITCHEN_SHED          shed load beyond what the service can serve, with 503 and Retry-After (default true)
//	-shed-delay D     KITCHEN_SHED_DELAY    the Go scheduler's delay past which the shedder, when refusing, admits only the probes and /metrics; 0: off (default 1ms)
//	-max-streams N    KITCHEN_MAX_STREAMS   event streams open at once; more are refused with 503 (default 256)
//	-order-limit N    KITCHEN_ORDER_LIMIT   orders one customer may place a minute; negative: no limit (default 30)
//	-auth-failure-limit N KITCHEN_AUTH_FAILURE_LIMIT  401s one client address may get a minute; negative: no limit (default 20)
//	-webhook-to LIST  KITCHEN_WEBHOOK_TO    the addresses webhooks may go to: public, loopback, private, comma-separated (default public)
//
// The service is built once, from the settled flags and the logger of
// cli's -log-level and -log-format; its store is opened by the API's
// start hook, which serve runs and spec does not, so "kitchen spec"
// prints the document without a database.
//
// # Overload
//
// A load shedder (middleware.LoadShedder) guards the API: it admits as
// many requests at once as keep latency flat and answers the rest 503
// with Retry-After at once. The health probes are the last it refuses,
// so that an instance under load is not taken for dead; the bill, whose
// search is CPU-bound and can be asked for again, and the document and
// docs page are the first. Event streams take no place among the
// requests: they have a cap of their own (-max-streams), since each one
// holds a connection and reads the store at every event of its order for
// as long as it lasts. package cli caps
// the connections (-max-conns). Every refusal is counted in /metrics
// (roux_server_refusals_total, by reason).
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/cli"

	"github.com/roux-go/roux/examples/kitchen/internal/kitchen"
	"github.com/roux-go/roux/examples/kitchen/internal/store"
	"github.com/roux-go/roux/examples/kitchen/internal/store/postgres"
	"github.com/roux-go/roux/examples/kitchen/internal/store/sqlite"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run runs the command line and returns the exit status.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	var o options
	build := func(ctx context.Context, s cli.Setup) (*roux.API, error) { return o.build(s, stdout) }
	err := cli.Run(ctx, build, cli.Name("kitchen"), cli.Flags("KITCHEN_", o.flags),
		cli.Args(args...), cli.Getenv(getenv), cli.Stdout(stdout), cli.Stderr(stderr))
	switch {
	case err == nil:
		return 0
	case errors.Is(err, cli.ErrUsage):
		return 2 // cli has written why
	}
	fmt.Fprintln(stderr, err)
	return 1
}

// options are kitchen's own flags.
type options struct {
	data, db, staffKey    string
	demo, demoOnPostgres  bool
	seed, seedSet         bool
	metrics, traces, shed bool
	maxStreams            int
	shedDelay             time.Duration
	orderLimit, authLimit int
	cookUnit, lease       time.Duration
	idempotencyTTL        time.Duration
	webhookTo             string
	webhooks              kitchen.AddressClass // webhookTo, parsed by check
}

// flags defines kitchen's flags on fs; package cli gives each its
// default from KITCHEN_ and its name (KITCHEN_DATA for -data), or from
// the variable fs.Env names.
func (o *options) flags(fs *cli.FlagSet) {
	fs.BoolVar(&o.demo, "demo", false, "demo mode: the public demo staff key ("+kitchen.DemoStaffKey+") unless -staff-key is given, "+
		"and a first start seeds a menu and the demo customer (token "+kitchen.DemoCustomerToken+")")
	fs.BoolVar(&o.demoOnPostgres, "demo-on-postgres", false, "allow demo mode on a PostgreSQL database")
	fs.StringVar(&o.data, "data", "kitchen-data", "SQLite data `directory`")
	fs.StringVar(&o.db, "db", "", "PostgreSQL `URL` (postgres://...): use PostgreSQL instead of SQLite")
	fs.Env("db", "KITCHEN_DATABASE_URL")
	fs.StringVar(&o.staffKey, "staff-key", "", "API `key` of menu changes and customer registration (required out of demo mode)")
	fs.Var(&seedFlag{o}, "seed", "seed an empty database with a menu and the demo customer (demo mode only; default: on in demo mode)")
	fs.DurationVar(&o.cookUnit, "cook-unit", time.Second, "how long a second of a dish's prep_seconds lasts")
	fs.DurationVar(&o.lease, "lease", 10*time.Second, "how long an instance holds orders without renewing its claim")
	fs.DurationVar(&o.idempotencyTTL, "idempotency-ttl", kitchen.IdempotencyTTL, "how long the answer to an order placed with an Idempotency-Key "+
		"is kept for its retries; a key claimed by an instance that died is free again after the shorter of this and 30s")
	fs.BoolVar(&o.metrics, "metrics", true, "serve OpenTelemetry metrics of every operation at "+kitchen.MetricsPath+", for Prometheus")
	fs.BoolVar(&o.traces, "traces", false, "write a span per request to standard output as JSON")
	fs.BoolVar(&o.shed, "shed", true, "shed load beyond what the service can serve, with 503 and Retry-After")
	fs.DurationVar(&o.shedDelay, "shed-delay", kitchen.ShedDelay, "the Go scheduler's delay past which the load shedder, while it refuses requests, "+
		"admits none but the health probes and /metrics; 0: it does not look at the scheduler")
	fs.IntVar(&o.maxStreams, "max-streams", kitchen.DefaultMaxStreams, "how many event streams may be open at once; more are refused with 503")
	fs.IntVar(&o.orderLimit, "order-limit", kitchen.DefaultOrderLimit, "orders one customer may place per minute (429 beyond); negative: no limit")
	fs.IntVar(&o.authLimit, "auth-failure-limit", kitchen.DefaultAuthFailureLimit, "401 answers one client address may get per minute before it is refused with 429; negative: no limit")
	fs.StringVar(&o.webhookTo, "webhook-to", "public", "the classes of addresses webhooks may be sent to: public, loopback, private, "+
		"comma-separated (public,loopback for a receiver on this machine)")
}

// seedFlag is -seed: a boolean whose default follows -demo.
type seedFlag struct{ o *options }

func (f *seedFlag) String() string {
	if f.o == nil {
		return "false"
	}
	return strconv.FormatBool(f.o.seed)
}

func (f *seedFlag) Set(v string) error {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return err
	}
	f.o.seed, f.o.seedSet = b, true
	return nil
}

func (f *seedFlag) IsBoolFlag() bool { return true }

// check checks the flags that go together and settles the defaults that
// depend on others. Its errors are usage errors.
func (o *options) check() error {
	if !o.seedSet {
		o.seed = o.demo
	}
	switch {
	case o.maxStreams <= 0:
		return cli.Usagef("-max-streams %d: want a whole number above 0", o.maxStreams)
	case o.shedDelay < 0:
		return cli.Usagef("-shed-delay %v: want 0 (off) or a positive duration such as 1ms", o.shedDelay)
	case o.cookUnit <= 0:
		return cli.Usagef("-cook-unit %v: want a positive duration such as 1s", o.cookUnit)
	case o.lease <= 0:
		return cli.Usagef("-lease %v: want a positive duration such as 10s", o.lease)
	case o.idempotencyTTL <= 0:
		return cli.Usagef("-idempotency-ttl %v: want a positive duration such as 24h", o.idempotencyTTL)
	case o.orderLimit == 0:
		return cli.Usagef("-order-limit 0: want a whole number, negative for no limit")
	case o.authLimit == 0:
		return cli.Usagef("-auth-failure-limit 0: want a whole number, negative for no limit")
	case o.seed && !o.demo:
		return cli.Usagef("-seed needs -demo: seeding creates the demo customer, whose token is public")
	case o.demo && o.db != "" && !o.demoOnPostgres:
		return cli.Usagef("-demo with -db: demo mode's credentials are public, and a PostgreSQL database is usually shared; add -demo-on-postgres if this one is a demo")
	}
	webhooks, err := kitchen.ParseAddressClasses(o.webhookTo)
	if err != nil {
		return cli.Usagef("-webhook-to: %v", err)
	}
	o.webhooks = webhooks
	if o.demo && o.staffKey == "" {
		o.staffKey = kitchen.DemoStaffKey
	}
	return nil
}

// build builds the service from the flags and what package cli settled
// (the logger, -docs), and returns its API; traces, when asked for, go
// to stdout. The store is opened by the API's start hook.
func (o *options) build(s cli.Setup, stdout io.Writer) (*roux.API, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	cfg := kitchen.Config{
		Open:           o.open(s.Logger),
		Seed:           o.seed,
		StaffKey:       o.staffKey,
		CookUnit:       o.cookUnit,
		Lease:          o.lease,
		IdempotencyTTL: o.idempotencyTTL,
		Logger:         s.Logger,
		Metrics:        o.metrics,
		NoDocs:         !s.Docs,

		OrderLimit:       o.orderLimit,
		AuthFailureLimit: o.authLimit,
		NoLoadShed:       !o.shed,
		MaxStreams:       o.maxStreams,
		ShedDelay:        shedDelay(o.shedDelay),
		WebhookTo:        o.webhooks,
	}
	if o.traces {
		cfg.Traces = stdout
	}
	return kitchen.New(cfg).API(), nil
}

// shedDelay is kitchen.Config.ShedDelay for the flag -shed-delay, whose
// 0 turns the scheduler's check off (the Config's is negative then).
func shedDelay(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

// open opens the store the options name, when the service starts: in
// demo mode with a loud warning; out of it only with a staff key, and
// not a database that holds the demo customer.
func (o *options) open(log *slog.Logger) func(ctx context.Context) (store.Store, error) {
	return func(ctx context.Context) (store.Store, error) {
		if !o.demo && o.staffKey == "" {
			return nil, errors.New("kitchen: no staff key: set -staff-key or KITCHEN_STAFF_KEY (or try the service with -demo)")
		}
		db, err := o.openStore(ctx)
		if err != nil {
			return nil, err
		}
		if o.demo {
			log.Warn("kitchen: DEMO MODE: its credentials are public — anyone may change the menu and order as the demo customer; never expose it",
				"staff_key", demoOr(o.staffKey), "customer_token", kitchen.DemoCustomerToken, "seed", o.seed)
			return db, nil
		}
		// Error or not found: a database with no customer table yet has
		// no demo customer either.
		if _, err := db.CustomerByToken(ctx, hashHex(kitchen.DemoCustomerToken)); err == nil {
			db.Close()
			return nil, fmt.Errorf("kitchen: the database holds the demo customer, whose token (%s) is public: run with -demo, or use another database", kitchen.DemoCustomerToken)
		}
		return db, nil
	}
}

// demoOr names key in the log: the demo key by name, another not at all.
func demoOr(key string) string {
	if key == kitchen.DemoStaffKey {
		return key
	}
	return "(given)"
}

// hashHex is how the store keeps customer tokens: SHA-256, hex.
func hashHex(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// openStore opens the store the options name.
func (o *options) openStore(ctx context.Context) (store.Store, error) {
	if o.db != "" {
		if !strings.HasPrefix(o.db, "postgres://") && !strings.HasPrefix(o.db, "postgresql://") {
			return nil, fmt.Errorf("kitchen: -db %q: want a postgres:// URL", redact(o.db))
		}
		return postgres.Open(ctx, o.db)
	}
	if err := os.MkdirAll(o.data, 0o700); err != nil {
		return nil, fmt.Errorf("kitchen: data directory: %w", err)
	}
	return sqlite.Open(filepath.Join(o.data, "kitchen.db"))
}

// redact hides the password of a URL-ish string in messages.
func redact(s string) string {
	if at := strings.LastIndex(s, "@"); at > 0 {
		return "…" + s[at:]
	}
	return s
}
