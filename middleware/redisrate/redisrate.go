// Package redisrate keeps the budgets of roux's rate limiter
// ([middleware.RateLimiter]) in Redis, so that one limit holds across every
// instance of a service: give each instance's limiter the same Name and a
// [Store] on the same Redis.
//
//	limiter := middleware.NewRateLimiter(30, time.Minute,
//		middleware.PolicyName("orders"),
//		middleware.Store(redisrate.New(redis.NewClient(opts), "")),
//	)
//
// # Algorithm
//
// Each key is one Redis string holding a GCRA theoretical arrival time
// (the generic cell rate algorithm of ATM networks, as redis-cell and
// go-redis/redis_rate use it). GCRA is a token bucket kept as a single
// number: a request is allowed when, after it, the bucket would not be
// more than Limit requests ahead of the steady rate. One Lua script reads,
// decides and writes atomically, on Redis's own clock (TIME), so instances
// whose clocks disagree still share one budget. A key expires as soon as
// its bucket is full again, which is the same as no key: Redis holds no
// more than the clients active within one window. The budget behaves as
// the in-process [middleware.MemoryRateStore]'s does: Limit requests at
// once from a full budget, then one more every Window/Limit.
//
// Keys are the limiter's (its policy name, then the client's key: an
// address, or a hash of a credential with [middleware.KeyByHeader]) under
// a prefix, "roux:rate:" unless told otherwise.
package redisrate

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/roux-go/roux/middleware"
)

// gcra takes one request of KEYS[1]'s budget (ARGV[3] = 1) or reports it
// (ARGV[3] = 0): ARGV[1] requests per ARGV[2] microseconds. It returns
// {allowed (0 or 1), remaining, reset, retry after}, times in
// microseconds.
var gcra = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local limit = tonumber(ARGV[1])
local tau = tonumber(ARGV[2])          -- the window: a full bucket's worth of time
local interval = tau / limit           -- the time one request takes to come back
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - tau
if now < allow_at then
	return {0, 0, math.ceil(tat - now), math.ceil(allow_at - now)}
end
if ARGV[3] == '1' then
	redis.call('SET', KEYS[1], string.format('%d', math.ceil(new_tat)), 'PX', math.max(1, math.ceil((new_tat - now) / 1000)))
	tat = new_tat
end
return {1, math.floor((tau - (tat - now)) / interval + 1e-6), math.ceil(tat - now), 0}
`)

// Store is a [middleware.RateStore] in Redis. It is safe for concurrent
// use, by as many limiters and instances as share the Redis.
type Store struct {
	client redis.Scripter
	prefix string
}

// New returns a store keeping budgets in client (a *redis.Client,
// *redis.ClusterClient or any redis.Scripter) under prefix, "roux:rate:"
// when prefix is empty.
func New(client redis.Scripter, prefix string) *Store {
	if prefix == "" {
		prefix = "roux:rate:"
	}
	return &Store{client: client, prefix: prefix}
}

// Take spends one request of key's budget under q, in one round trip.
// It fails when Redis does (the limiter then passes or refuses the
// request, as its FailClosed says).
func (s *Store) Take(ctx context.Context, key []byte, q middleware.RateQuota) (middleware.RateResult, error) {
	return s.run(ctx, key, q, 1)
}

// Peek reports key's budget under q without spending it.
func (s *Store) Peek(ctx context.Context, key []byte, q middleware.RateQuota) (middleware.RateResult, error) {
	return s.run(ctx, key, q, 0)
}

func (s *Store) run(ctx context.Context, key []byte, q middleware.RateQuota, take int) (middleware.RateResult, error) {
	v, err := gcra.Run(ctx, s.client, []string{s.prefix + string(key)}, q.Limit, q.Window.Microseconds(), take).Int64Slice()
	if err != nil {
		return middleware.RateResult{}, fmt.Errorf("redisrate: %w", err)
	}
	if len(v) != 4 {
		return middleware.RateResult{}, fmt.Errorf("redisrate: the script answered %d values, want 4", len(v))
	}
	return middleware.RateResult{
		Allowed:    v[0] == 1,
		Remaining:  int(v[1]),
		Reset:      time.Duration(v[2]) * time.Microsecond,
		RetryAfter: time.Duration(v[3]) * time.Microsecond,
	}, nil
}
