// Command kitchen is a restaurant's ordering API built on roux: a menu
// with ETags and staff-only changes, orders cooked concurrently by the
// kitchen and followed as server-sent events, a CPU-bound bill, health
// probes. From the repository's root,
//
//	go run ./examples/kitchen
//
// serves it on http://127.0.0.1:8080 (docs at /docs) with an SQLite
// database in ./kitchen-data, seeded on first start. Give it a PostgreSQL
// database to share between instances:
//
//	go run ./examples/kitchen -db postgres://user:pass@host:5432/kitchen
//
// Besides roux's serve and spec subcommands and their flags (package
// cli), kitchen takes these flags, anywhere on the command line, each
// also read from an environment variable:
//
//	-data DIR         KITCHEN_DATA          SQLite data directory (default kitchen-data)
//	-db URL           KITCHEN_DATABASE_URL  postgres:// URL: use PostgreSQL instead of SQLite
//	-staff-key KEY    KITCHEN_STAFF_KEY     API key of menu changes (default: the demo key, with a warning)
//	-seed BOOL        KITCHEN_SEED          seed an empty database with a menu and a demo customer (default true)
//	-cook-unit D      KITCHEN_COOK_UNIT     how long a second of a dish's prep_seconds lasts (default 1s)
//	-lease D          KITCHEN_LEASE         how long an instance holds orders without renewing (default 10s)
//	-metrics BOOL     KITCHEN_METRICS       serve OpenTelemetry metrics of every operation at /metrics, for Prometheus (default true)
//	-traces BOOL      KITCHEN_TRACES        write a span per request to standard output as JSON (default false)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/roux-go/roux/cli"

	"github.com/roux-go/roux/examples/kitchen/internal/kitchen"
	"github.com/roux-go/roux/examples/kitchen/internal/store"
	"github.com/roux-go/roux/examples/kitchen/internal/store/postgres"
	"github.com/roux-go/roux/examples/kitchen/internal/store/sqlite"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// options are kitchen's own flags.
type options struct {
	data, db, staffKey    string
	seed, metrics, traces bool
	cookUnit, lease       time.Duration
}

// flags defines kitchen's flags on fs, with defaults from getenv.
func (o *options) flags(fs *flag.FlagSet, getenv func(string) string) error {
	str := func(env, def string) string {
		if v := getenv(env); v != "" {
			return v
		}
		return def
	}
	var errs []error
	dur := func(env string, def time.Duration) time.Duration {
		v := str(env, def.String())
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("%s=%q: want a positive duration such as 1s", env, v))
		}
		return d
	}
	boolean := func(env string, def bool) bool {
		v := str(env, strconv.FormatBool(def))
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: want true or false", env, v))
		}
		return b
	}
	seed := str("KITCHEN_SEED", "true")
	fs.StringVar(&o.data, "data", str("KITCHEN_DATA", "kitchen-data"), "SQLite data `directory`")
	fs.StringVar(&o.db, "db", str("KITCHEN_DATABASE_URL", ""), "PostgreSQL `URL` (postgres://...): use PostgreSQL instead of SQLite")
	fs.StringVar(&o.staffKey, "staff-key", str("KITCHEN_STAFF_KEY", ""), "API `key` of menu changes (default: "+kitchen.DemoStaffKey+", with a warning)")
	fs.BoolVar(&o.seed, "seed", seed != "false" && seed != "0", "seed an empty database with a menu and a demo customer")
	fs.DurationVar(&o.cookUnit, "cook-unit", dur("KITCHEN_COOK_UNIT", time.Second), "how long a second of a dish's prep_seconds lasts")
	fs.DurationVar(&o.lease, "lease", dur("KITCHEN_LEASE", 10*time.Second), "how long an instance holds orders without renewing its claim")
	fs.BoolVar(&o.metrics, "metrics", boolean("KITCHEN_METRICS", true), "serve OpenTelemetry metrics of every operation at "+kitchen.MetricsPath+", for Prometheus")
	fs.BoolVar(&o.traces, "traces", boolean("KITCHEN_TRACES", false), "write a span per request to standard output as JSON")
	return errors.Join(errs...)
}

// run runs the command line and returns the exit status.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kitchen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	if err := o.flags(fs, getenv); err != nil {
		fmt.Fprintln(stderr, "kitchen:", err)
		return 2
	}
	ours, rest := splitArgs(args, fs)
	if err := fs.Parse(ours); err != nil {
		return 2
	}
	for _, a := range rest {
		if a == "-h" || a == "-help" || a == "--help" || a == "help" {
			fmt.Fprintln(stderr, "kitchen's own flags (anywhere on the command line):")
			fs.PrintDefaults()
			break
		}
	}
	log, err := logger(rest, getenv, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "kitchen:", err)
		return 2
	}
	cfg := kitchen.Config{
		Open:     o.open,
		Seed:     o.seed,
		StaffKey: o.staffKey,
		CookUnit: o.cookUnit,
		Lease:    o.lease,
		Logger:   log,
		Metrics:  o.metrics,
	}
	if o.traces {
		cfg.Traces = stdout
	}
	svc := kitchen.New(cfg)
	err = cli.Run(ctx, svc.API(), cli.Options{Name: "kitchen", Args: rest, Stdout: stdout, Stderr: stderr, Logger: log,
		Getenv: getenv})
	switch {
	case err == nil:
		return 0
	case errors.Is(err, cli.ErrUsage):
		return 2
	}
	fmt.Fprintln(stderr, err)
	return 1
}

// open opens the store the options name.
func (o *options) open(ctx context.Context) (store.Store, error) {
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

// splitArgs separates kitchen's flags (as -name value, -name=value, or
// -name for booleans, with one or two dashes) from the rest, which go to
// package cli. rest is never nil: cli.Options.Args nil means os.Args.
func splitArgs(args []string, fs *flag.FlagSet) (ours, rest []string) {
	rest = []string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return ours, append(rest, args[i:]...)
		}
		if len(a) < 2 || a[0] != '-' {
			rest = append(rest, a)
			continue
		}
		name := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		name, _, hasValue := strings.Cut(name, "=")
		f := fs.Lookup(name)
		if f == nil {
			rest = append(rest, a)
			continue
		}
		ours = append(ours, a)
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); hasValue || ok && b.IsBoolFlag() {
			continue
		}
		if i+1 < len(args) {
			i++
			ours = append(ours, args[i])
		}
	}
	return ours, rest
}

// logger builds the logger serve's -log-level and -log-format flags (or
// ROUX_LOG_LEVEL and ROUX_LOG_FORMAT) ask for. Kitchen builds it itself,
// rather than letting package cli do it, because its access log and
// kitchen need it before cli runs.
func logger(args []string, getenv func(string) string, w io.Writer) (*slog.Logger, error) {
	level, format := getenv("ROUX_LOG_LEVEL"), getenv("ROUX_LOG_FORMAT")
	for i, a := range args {
		name := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		name, val, hasValue := strings.Cut(name, "=")
		if !hasValue && i+1 < len(args) {
			val = args[i+1]
		}
		switch name {
		case "log-level":
			level = val
		case "log-format":
			format = val
		}
	}
	var l slog.Level
	if level != "" {
		if err := l.UnmarshalText([]byte(level)); err != nil {
			return nil, fmt.Errorf("-log-level %q: want debug, info, warn or error", level)
		}
	}
	opts := &slog.HandlerOptions{Level: l}
	switch format {
	case "", "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("-log-format %q: want text or json", format)
}
