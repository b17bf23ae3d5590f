package roux

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// lifecycle holds the API's start and shutdown hooks and whether it is
// shutting down.
type lifecycle struct {
	onStart    []func(context.Context) error
	onShutdown []func(context.Context) error
	draining   atomic.Bool

	// stopCtx is cancelled when Shutdown's deadline passes, cancelling
	// the background tasks still running; Start makes a new one, so one
	// API can be served, shut down and served again.
	mu         sync.Mutex
	stopCtx    context.Context
	stopCancel context.CancelFunc
	// stop is closed by Drain, ending long-lived responses; Start makes a
	// new one.
	stop chan struct{}
}

// stopping returns the channel Drain closes.
func (l *lifecycle) stopping() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stop == nil {
		l.stop = make(chan struct{})
	}
	return l.stop
}

func (l *lifecycle) stopContext() (context.Context, context.CancelFunc) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stopCtx == nil {
		l.stopCtx, l.stopCancel = context.WithCancel(context.Background())
	}
	return l.stopCtx, l.stopCancel
}

// taskContext returns the context of background tasks: the request's
// values, not its cancellation, and cancelled when shutdown gives up.
// done releases it.
func (l *lifecycle) taskContext(req context.Context) (ctx context.Context, done func()) {
	stop, _ := l.stopContext()
	ctx, cancel := context.WithCancel(context.WithoutCancel(req))
	unregister := context.AfterFunc(stop, cancel)
	return ctx, func() { unregister(); cancel() }
}

// OnStart adds a hook that [API.Start] runs, in the order added: opening
// a database, warming a cache. A failing hook stops the start.
func (a *API) OnStart(fn func(ctx context.Context) error) {
	a.life.onStart = append(a.life.onStart, fn)
}

// OnShutdown adds a hook that [API.Shutdown] runs after the server has
// stopped taking requests, in the reverse order added, so what started
// first stops last.
func (a *API) OnShutdown(fn func(ctx context.Context) error) {
	a.life.onShutdown = append(a.life.onShutdown, fn)
}

// Start runs the start hooks and makes the API ready again if an earlier
// Shutdown drained it. A server runner (package cli does) calls it before
// accepting connections; if it fails, the hooks that ran are not undone —
// call [API.Shutdown] to run the shutdown hooks.
func (a *API) Start(ctx context.Context) error {
	a.warnUnusedDescriptions(ctx)
	// Serving never reads the lookup tables of shared descriptions; the
	// descriptions themselves stay. An operation registered later
	// starts new tables (and shares with those after it).
	a.shared = docShare{}
	for i, fn := range a.life.onStart {
		if err := fn(ctx); err != nil {
			return fmt.Errorf("roux: start hook %d of %d: %w", i+1, len(a.life.onStart), err)
		}
	}
	a.life.mu.Lock()
	a.life.stopCtx, a.life.stopCancel = context.WithCancel(context.Background())
	if a.life.draining.Swap(false) {
		a.life.stop = nil // closed by the last Drain
	}
	a.life.mu.Unlock()
	return nil
}

// Drain marks the API as shutting down: readiness ([API.Health]) answers
// 503 from now on, so load balancers stop sending it traffic while the
// requests in flight finish, and long-lived responses (event streams,
// WebSocket sessions) are told to end. It is safe for concurrent use.
func (a *API) Drain() {
	a.life.mu.Lock()
	defer a.life.mu.Unlock()
	if a.life.draining.Swap(true) {
		return
	}
	if a.life.stop == nil {
		a.life.stop = make(chan struct{})
	}
	close(a.life.stop)
}

// Shutdown marks the API as draining and runs the shutdown hooks in
// reverse order, each whatever the others did, within ctx. Then it stops
// the CPU pool's worker threads, after the jobs still queued, and waits
// for them within ctx; a CPU-bound request served afterwards starts them
// again. It returns the hooks' errors and the pool's joined. When ctx is
// done, the contexts of background tasks still running are cancelled.
func (a *API) Shutdown(ctx context.Context) error {
	a.Drain()
	_, cancelTasks := a.life.stopContext()
	context.AfterFunc(ctx, cancelTasks)
	var errs []error
	for i := len(a.life.onShutdown) - 1; i >= 0; i-- {
		if err := a.life.onShutdown[i](ctx); err != nil {
			errs = append(errs, fmt.Errorf("roux: shutdown hook %d of %d: %w", i+1, len(a.life.onShutdown), err))
		}
	}
	if a.cpu != nil {
		errs = append(errs, a.cpu.stop(ctx))
	}
	return errors.Join(errs...)
}

