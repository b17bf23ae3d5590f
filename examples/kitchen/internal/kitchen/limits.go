package kitchen

// This file holds the kitchen's rate limits (package middleware's
// RateLimiter, wrapped around operations with roux.Wrap so that their
// 429 is published with them): order placement per customer, and failed
// credentials per client address.
//
// Budgets are kept in process, so with several instances behind a load
// balancer each instance allows its own budget; a limit that holds
// across instances would keep them in Redis (module
// middleware/redisrate).

import (
	"net/http"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/middleware"
)

// Defaults of Config.OrderLimit and Config.AuthFailureLimit.
const (
	DefaultOrderLimit       = 30
	DefaultAuthFailureLimit = 20
)

// limits are the service's rate limiters; a nil one is off.
type limits struct {
	// orders limits POST /orders per customer, keyed by the hash of the
	// Authorization header (the customer's token).
	orders *middleware.RateLimiter
	// authFailures limits the requests answered 401 per client address,
	// on every operation that needs a credential: a client guessing keys
	// or tokens is refused for a while, its right guesses included.
	authFailures *middleware.RateLimiter
}

// newLimits builds the limiters cfg asks for.
func newLimits(cfg Config) limits {
	var l limits
	if cfg.OrderLimit >= 0 {
		l.orders = middleware.NewRateLimiter(defaultTo(cfg.OrderLimit, DefaultOrderLimit), time.Minute,
			middleware.PolicyName("orders"),
			middleware.KeyBy(middleware.KeyByHeader("Authorization")), middleware.Logger(cfg.Logger),
		)
	}
	if cfg.AuthFailureLimit >= 0 {
		l.authFailures = middleware.NewRateLimiter(defaultTo(cfg.AuthFailureLimit, DefaultAuthFailureLimit), time.Minute,
			middleware.PolicyName("credentials"),
			middleware.KeyBy(middleware.KeyByClientIP), middleware.Logger(cfg.Logger),
			// A budget that allowed requests do not spend is nothing to
			// advertise on each of them; the 429 says it all.
			middleware.NoSuccessHeaders(),
			middleware.CountOnly(func(status int) bool { return status == http.StatusUnauthorized }),
		)
	}
	return l
}

func defaultTo(n, def int) int {
	if n == 0 {
		return def
	}
	return n
}

// wrap returns the option that wraps an operation or group in l, or none
// when l is off.
func wrap(l *middleware.RateLimiter) []roux.Option {
	if l == nil {
		return nil
	}
	return []roux.Option{roux.Wrap(l)}
}
