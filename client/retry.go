package client

import (
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/roux-go/roux/internal/plan"
	"github.com/roux-go/roux/internal/retryafter"
)

// retryConfig is how calls are retried; New starts from the defaults.
type retryConfig struct {
	attempts      int // in all, the first included; 1 retries nothing
	backoff       time.Duration
	maxBackoff    time.Duration
	maxRetryAfter time.Duration
}

// Retry retries calls of idempotent operations (GET, HEAD, PUT, DELETE,
// OPTIONS, TRACE) that fail with a connection error or answer 429, 502,
// 503 or 504, making up to attempts attempts in all, the first included
// (3 is a good start). Between attempts it waits an exponential backoff
// with jitter ([RetryBackoff]), or the wait a Retry-After header asks for
// (seconds or an HTTP-date) when it is longer, up to [MaxRetryAfter]. A
// retry never waits past the context's deadline: when the wait would, the
// last answer is returned at once. Other methods are never retried, since
// a request that failed on the way back may have taken effect, unless
// [IdempotencyKeys] makes them safe to send again; nor are file uploads,
// whose content is streamed once.
//
// Without Retry a call makes one attempt; Retry(1), given to one call,
// turns off the retries of its client.
func Retry(attempts int) Option {
	return optionFunc(func(c *config) { c.retry.attempts = max(attempts, 1) })
}

// RetryBackoff sets the wait before the first retry ([Retry]), doubled
// before each further one up to limit, with jitter: a wait is drawn
// between half the backoff and the whole. They default to 100ms and 5s;
// zero or less keeps a default.
func RetryBackoff(first, limit time.Duration) Option {
	return optionFunc(func(c *config) {
		setPositive(&c.retry.backoff, first)
		setPositive(&c.retry.maxBackoff, limit)
	})
}

// MaxRetryAfter sets the longest Retry-After a retrying call ([Retry])
// waits for; a response that asks for a longer wait is returned rather
// than retried sooner than the server asked. It defaults to 30s; zero or
// less keeps the default.
func MaxRetryAfter(d time.Duration) Option {
	return optionFunc(func(c *config) { setPositive(&c.retry.maxRetryAfter, d) })
}

// wait returns the jittered wait after the given failed attempt
// (1-based).
func (r *retryConfig) wait(attempt int) time.Duration {
	d, maxD := r.backoff, r.maxBackoff
	for i := 1; i < attempt && d < maxD; i++ {
		d *= 2
	}
	d = min(d, maxD)
	return d/2 + rand.N(d/2+1)
}

// idempotent reports whether method is idempotent (RFC 9110, section
// 9.2.2), and so safe to send again.
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}

func retryStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryAfter parses a Retry-After value, delay-seconds or an HTTP-date,
// relative to now.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	return retryafter.Parse(v, now)
}

// send sends the request, retrying as cfg says.
func (c *Client) send(ctx context.Context, cfg *config, p *plan.Operation, r *request) (*http.Response, error) {
	attempts := 1
	// An unsafe call a key makes safe to retry: see idempotency.go.
	keyed := idempotencyKey(cfg, p, r)
	if (idempotent(p.Method) || keyed) && r.upload == nil { // an upload is streamed once
		attempts = cfg.retry.attempts
	}
	for attempt := 1; ; attempt++ {
		req, err := c.newRequest(ctx, cfg, p, r)
		if err != nil {
			return nil, err
		}
		resp, err := cfg.hc.Do(req)
		if attempt >= attempts {
			return resp, err
		}
		var wait time.Duration
		switch {
		case err != nil && ctx.Err() == nil:
			wait = cfg.retry.wait(attempt)
		case err == nil && (retryStatus(resp.StatusCode) || keyed && keyInUse(resp)):
			wait = cfg.retry.wait(attempt)
			if ra, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
				if ra > cfg.retry.maxRetryAfter {
					return resp, nil
				}
				wait = max(wait, ra)
			}
		default:
			return resp, err
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return resp, err // waiting would outlive the caller's deadline
		}
		if resp != nil {
			discard(resp)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// discard reads a little of a response body, so its connection can be
// reused, and closes it.
func discard(resp *http.Response) {
	io.CopyN(io.Discard, resp.Body, 64<<10) //nolint:errcheck // only to reuse the connection
	resp.Body.Close()
}
