package main

// This file holds the command's server roles, each run in a child
// process of its own so that its CPU time and profile are its own: the
// kitchen (the service as main.go builds it, behind a load shedder) and
// the read floor (a minimal net/http handler running the kitchen's read
// queries on the same database).

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof" // the child's profile, at its debug address
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/roux-go/roux"

	"github.com/roux-go/roux/examples/kitchen/internal/kitchen"
	"github.com/roux-go/roux/examples/kitchen/internal/store"
	"github.com/roux-go/roux/examples/kitchen/internal/store/postgres"
	"github.com/roux-go/roux/examples/kitchen/internal/store/sqlite"
)

// staffKey is the staff key of the kitchens this command starts.
const staffKey = "load-staff-key"

// openStore opens the store of a backend at dsn (a file for SQLite, a
// URL for PostgreSQL).
func openStore(ctx context.Context, backend, dsn string) (store.Store, error) {
	if backend == "postgres" {
		return postgres.Open(ctx, dsn)
	}
	return sqlite.Open(dsn)
}

// serveKitchen runs the kitchen on a loopback port, with its load
// shedder or without, prints its addresses and serves until SIGTERM or its
// standard input closes.
func serveKitchen(backend, dsn string, cookUnit time.Duration, shedding bool, shedMin int) error {
	svc, status, err := startKitchen(backend, dsn, cookUnit, shedding, shedMin)
	if err != nil {
		return err
	}
	err = serve(svc.API(), status)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return errors.Join(err, svc.API().Shutdown(ctx))
}

// startKitchen builds and starts the kitchen as the command measures it,
// and returns it with the load shedder's status.
func startKitchen(backend, dsn string, cookUnit time.Duration, shedding bool, shedMin int) (*kitchen.Service, func() string, error) {
	// Errors only: the access log's line per request, and its warning
	// per 4xx (429s when customers are few), would cost the kitchen more
	// than its work.
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	// Shedding: the service's own load shedder, its floor at -shed-min
	// (kitchen.MinConcurrency by default). Its priorities leave the
	// operations measured here at Normal.
	svc := kitchen.New(kitchen.Config{
		Open:           func(ctx context.Context) (store.Store, error) { return openStore(ctx, backend, dsn) },
		Seed:           true,
		StaffKey:       staffKey,
		CookUnit:       cookUnit,
		Logger:         log,
		Metrics:        true,
		NoLoadShed:     !shedding,
		MinConcurrency: shedMin,
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := svc.API().Start(ctx); err != nil {
		return nil, nil, err
	}
	status := func() string { return "no shedder" }
	if shedding {
		status = func() string { return "shed=" + strconv.FormatInt(svc.API().Refusals()[roux.RefusalLoadShed], 10) }
	}
	return svc, status, nil
}

// serve serves h on a loopback port and the pprof handlers on another,
// prints "addr=URL debug=URL" on standard output, and returns after
// SIGTERM or when standard input closes, printing status() then.
func serve(h http.Handler, status func() string) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	dl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	dbgMux := http.NewServeMux()
	dbgMux.Handle("/debug/pprof/", http.DefaultServeMux)
	dbgMux.HandleFunc("/debug/gc", serveGC)
	dbg := &http.Server{Handler: dbgMux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ends with Shutdown
	go dbg.Serve(dl) //nolint:errcheck // ends with Close
	fmt.Printf("addr=http://%s debug=http://%s\n", ln.Addr(), dl.Addr())
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, os.Interrupt)
	eof := make(chan struct{})
	go func() { io.Copy(io.Discard, os.Stdin); close(eof) }() //nolint:errcheck // any end will do
	select {
	case <-stop:
	case <-eof:
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = srv.Shutdown(ctx)
	dbg.Close()
	fmt.Println(status())
	return err
}

// child is a server role running in a child process.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Reader
	url   string // where it serves
	debug string // where its pprof handlers are
}

// startChild starts this program in a server role, with GODEBUG set to
// godebug when it is not empty, and waits for its addresses. Each line
// the child writes on standard error is copied to this program's after
// the role's name.
func startChild(godebug string, args ...string) (*child, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	c := &child{cmd: exec.Command(self, args...)}
	c.cmd.Stderr = &prefixWriter{prefix: roleOf(args) + ": ", w: os.Stderr}
	// A kitchen in production does not check its responses against its
	// document (a test setting, which CI's environment turns on).
	c.cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "ROUX_CHECK_RESPONSES=") })
	if godebug != "" {
		c.cmd.Env = append(c.cmd.Env, "GODEBUG="+godebug)
	}
	if c.stdin, err = c.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := c.cmd.Start(); err != nil {
		return nil, err
	}
	c.out = bufio.NewReader(stdout)
	line, err := c.out.ReadString('\n')
	if err != nil {
		c.cmd.Process.Kill()
		c.cmd.Wait() //nolint:errcheck // it failed to start
		return nil, fmt.Errorf("%s: no address: %w", strings.Join(args, " "), err)
	}
	for f := range strings.FieldsSeq(line) {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "addr":
			c.url = v
		case "debug":
			c.debug = v
		}
	}
	return c, nil
}

// roleOf returns the value of -role in a child's arguments.
func roleOf(args []string) string {
	if i := slices.Index(args, "-role"); i >= 0 && i+1 < len(args) {
		return args[i+1]
	}
	return "child"
}

// prefixWriter writes each whole line written to it to w after prefix.
type prefixWriter struct {
	prefix string
	w      io.Writer
	line   []byte // the line not yet ended
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			p.line = append(p.line, b...)
			break
		}
		out := append(append([]byte(p.prefix), p.line...), b[:i+1]...)
		p.line = p.line[:0]
		b = b[i+1:]
		if _, err := p.w.Write(out); err != nil {
			return n - len(b), err
		}
	}
	return n, nil
}

// cpu returns the CPU time the child has used so far (user and system),
// from /proc.
func (c *child) cpu() (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(c.cmd.Process.Pid) + "/stat")
	if err != nil {
		return 0, err
	}
	// The fields after the command's name, which is in parentheses.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too few fields", c.cmd.Process.Pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	const ticks = 100 // USER_HZ, 100 on Linux
	return time.Duration(utime+stime) * time.Second / ticks, nil
}

// stop ends the child (closing its standard input) and returns the line
// it printed last.
func (c *child) stop() (string, error) {
	c.stdin.Close()
	rest, _ := io.ReadAll(c.out)
	err := c.cmd.Wait()
	return strings.TrimSpace(string(rest)), err
}
