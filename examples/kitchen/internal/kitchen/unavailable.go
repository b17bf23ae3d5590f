package kitchen

// This file holds what the kitchen answers when its database cannot take
// a request now: PostgreSQL refuses connections (its max_connections or
// a CONNECTION LIMIT reached, the server starting or shutting down),
// SQLite's file stayed locked by another process past the busy timeout
// (store.Store's Unavailable says which errors those are). Such a
// request is not the kitchen's fault nor the client's, and it may well
// succeed in a moment: it is answered 503 with Retry-After, as the load
// shedder answers, never 500. Every operation publishes that 503 (the
// option unavailable), and every handler's error goes through the store's
// classification once (storeErrors), so that no handler can forget it.
// The cause goes to the log, at most once per unavailableLogEvery, not
// to the client.

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/roux-go/roux"
)

// errUnavailable answers a request the store could not take now.
var errUnavailable = roux.NewError(http.StatusServiceUnavailable, "the kitchen's database cannot take the request now").
	WithHeader("Retry-After", "1")

// unavailable documents errNotStarted and errUnavailable, which every
// operation may answer.
var unavailable = roux.Response(http.StatusServiceUnavailable,
	"The kitchen is starting, or its database cannot take the request now; retry after Retry-After", struct {
		RetryAfter string `header:"Retry-After" pattern:"^[0-9]+$" doc:"Seconds to wait before retrying."`
	}{})

// unavailableLogEvery is how often, at most, the log says that the
// database cannot take requests: while it cannot, every request says so.
const unavailableLogEvery = 10 * time.Second

// unavailableLog holds when the log last said it (Unix nanoseconds) and
// how many requests it has not told of since.
type unavailableLog struct {
	last   atomic.Int64
	missed atomic.Int64
}

// unavailableError returns errUnavailable for an error the store says means
// that its database cannot take the request now, and err otherwise.
func (s *Service) unavailableError(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	b := s.store.Load()
	if b == nil || !b.s.Unavailable(err) {
		return err
	}
	now, last := time.Now().UnixNano(), s.unavailableLog.last.Load()
	if now-last < int64(unavailableLogEvery) || !s.unavailableLog.last.CompareAndSwap(last, now) {
		s.unavailableLog.missed.Add(1)
		return errUnavailable
	}
	s.log.LogAttrs(ctx, slog.LevelWarn, "kitchen: the database cannot take requests now; answering 503",
		slog.Any("err", err), slog.Int64("more_since_last_said", s.unavailableLog.missed.Swap(0)))
	return errUnavailable
}

// storeErrors returns h with its errors passed through
// unavailableError.
func storeErrors[In, Out any](s *Service, h func(context.Context, *In) (*Out, error)) func(context.Context, *In) (*Out, error) {
	return func(ctx context.Context, in *In) (*Out, error) {
		out, err := h(ctx, in)
		if err != nil {
			return nil, s.unavailableError(ctx, err)
		}
		return out, nil
	}
}

// storeErrorsWith is storeErrors for a handler with a server side.
func storeErrorsWith[In, S, Out any](s *Service, h func(context.Context, *In, *S) (*Out, error)) func(context.Context, *In, *S) (*Out, error) {
	return func(ctx context.Context, in *In, srv *S) (*Out, error) {
		out, err := h(ctx, in, srv)
		if err != nil {
			return nil, s.unavailableError(ctx, err)
		}
		return out, nil
	}
}
