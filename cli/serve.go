package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/roux-go/roux"
)

// Server timeouts. ReadHeaderTimeout bounds slow-loris clients; the read
// and write timeouts bound a whole request and response, generously
// enough for a 1 MiB body on a slow link; idle keep-alive connections are
// closed after two minutes.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 120 * time.Second
	maxHeaderBytes    = 64 << 10
)

// serveConfig is serve's configuration, from its flags.
type serveConfig struct {
	addr          string
	tlsCert       string
	tlsKey        string
	h2c           bool
	docs          bool
	shutdownGrace time.Duration
	drainDelay    time.Duration
	drainWindow   time.Duration
	maxConns      int
	readHeader    time.Duration
	read, write   time.Duration
	idle          time.Duration
}

// flags defines serve's flags on fs, listening on addr by default. Their
// environment variables (ROUX_ADDR, ...) are read by the command line
// (see flags.go).
func (c *serveConfig) flags(fs *flag.FlagSet, addr string) {
	fs.StringVar(&c.addr, "addr", addr, "`address` to listen on (host:port; port 0 picks a free one)")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "TLS certificate `file` (PEM); with -tls-key, serve HTTPS with HTTP/2")
	fs.StringVar(&c.tlsKey, "tls-key", "", "TLS private key `file` (PEM)")
	fs.BoolVar(&c.h2c, "h2c", false, "also serve HTTP/2 without TLS (h2c), for proxies that speak it")
	fs.BoolVar(&c.docs, "docs", true, "serve the interactive docs page")
	fs.DurationVar(&c.shutdownGrace, "shutdown-timeout", 10*time.Second, "how long to let requests in flight and shutdown hooks finish on SIGINT or SIGTERM")
	fs.DurationVar(&c.readHeader, "read-header-timeout", readHeaderTimeout, "how long a client may take to send the request headers")
	fs.DurationVar(&c.read, "read-timeout", readTimeout, "how long a client may take to send a whole request")
	fs.DurationVar(&c.write, "write-timeout", writeTimeout, "how long the server may take to write a whole response")
	fs.DurationVar(&c.idle, "idle-timeout", idleTimeout, "how long an idle keep-alive connection stays open")
	fs.DurationVar(&c.drainDelay, "drain-delay", 0, "how long to keep accepting connections after SIGTERM while readiness answers 503, so load balancers stop sending traffic first")
	fs.DurationVar(&c.drainWindow, "drain-window", time.Second, "after SIGTERM, how long a keep-alive connection may stay idle before it is closed; each one's next response carries Connection: close, so a client that sends within the window is answered, not reset")
	fs.IntVar(&c.maxConns, "max-conns", defaultMaxConns(), "how many connections may be open at once; more are refused with 503 at once (0: no cap)")
}

// check checks the flags that go together.
func (c *serveConfig) check() error {
	if c.maxConns < 0 {
		return usagef("-max-conns %d: want 0 (no cap) or more", c.maxConns)
	}
	if (c.tlsCert == "") != (c.tlsKey == "") {
		return usagef("-tls-cert and -tls-key go together")
	}
	return nil
}

