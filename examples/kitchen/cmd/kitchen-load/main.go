// Command kitchen-load measures the kitchen's write path and two of its
// reads over loopback, each beside its floor — the same work done
// straight on the same database — on SQLite and, with
// KITCHEN_POSTGRES_URL set, PostgreSQL:
//
//	go run ./examples/kitchen/cmd/kitchen-load -duration 10s -rounds 3 -profile /tmp/prof
//
// For each backend and round it starts the kitchen (package kitchen,
// with its load shedder, as a child process of its own) on a fresh database, registers customers, and then:
//
//   - places two-line orders from -conns connections (a closed loop) for
//     -duration, and prints the accepted orders a second, their p50 and
//     p99, every status that was not 202 (503s are shed requests), and
//     the depth of River's queue (jobs not finished) over the run: the
//     queue and the cooking kept up when it did not grow, and the
//     orders are all cooked within seconds after;
//   - places the same orders' rows straight in the database: pgbench on
//     PostgreSQL (prepared statements, -conns clients), a minimal Go
//     program on SQLite (the kitchen's pragmas, synchronous=FULL, and its
//     batching of orders per transaction);
//   - reads GET /dishes (a page filtered by tag, sorted by price) and
//     GET /orders/{id} from the kitchen and from a minimal net/http
//     handler running the same queries on the same database — the two
//     in turn, in five slices each, so that a shared machine's load
//     falls on both alike — and prints the requests answered per
//     CPU-second of each server process.
//
// Backends and rounds interleave (sqlite, postgres, sqlite, ...), so
// that the noise of a shared machine falls on both. With -profile DIR
// the CPU and allocation profiles of the kitchen in each order run and
// read run, and of the read floor, are saved there (go tool pprof -top
// FILE; -sample_index alloc_objects for FILE-allocs.pprof). Each read's
// second line is the garbage collector's share of each server: bytes
// allocated per request, collections per thousand requests, the CPU of
// its marking per request (the runtime's estimate,
// /cpu/classes/gc/mark/...), and the live heap, what a collection scans
// and the heap goal at the end of each slice. -child-godebug gctrace=1
// traces both servers' collections.
//
// The command also runs its own roles: -role kitchen and -role floor
// serve the kitchen and the read floor in the child processes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/roux-go/roux/examples/kitchen/internal/kitchen"
	"github.com/roux-go/roux/examples/kitchen/internal/store/sqlite"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "kitchen-load:", err)
		os.Exit(1)
	}
}

// config is the command line.
type config struct {
	role, backend, dsn string
	backends           []string
	conns, rounds      int
	customers, batch   int
	shedMin            int
	duration, cookUnit time.Duration
	profile            string
	childGodebug       string
	orders, reads      bool
	shed               bool
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("kitchen-load", flag.ContinueOnError)
	var c config
	backends := "sqlite"
	if os.Getenv("KITCHEN_POSTGRES_URL") != "" {
		backends = "sqlite,postgres"
	}
	fs.StringVar(&backends, "backends", backends, "backends to measure, in turn: sqlite, postgres (needs KITCHEN_POSTGRES_URL)")
	fs.IntVar(&c.conns, "conns", 32, "connections of the load, and clients of the floors")
	fs.IntVar(&c.rounds, "rounds", 1, "rounds of every backend, interleaved")
	fs.IntVar(&c.customers, "customers", 2000, "customers the orders are spread over (each may place 30 a minute)")
	fs.IntVar(&c.batch, "batch", sqlite.GroupCommit, "most orders the SQLite floor commits in one transaction (the kitchen's store batches as many)")
	fs.DurationVar(&c.duration, "duration", 10*time.Second, "how long each measurement runs")
	fs.DurationVar(&c.cookUnit, "cook-unit", time.Millisecond, "the kitchen's cook unit: a second of a dish's prep_seconds")
	fs.StringVar(&c.profile, "profile", "", "save the servers' CPU and allocation profiles in this `directory`")
	fs.StringVar(&c.childGodebug, "child-godebug", "", "GODEBUG of the kitchen's and the floor's processes (gctrace=1 traces their collections on standard error, each line after its role's name)")
	fs.BoolVar(&c.orders, "orders", true, "measure the orders")
	fs.BoolVar(&c.reads, "reads", true, "measure the reads")
	fs.BoolVar(&c.shed, "shed", true, "keep the kitchen's load shedder on (kitchen.Config.NoLoadShed)")
	fs.IntVar(&c.shedMin, "shed-min", kitchen.MinConcurrency, "the kitchen's load shedder's MinLimit and InitialLimit (kitchen.Config.MinConcurrency; package middleware's default is 4)")
	fs.StringVar(&c.role, "role", "", "internal: serve as a child process (kitchen or floor)")
	fs.StringVar(&c.backend, "backend", "", "internal: the child's backend")
	fs.StringVar(&c.dsn, "dsn", "", "internal: the child's database")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch c.role {
	case "kitchen":
		return serveKitchen(c.backend, c.dsn, c.cookUnit, c.shed, c.shedMin)
	case "floor":
		return serveFloor(c.backend, c.dsn)
	case "":
	default:
		return fmt.Errorf("-role %q: want kitchen or floor", c.role)
	}
	for b := range strings.SplitSeq(backends, ",") {
		if b != "sqlite" && b != "postgres" {
			return fmt.Errorf("-backends: unknown backend %q", b)
		}
		if b == "postgres" && os.Getenv("KITCHEN_POSTGRES_URL") == "" {
			return errors.New("-backends postgres: set KITCHEN_POSTGRES_URL (bash .ci/postgres.sh prints it)")
		}
		c.backends = append(c.backends, b)
	}
	if c.profile != "" {
		if err := os.MkdirAll(c.profile, 0o755); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "kitchen-load: %d connections, %s a run, cook unit %s, shedding %v (min limit %d), GOMAXPROCS %d, load average %s\n",
		c.conns, c.duration, c.cookUnit, c.shed, c.shedMin, runtime.GOMAXPROCS(0), loadAverage())
	var all []roundResult
	for r := range c.rounds {
		for _, b := range c.backends {
			res, err := runRound(c, b, r)
			if err != nil {
				return fmt.Errorf("%s, round %d: %w", b, r+1, err)
			}
			res.print(out)
			all = append(all, res)
		}
	}
	summarize(out, all)
	fmt.Fprintf(out, "load average after: %s\n", loadAverage())
	return nil
}

