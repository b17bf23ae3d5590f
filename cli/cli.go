// Package cli gives a program built on roux its command line in one
// call. The program hands [Main] a function that builds its API from
// what the command line settled — the logger, the docs switch and the
// program's own flags — and Main parses os.Args, calls it, and runs the
// subcommand:
//
//	func main() {
//		cli.Main(func(ctx context.Context, s cli.Setup) (*roux.API, error) {
//			api := roux.New(s.Config(roux.Config{Title: "Greeter", Version: "1.0.0"}))
//			roux.Get(api, "/hello", hello)
//			return api, nil
//		})
//	}
//
// The program then understands two subcommands:
//
//	serve [-addr 127.0.0.1:8080] [-tls-cert FILE -tls-key FILE] [-h2c]
//	      [-log-level info] [-log-format text|json] [-docs=true]
//	      [-max-conns 4096] [-shutdown-timeout 10s]
//	      [-drain-delay 0s] [-drain-window 1s]
//	spec  [-format json|yaml] [-version 3.1|3.0] [-log-level ...] [-log-format ...]
//
// serve runs the API's start hooks ([roux.API.OnStart]), then serves it
// on a [net/http.Server] with conservative timeouts — HTTPS with HTTP/2
// when given a certificate, h2c on request — until SIGINT or SIGTERM.
// spec prints the OpenAPI document — the same bytes the API serves at
// /openapi.json or /openapi.yaml, or the OpenAPI 3.0.3 downgrade of it —
// without starting a server or running the start hooks, so a build can
// publish the document or diff it against the last release (see
// cmd/roux). With no subcommand, serve is assumed.
//
// # The command line
//
// The order of things is what lets a program build its API once, from
// settled values, instead of building it first and patching it after:
//
//  1. The program's flags are defined: each [Flags] option's function
//     defines them on a [FlagSet], which is a [flag.FlagSet] (BoolVar,
//     DurationVar, Func, TextVar, ...: the flags are typed as usual),
//     bound to the program's own variables.
//  2. Every flag — the program's and cli's — takes its default from an
//     environment variable named after it: ROUX_ and the flag's name in
//     upper case, "-" as "_", for cli's flags (ROUX_ADDR for -addr,
//     ROUX_LOG_LEVEL, ROUX_DOCS, ...; [EnvPrefix] changes the prefix),
//     and the prefix given to Flags for the program's (KITCHEN_DATA for
//     the kitchen's -data); [FlagSet.Env] names another variable for one
//     flag. A flag on the command line wins; a bad value in a variable is
//     a usage error unless the command line sets the flag.
//  3. The command line is parsed as one: the program's flags and cli's
//     go before or after the command, -h (or the help command) prints one
//     usage listing all of them, and an unknown flag, a flag of the other
//     command or a bad value is a usage error: Run writes it with a
//     pointer to -h, and Main exits with status 2.
//  4. cli builds the logger -log-level and -log-format ask for and calls
//     the build function with a [Setup]: the command, the logger and
//     -docs. [Setup.Config] puts those into a [roux.Config]. The program's
//     flags are set by then, where it bound them; a combination they do
//     not allow is reported with [Usagef], a usage error like cli's own.
//  5. The command runs on the API the function returned.
//
// The build function runs for spec as much as for serve, and the API it
// builds must describe the same operations either way. What needs the
// outside world — opening a database, connecting to a queue — belongs in
// a start hook ([roux.API.OnStart]), which serve runs and spec does not:
// so spec prints the document of a service whose database is out of
// reach. [Setup.Command] tells the two apart where that matters.
//
// # Overload
//
// serve holds at most -max-conns connections open at once (4096 by
// default, fewer when the process may open fewer files; 0 for no cap).
// A connection beyond is refused at once, with a 503 problem and
// Retry-After on plain HTTP/1 (published on every operation of the API's
// document, by spec and serve alike), with GOAWAY refusing its streams
// (REFUSED_STREAM) on h2c, and by closing it over TLS, and
// counted in the API's refusals ([roux.API.Refusals], reason
// [roux.RefusalConnections]), which package rouxotel publishes. The 503
// waits for the request's head (an answer before it, a client such as
// net/http's takes for a broken connection), 256 refusals at most at
// once; past them, under a flood, a connection is answered if its head
// has arrived already and closed without a word if not. Bounding
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
// clients that pause longer between requests a longer window. When it
// stops accepting on a socket it opened itself, serve first takes the
// connections already queued in the kernel and answers them — closing the
// socket would reset them, with the requests their clients may have sent
// — and on Linux stops the socket listening the moment its queue is
// empty, so that later handshakes are refused, the client having sent
// nothing. A handshake under way in that moment (microseconds on
// loopback) can still be reset; elsewhere than Linux, serve takes what
// queues for 20ms and a connection queued in the instant of the close is
// reset. To lose none, hand the socket from server to server
// (the [Listener] option, systemd socket activation): connections then
// wait in its queue for the next one.
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
//
// # Answers the document does not list
//
// The document lists every answer of the API and the connection cap's
// refusal. net/http itself answers a few HTTP/1.x requests it cannot
// parse, before any handler runs and with no way for serve to change the
// answer; they are not in the document, carry no X-Content-Type-Options,
// and close the connection:
//
//   - 400 Bad Request, text/plain, for a request line or header that does
//     not parse (a path with an invalid percent-encoding such as %zz, a
//     header line without a colon, a missing or repeated Host, a malformed
//     Content-Length), and for an HTTP request on a TLS port;
//   - 431 Request Header Fields Too Large, text/plain, for a head over
//     about 64 KiB;
//   - 501 Not Implemented, text/plain, for a Transfer-Encoding other than
//     chunked;
//   - 505 HTTP Version Not Supported, text/plain, for a version other than
//     HTTP/1.x in an HTTP/1 request line;
//   - 417 Expectation Failed, with no body, for an Expect header other
//     than 100-continue.
//
// Their bodies are fixed texts of net/http's, none repeating the request,
// so the missing nosniff lets no browser run what a client sent. "OPTIONS
// *" (a request for the server, not a resource) gets net/http's 200 with
// no body. Answering these as problems would take a second HTTP parser in
// front of net/http's (see Request smuggling for why serve has none).
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/roux-go/roux"
)