// runServe serves api as c says until ctx is cancelled or a signal
// comes, logging to log.
func runServe(ctx context.Context, api *roux.API, o *config, c *serveConfig, log *slog.Logger) error {
	if err := api.Start(ctx); err != nil {
		return fmt.Errorf("cli: serve: %w", err)
	}
	ln, opened, err := listen(o, c.addr, c.maxConns > 0)
	if err != nil {
		shutdownHooks(api, log, c.shutdownGrace)
		return err
	}
	if c.maxConns > 0 {
		// Below TLS: a refusal costs no handshake.
		capped := newCapListener(ln, c.maxConns, c.tlsCert != "")
		capped.keepAlive = opened
		api.CountRefusals(roux.RefusalConnections, capped.refused.Load)
		ln = capped
	}
	srv := &http.Server{
		Handler:           closeAmbiguousFraming(api),
		ReadHeaderTimeout: c.readHeader,
		ReadTimeout:       c.read,
		WriteTimeout:      c.write,
		IdleTimeout:       c.idle,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	scheme := "http"
	if c.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(c.tlsCert, c.tlsKey)
		if err != nil {
			ln.Close()
			shutdownHooks(api, log, c.shutdownGrace)
			return fmt.Errorf("cli: serve: TLS: %w", err)
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		ln = tls.NewListener(ln, srv.TLSConfig)
		srv.TLSConfig.NextProtos = []string{"h2", "http/1.1"}
		scheme = "https"
	}
	if c.h2c || c.tlsCert != "" {
		srv.Protocols = new(http.Protocols)
		srv.Protocols.SetHTTP1(true)
		srv.Protocols.SetHTTP2(c.tlsCert != "")
		srv.Protocols.SetUnencryptedHTTP2(c.h2c)
	}
	// Above TLS, so that the connections tracked are the ones ConnState
	// reports.
	conns := trackConns(srv)
	srv.Handler = conns.handler(srv.Handler)
	ln = &countingListener{Listener: ln, conns: conns}
	ctx, stop := signalContext(ctx)
	defer stop()

	bound := ln.Addr().String()
	doc := api.OpenAPI() // only for the log line
	log.Info("serving", "addr", scheme+"://"+bound, "title", doc.Info.Title, "version", doc.Info.Version, "h2c", c.h2c,
		"max_conns", c.maxConns)
	if o.onServe != nil {
		o.onServe(bound)
	}

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		shutdownHooks(api, log, c.shutdownGrace)
		return fmt.Errorf("cli: serve: %w", err) // only a listener failure ends Serve here
	case <-ctx.Done():
	}
	stop() // a second signal now kills the process the default way
	api.Drain()
	conns.drain() // from now on each HTTP/1 response closes its connection
	log.Info("draining", "delay", c.drainDelay.String(), "window", c.drainWindow.String())
	if c.drainDelay > 0 {
		time.Sleep(c.drainDelay)
	}
	log.Info("shutting down", "grace", c.shutdownGrace.String())
	deadline := time.Now().Add(c.shutdownGrace)
	sctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	// Stop accepting, let the requests in flight finish and the idle
	// keep-alive connections see the drain window out, and only then shut
	// down (see connTracker). Serve returns once its Accept loop has seen
	// the closed listener; waiting for that before looking at the
	// connections matters: Accept may hand over one last connection as the
	// listener closes, and a connection that Serve starts after Shutdown
	// began has its request read and then dropped.
	ln.Close()
	var serveErr error
	select {
	case serveErr = <-served:
	case <-sctx.Done():
		srv.Close()
		serveErr = <-served
	}
	conns.quiesce(sctx, c.drainWindow)
	shutdownErr := srv.Shutdown(sctx)
	if errors.Is(shutdownErr, net.ErrClosed) {
		shutdownErr = nil // the listener closed above
	}
	if shutdownErr != nil {
		srv.Close()
	}
	hooksErr := api.Shutdown(sctx)
	if err := serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("cli: serve: %w", err)
	}
	if err := errors.Join(shutdownErr, hooksErr); err != nil {
		return fmt.Errorf("cli: shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// closeAmbiguousFraming closes the connection after each request whose
// body framing a proxy in front might have read otherwise: an HTTP/1.1
// request sent chunked (net/http has dropped its Content-Length, if it
// had one) and an HTTP/1.0 request with a body (net/http has dropped its
// Transfer-Encoding, if it had one). See the package doc, "Request
// smuggling".
func closeAmbiguousFraming(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor == 1 && (len(r.TransferEncoding) > 0 || r.ProtoMinor == 0 && r.ContentLength != 0) {
			w.Header().Set("Connection", "close")
		}
		h.ServeHTTP(w, r)
	})
}

// shutdownHooks runs the API's shutdown hooks after a failed start.
func shutdownHooks(api *roux.API, log *slog.Logger, grace time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := api.Shutdown(ctx); err != nil {
		log.Error("shutdown hooks", "error", err)
	}
}

// listen returns the listener to serve on: the Listener option's or the
// socket systemd passed, kept open after shutdown, or a new one on addr
// (opened). A new one turns TCP keep-alive on for each connection it
// accepts, as net.Listen does, unless ownKeepAlive: then the caller turns
// it on for the connections it keeps (capListener), and a connection it
// refuses costs no system call for it.
func listen(o *config, addr string, ownKeepAlive bool) (ln net.Listener, opened bool, err error) {
	given := o.listener
	if given == nil {
		ln, err := activatedListener()
		if err != nil {
			return nil, false, err
		}
		given = ln
	}
	if given != nil {
		ln, err := keep(given)
		return ln, false, err
	}
	var lc net.ListenConfig
	if ownKeepAlive {
		lc.KeepAlive = -1
	}
	ln, err = lc.Listen(context.Background(), "tcp", addr)
	if err != nil {
		return nil, false, fmt.Errorf("cli: serve: %w", err)
	}
	return &ownedListener{TCPListener: ln.(*net.TCPListener)}, true, nil
}
