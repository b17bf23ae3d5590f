// Package cli gives a program built on roux a command line with one call:
//
//	func main() {
//		api := roux.New(roux.Config{Title: "Kitchen", Version: "1.0.0"})
//		// ... register operations ...
//		cli.Main(api)
//	}
//
// The program then understands two subcommands:
//
//	serve [-addr 127.0.0.1:8080] [-tls-cert FILE -tls-key FILE] [-h2c]
//	      [-log-level info] [-log-format text|json] [-docs=true]
//	      [-max-conns 4096] [-shutdown-timeout 10s]
//	      [-drain-delay 0s] [-drain-window 1s]
//	spec  [-format json|yaml] [-version 3.1|3.0]
//
// serve runs the API's start hooks ([roux.API.OnStart]), then serves it
// on a [net/http.Server] with conservative timeouts — HTTPS with HTTP/2
// when given a certificate, h2c on request — until SIGINT or SIGTERM.
// Every flag takes its default from an environment variable (ROUX_ADDR,
// ROUX_TLS_CERT, ROUX_TLS_KEY, ROUX_H2C, ROUX_LOG_LEVEL, ROUX_LOG_FORMAT,
// ROUX_DOCS, ROUX_MAX_CONNS, ROUX_SHUTDOWN_TIMEOUT, ROUX_DRAIN_DELAY,
// ROUX_DRAIN_WINDOW), so containers can be configured either way. spec
// prints the OpenAPI document — the same bytes the API serves at
// /openapi.json or /openapi.yaml, or the OpenAPI 3.0.3 downgrade of it —
// without starting a server, so a build can publish the document or diff
// it against the last release (see cmd/roux).
//
// # Overload
//
// serve holds at most -max-conns connections open at once (4096 by
// default, fewer when the process may open fewer files; 0 for no cap).
// A connection beyond is refused at once, with a 503 problem and
// Retry-After on plain HTTP and by closing it over TLS, and counted in
// the API's refusals ([roux.API.Refusals], reason
// [roux.RefusalConnections]), which package rouxotel publishes. Bounding
// the requests in progress is the API's own business: its load shedder
// (middleware.LoadShedder) knows which requests matter most and documents
// its 503 in the API's document.
//
// # Shutdown
//
// On SIGINT or SIGTERM serve drains, without losing a request that
// reached it: readiness answers 503 ([roux.API.Drain]) and long-lived
// responses end; for -drain-delay it goes on accepting connections, so
// that load balancers see the readiness and stop sending; then it stops
// accepting, lets the requests in flight finish within -shutdown-timeout,
// and runs the shutdown hooks in reverse order. From the signal on, each
// HTTP/1 keep-alive connection's next response carries Connection: close,
// and a connection is closed only once it has been idle for the whole
// -drain-window: a client that sends its next request within the window
// gets an answer and opens its next connection elsewhere, instead of
// sending into a closing one (an HTTP/2 connection gets GOAWAY). Give
// clients that pause longer between requests a longer window. Connections
// the kernel has queued on a socket serve opened itself are reset when it
// closes; hand the socket from server to server ([Options.Listener],
// systemd socket activation) and they wait for the next one.
//
// When the first argument is not a subcommand, serve is assumed, so
// "prog" and "prog -addr :9000" keep working for programs that had only
// an -addr flag.
//
// # Request smuggling
//
// RFC 9112 §6.1 asks a server to close the connection after answering a
// request that has both Transfer-Encoding and Content-Length, and after an
// HTTP/1.0 request with Transfer-Encoding: a proxy in front that framed
// the body by the other header would take what follows for another
// request. net/http frames such a request by Transfer-Encoding (by
// Content-Length for HTTP/1.0), and removes the header it did not use
// before any handler runs, so no handler can tell such a request from
// others. Telling them apart on the connection itself would take a second
// HTTP/1.1 parser beside net/http's, following chunked bodies, keep-alive
// and pipelined requests — and two parsers that can disagree are what
// smuggling exploits. So serve closes the connection after every request
// that may be one, which is all of them and a few more: an HTTP/1.1
// request sent with Transfer-Encoding: chunked, and an HTTP/1.0 request
// with a body, are answered with Connection: close, and nothing sent
// after them on the connection is read. A client that streams request
// bodies in chunks thus opens a connection per request. This holds for
// HTTP/1.x served by serve; a program that serves a roux API on an
// http.Server of its own keeps net/http's behaviour (the request is
// answered as chunked, and the connection kept). HTTP/2 has no
// Transfer-Encoding.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/roux-go/roux"
)

// DefaultAddr is the address serve listens on when neither -addr nor
// [Options.Addr] says otherwise: loopback only, so that a program run on
// a laptop is not reachable from the network by accident.
const DefaultAddr = "127.0.0.1:8080"

// ErrUsage is returned (wrapped) by [Run] when the command line is wrong;
// the usage text has then already been written to [Options.Stderr].
var ErrUsage = errors.New("cli: usage")