// loadAverage returns the machine's 1, 5 and 15 minute load averages.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

// database is a fresh database of one backend for one round.
type database struct {
	backend, dsn string
	drop         func()
}

// freshDatabase makes an empty database: a file in a new directory, or
// a new schema in the PostgreSQL database.
func freshDatabase(backend string) (*database, error) {
	if backend == "sqlite" {
		dir, err := os.MkdirTemp("", "kitchen-load-")
		if err != nil {
			return nil, err
		}
		return &database{backend, filepath.Join(dir, "kitchen.db"), func() { os.RemoveAll(dir) }}, nil
	}
	base := os.Getenv("KITCHEN_POSTGRES_URL")
	schema := fmt.Sprintf("load_%d", time.Now().UnixNano())
	db, closeDB, err := openFloor(context.Background(), "postgres", base)
	if err != nil {
		return nil, err
	}
	defer closeDB()
	if err := execSQL(db, "CREATE SCHEMA "+schema); err != nil {
		return nil, err
	}
	dsn, err := withSearchPath(base, schema)
	if err != nil {
		return nil, err
	}
	return &database{backend, dsn, func() {
		db, closeDB, err := openFloor(context.Background(), "postgres", base)
		if err == nil {
			execSQL(db, "DROP SCHEMA "+schema+" CASCADE") //nolint:errcheck // best effort
			closeDB()
		}
	}}, nil
}

// execSQL runs a statement that returns no rows.
func execSQL(db floorDB, sql string) error {
	rows, err := db.query(context.Background(), sql)
	if err != nil {
		return err
	}
	rows.Close()
	return rows.Err()
}

// count runs a query returning one integer.
func count(db floorDB, sql string) (int, error) {
	n := 0
	err := scanRows(context.Background(), db, sql, nil, func(s scanner) error { return s.Scan(&n) })
	return n, err
}

// profile saves the server's CPU profile over d, and its allocations
// over d beside it (FILE-allocs.pprof; go tool pprof -sample_index
// alloc_objects), from its debug address, in the background; wait
// returns once both are saved.
func profile(c *child, d time.Duration, file string) (wait func() error) {
	if file == "" {
		return func() error { return nil }
	}
	done := make(chan error, 2)
	save := func(kind, file string) {
		resp, err := http.Get(fmt.Sprintf("%s/debug/pprof/%s?seconds=%d", c.debug, kind, int(d.Seconds())))
		if err != nil {
			done <- err
			return
		}
		defer resp.Body.Close()
		f, err := os.Create(file)
		if err != nil {
			done <- err
			return
		}
		_, err = io.Copy(f, resp.Body)
		done <- errors.Join(err, f.Close())
	}
	go save("profile", file)
	go save("allocs", strings.TrimSuffix(file, ".pprof")+"-allocs.pprof")
	return func() error { return errors.Join(<-done, <-done) }
}
