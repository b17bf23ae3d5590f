package cli

import (
	"context"
	"errors"
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

func runServe(ctx context.Context, api *roux.API, o Options, args []string) error {
	fs := newFlags(o, "serve")
	addr := fs.String("addr", o.Addr, "`address` to listen on (host:port; port 0 picks a free one)")
	grace := fs.Duration("shutdown-timeout", 10*time.Second, "how long to let requests in flight finish on SIGINT or SIGTERM")
	if done, err := parse(fs, args); done {
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("cli: serve: %w", err)
	}
	srv := &http.Server{
		Handler:           api,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(o.Logger.Handler(), slog.LevelWarn),
	}
	ctx, stop := signalContext(ctx)
	defer stop()

	bound := ln.Addr().String()
	doc := api.OpenAPI() // only for the log line: where the document is
	o.Logger.Info("serving", "addr", "http://"+bound, "title", doc.Info.Title, "version", doc.Info.Version)
	if o.OnServe != nil {
		o.OnServe(bound)
	}

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		// Serve returns only on a listener failure here.
		return fmt.Errorf("cli: serve: %w", err)
	case <-ctx.Done():
	}
	stop() // a second signal now kills the process the default way
	o.Logger.Info("shutting down", "grace", grace.String())
	sctx, cancel := context.WithTimeout(context.Background(), *grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return fmt.Errorf("cli: shutdown: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("cli: serve: %w", err)
	}
	o.Logger.Info("stopped")
	return nil
}