// Options configures [Run]. The zero value is ready to use: it reads
// os.Args, writes to os.Stdout and os.Stderr and serves on [DefaultAddr].
type Options struct {
	// Name is the program name used in usage text. It defaults to the
	// base name of os.Args[0].
	Name string
	// Args are the command-line arguments without the program name. A
	// nil Args means os.Args[1:]; an empty non-nil slice means none.
	Args []string
	// Stdout receives the document printed by spec; Stderr receives
	// usage text and, unless Logger is set, serve's log. They default to
	// os.Stdout and os.Stderr.
	Stdout, Stderr io.Writer
	// Addr is serve's default listen address, overridden by -addr. It
	// defaults to [DefaultAddr].
	Addr string
	// Logger receives serve's start, stop and server errors. When nil,
	// serve builds one from -log-level and -log-format and gives it to
	// the API too ([roux.API.SetLogger]).
	Logger *slog.Logger
	// OnServe, when set, is called by serve with the bound address (with
	// the real port when -addr asked for port 0) just before it starts
	// accepting connections.
	OnServe func(addr string)
	// Listener, when set, is the socket serve accepts on instead of
	// listening on -addr. serve leaves it open when it shuts down, so
	// the connections queued in it wait for the next server: hand the
	// same socket to each server in turn and a restart loses no request.
	// serve also takes a socket from systemd socket activation
	// (LISTEN_FDS=1) the same way. It must be a *net.TCPListener.
	Listener net.Listener
	// EnvPrefix prefixes the environment variables that give serve's
	// flags their defaults (ROUX_ADDR for -addr, ...). It defaults to
	// "ROUX_".
	EnvPrefix string
	// Getenv reads environment variables; it defaults to os.LookupEnv.
	// Tests set it.
	Getenv func(name string) string
}

// Main runs the command line described by os.Args for api and exits the
// process: with status 0 on success, 2 on a usage error and 1 on any
// other error. It is meant to be the last call of a program's main.
func Main(api *roux.API) {
	err := Run(context.Background(), api, Options{})
	switch {
	case err == nil:
		os.Exit(0)
	case errors.Is(err, ErrUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// Run runs the subcommand named by opts.Args for api and returns when it
// is done: spec once the document is written, serve once the server has
// shut down after SIGINT, SIGTERM or the cancellation of ctx. A request
// for help (-h) returns nil after writing the usage text.
func Run(ctx context.Context, api *roux.API, opts Options) error {
	opts = opts.withDefaults()
	args := opts.Args
	cmd := "serve"
	if len(args) > 0 && (len(args[0]) == 0 || args[0][0] != '-') {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return runServe(ctx, api, opts, args)
	case "spec":
		return runSpec(api, opts, args)
	case "help":
		usage(opts)
		return nil
	default:
		fmt.Fprintf(opts.Stderr, "%s: unknown command %q\n", opts.Name, cmd)
		usage(opts)
		return fmt.Errorf("%w: unknown command %q", ErrUsage, cmd)
	}
}

func (o Options) withDefaults() Options {
	if o.Name == "" {
		o.Name = "roux"
		if len(os.Args) > 0 {
			o.Name = baseName(os.Args[0])
		}
	}
	if o.Args == nil && len(os.Args) > 1 {
		o.Args = os.Args[1:]
	}
	if o.Stdout == nil {
		o.Stdout = os.Stdout
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	if o.EnvPrefix == "" {
		o.EnvPrefix = "ROUX_"
	}
	return o
}

func baseName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' || p[i] == '\\' {
			return p[i+1:]
		}
	}
	return p
}

func usage(o Options) {
	fmt.Fprintf(o.Stderr, `usage:
  %[1]s [serve] [-addr %[2]s] [-tls-cert FILE -tls-key FILE] [-h2c]
        [-log-level info] [-log-format text|json] [-docs=true]
        [-max-conns N] [-shutdown-timeout 10s]
        [-drain-delay 0s] [-drain-window 1s]
        serve the API until SIGINT or SIGTERM; every flag also reads
        an environment variable (ROUX_ADDR, ROUX_TLS_CERT, ...)
  %[1]s spec [-format json|yaml] [-version 3.1|3.0]
        print the OpenAPI document and exit
`, o.Name, o.Addr)
}

// newFlags returns a flag set that reports errors and -h through Run's
// return value instead of exiting.
func newFlags(o Options, name string) *flag.FlagSet {
	fs := flag.NewFlagSet(o.Name+" "+name, flag.ContinueOnError)
	fs.SetOutput(o.Stderr)
	return fs
}

// parse parses args into fs; it returns done when -h was asked for.
func parse(fs *flag.FlagSet, args []string) (done bool, err error) {
	switch err := fs.Parse(args); {
	case errors.Is(err, flag.ErrHelp):
		return true, nil
	case err != nil:
		return true, fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		fs.Usage()
		return true, fmt.Errorf("%w: unexpected argument %q", ErrUsage, fs.Arg(0))
	}
	return false, nil
}

// signalContext is ctx, also cancelled by SIGINT or SIGTERM.
func signalContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
}