// DefaultAddr is the address serve listens on when neither -addr nor
// the [Addr] option says otherwise: loopback only, so that a program run
// on a laptop is not reachable from the network by accident.
const DefaultAddr = "127.0.0.1:8080"

// ErrUsage is matched (errors.Is) by the error [Run] returns when the
// command line is wrong, and by the errors of [Usagef]; Run has then
// written the message to standard error.
var ErrUsage = errors.New("cli: usage")

// Setup is what the command line settled before the program builds its
// API: [Main] and [Run] pass it to the build function.
type Setup struct {
	// Command is the subcommand being run: "serve" or "spec".
	Command string
	// Logger is the logger -log-level and -log-format ask for, writing
	// to standard error (or the one given with the [Logger] option).
	// serve logs its start, stop and server errors to it.
	Logger *slog.Logger
	// Docs is -docs: whether the API serves its interactive docs page.
	Docs bool
}

// Config returns c with what the command line settled: s.Logger as
// Logger, unless c has one, and DocsPath "-" (no docs page) when -docs
// is false.
func (s Setup) Config(c roux.Config) roux.Config {
	if c.Logger == nil {
		c.Logger = s.Logger
	}
	if !s.Docs {
		c.DocsPath = "-"
	}
	return c
}

// Main runs the command line of os.Args (see [Run]) and exits the
// process: with status 0 on success, 2 on a usage error and 1 on any
// other error, which it writes to standard error. It is meant to be the
// last call of a program's main.
func Main(build func(ctx context.Context, s Setup) (*roux.API, error), opts ...Option) {
	err := Run(context.Background(), build, opts...)
	switch {
	case err == nil:
		os.Exit(0)
	case errors.Is(err, ErrUsage):
		os.Exit(2)
	default:
		fmt.Fprintln(newConfig(opts).stderr, err)
		os.Exit(1)
	}
}

// Run parses the command line, builds the API with build and runs the
// subcommand, and returns when it is done: spec once the document is
// written, serve once the server has shut down after SIGINT, SIGTERM or
// the cancellation of ctx. A request for help (-h) returns nil after
// writing the usage text, without calling build. A usage error, cli's
// or the build function's ([Usagef]), is written to standard error and
// returned; other errors are only returned.
func Run(ctx context.Context, build func(ctx context.Context, s Setup) (*roux.API, error), opts ...Option) error {
	c := newConfig(opts)
	err := run(ctx, c, build)
	if ue := (*usageError)(nil); errors.As(err, &ue) {
		fmt.Fprintf(c.stderr, "%s: %s\n(%s -h lists the commands and flags)\n", c.name, ue.msg, c.name)
	}
	return err
}

// settings are cli's flags.
type settings struct {
	logLevel, logFormat string
	serve               serveConfig
	format, version     string // spec's
}

// logFlags defines the flags of both commands on fs.
func (s *settings) logFlags(fs *flag.FlagSet) {
	fs.StringVar(&s.logLevel, "log-level", "info", "log `level`: debug, info, warn or error")
	fs.StringVar(&s.logFormat, "log-format", "text", "log `format`: text or json")
}

func run(ctx context.Context, c *config, build func(context.Context, Setup) (*roux.API, error)) error {
	var s settings
	cl, err := newCommandLine(c, &s)
	if err != nil {
		return err
	}
	cmd, help, err := cl.parse(c.args)
	if help {
		cl.usage(c.stderr)
		return nil
	}
	if err != nil {
		return err
	}
	switch cmd {
	case "serve":
		err = s.serve.check()
	case "spec":
		err = s.checkSpec()
	}
	if err != nil {
		return err
	}
	log := c.logger
	if log == nil {
		if log, err = s.logger(c); err != nil {
			return err
		}
	}
	api, err := build(ctx, Setup{Command: cmd, Logger: log, Docs: s.serve.docs})
	if err != nil {
		return err
	}
	if api == nil {
		return errors.New("cli: the build function returned neither an API nor an error")
	}
	// The connection cap's refusal is in the document that spec prints
	// and serve serves alike, whatever -max-conns says (Run may be called
	// again with the same API, tests do: the call changes nothing then).
	documentRefusal(api)
	if cmd == "spec" {
		return runSpec(api, c, &s)
	}
	return runServe(ctx, api, c, &s.serve, log)
}

// logger builds the logger the flags ask for.
func (s *settings) logger(c *config) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(s.logLevel)); err != nil {
		return nil, usagef("-log-level %q: want debug, info, warn or error", s.logLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch s.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(c.stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(c.stderr, opts)), nil
	}
	return nil, usagef("-log-format %q: want text or json", s.logFormat)
}

// signalContext is ctx, also cancelled by SIGINT or SIGTERM.
func signalContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
}