// ReadyCheck is one readiness check, such as a database ping.
type ReadyCheck struct {
	Name  string
	Check func(ctx context.Context) error
}

// Health describes the health of the service, as the probes return it.
type Health struct {
	Status string            `json:"status" enum:"ok,draining,failing" doc:"ok, draining (shutting down) or failing"`
	Checks map[string]string `json:"checks,omitempty" doc:"Each readiness check: ok, or why it failed"`
}

// healthTimeout bounds the readiness checks of one probe.
const healthTimeout = 2 * time.Second

// Health registers the liveness probe GET livePath, which answers 200
// while the process serves, and the readiness probe GET readyPath, which
// answers 200 when every check passes within two seconds and the API is
// not draining, and 503 otherwise, naming what failed. Both are
// documented under the tag "health" as [Public]: probes need no
// credentials. Empty paths default to /livez and /readyz.
func (a *API) Health(livePath, readyPath string, checks ...ReadyCheck) {
	if livePath == "" {
		livePath = "/livez"
	}
	if readyPath == "" {
		readyPath = "/readyz"
	}
	Get(a, livePath, func(ctx context.Context, in *struct{}) (*Health, error) {
		return &Health{Status: "ok"}, nil
	}, OperationID("liveness"), Summary("Liveness probe"), Tags("health"), Public(),
		Description("Answers 200 while the process serves requests."))
	Get(a, readyPath, func(ctx context.Context, in *struct{}) (*Health, error) {
		return a.readiness(ctx, checks)
	}, OperationID("readiness"), Summary("Readiness probe"), Tags("health"), Public(),
		Description("Answers 200 when the service can take traffic, 503 while it starts, fails a check or shuts down."),
		Response(http.StatusServiceUnavailable, "Not ready", struct {
			RetryAfter string `header:"Retry-After" pattern:"^[0-9]+$" doc:"Seconds to wait before asking again."`
		}{}))
}

func (a *API) readiness(ctx context.Context, checks []ReadyCheck) (*Health, error) {
	h := &Health{Status: "ok"}
	if len(checks) > 0 {
		h.Checks = make(map[string]string, len(checks))
		ctx, cancel := context.WithTimeout(ctx, healthTimeout)
		defer cancel()
		type result struct {
			name string
			err  error
		}
		results := make(chan result, len(checks))
		for _, c := range checks {
			go func() { results <- result{c.Name, c.Check(ctx)} }()
		}
		for range checks {
			select {
			case r := <-results:
				h.Checks[r.name] = "ok"
				if r.err != nil {
					// The cause is for operators, in the log: an error's
					// text (a DSN, a host name) is not for anyone who asks.
					h.Checks[r.name], h.Status = "failing", "failing"
					a.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "roux: readiness check failed",
						slog.String("check", r.name), attrErr(r.err))
				}
			case <-ctx.Done():
				for _, c := range checks {
					if _, ok := h.Checks[c.Name]; !ok {
						h.Checks[c.Name] = "no answer within " + healthTimeout.String()
					}
				}
				h.Status = "failing"
			}
			if ctx.Err() != nil {
				break
			}
		}
		for _, c := range checks {
			if _, answered := h.Checks[c.Name]; !answered {
				h.Checks[c.Name], h.Status = "no answer within "+healthTimeout.String(), "failing"
			}
		}
	}
	if a.life.draining.Load() {
		h.Status = "draining"
	}
	if h.Status == "ok" {
		return h, nil
	}
	e := NewError(http.StatusServiceUnavailable, "the service is "+h.Status)
	e.Extensions = map[string]any{"checks": h.Checks}
	return nil, e.WithHeader("Retry-After", "5")
}
