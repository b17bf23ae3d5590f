package middleware

// This file holds where a RateLimiter keeps its budgets: the store
// interface, so that a limit can hold across the instances of a service
// (package middleware/redisrate keeps them in Redis), and the in-process
// store.
//
// The in-process store is a token bucket per key (golang.org/x/time/rate)
// in a map cut into shards, each behind its own mutex, so that clients
// with different keys rarely wait for each other. Memory stays bounded two
// ways. A bucket that has refilled completely is the same as no bucket, so
// a shard drops its full buckets when it is swept, about once a minute
// while it is in use; no budget is lost by that. And a shard never holds
// more than its share of MaxKeys: a new key beyond that first sweeps the
// shard, then evicts a key at random (map iteration starts anywhere), whose
// client starts again with a full budget. A flood of new keys thus costs
// leniency toward some clients, never unbounded memory.

import (
	"context"
	"hash/maphash"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// RateStore keeps the budgets of a [RateLimiter]. Take spends one request
// of key's budget under quota q and reports the outcome; Peek reports the
// budget without spending it (Allowed says whether one more request would
// be). A store shared by several limiters, or by several instances of a
// service, holds each key's budget once for all of them. key is only
// valid during the call: a store must not keep it (copy it to keep it, as
// io.Writer's Write must not keep its argument). An error lets the limiter
// pass the request or refuse it with 503, as [FailClosed] says.
//
// Implementations must be safe for concurrent use.
type RateStore interface {
	Take(ctx context.Context, key []byte, q RateQuota) (RateResult, error)
	Peek(ctx context.Context, key []byte, q RateQuota) (RateResult, error)
}

// RateQuota is a budget: Limit requests per Window, refilled continuously
// (a token bucket of Limit tokens, one token back every Window/Limit).
type RateQuota struct {
	Limit  int
	Window time.Duration
}

// RateResult is the outcome of [RateStore.Take].
type RateResult struct {
	// Allowed reports whether the request may go ahead.
	Allowed bool
	// Remaining is how many more requests the budget allows right now.
	Remaining int
	// Reset is how long until the budget is full again.
	Reset time.Duration
	// RetryAfter is, for a request not allowed, how long until one
	// request is.
	RetryAfter time.Duration
}

const (
	rateShards     = 32
	rateSweepEvery = time.Minute
	// DefaultRateKeys is how many keys a [MemoryRateStore] holds at most
	// when not told otherwise: about 20 MB at ~200 bytes a key.
	DefaultRateKeys = 100_000
)

// MemoryRateStore is the in-process [RateStore]: a token bucket per key,
// on golang.org/x/time/rate. It holds at most the number of keys given to
// [NewMemoryRateStore]; idle keys whose budget is full again are dropped.
// Budgets are lost when the process ends and are not shared between
// instances. A MemoryRateStore is safe for concurrent use.
type MemoryRateStore struct {
	seed     maphash.Seed
	perShard int
	shards   [rateShards]rateShard
}

type rateShard struct {
	mu    sync.Mutex
	m     map[string]*rate.Limiter
	swept time.Time
	_     [24]byte // 64 bytes in all: one cache line a shard
}

// NewMemoryRateStore returns a store holding at most maxKeys keys
// ([DefaultRateKeys] when maxKeys <= 0).
func NewMemoryRateStore(maxKeys int) *MemoryRateStore {
	if maxKeys <= 0 {
		maxKeys = DefaultRateKeys
	}
	s := &MemoryRateStore{seed: maphash.MakeSeed(), perShard: max(1, maxKeys/rateShards)}
	now := time.Now()
	for i := range s.shards {
		s.shards[i].m = map[string]*rate.Limiter{}
		s.shards[i].swept = now
	}
	return s
}

// Take spends one request of key's budget. It never fails.
func (s *MemoryRateStore) Take(_ context.Context, key []byte, q RateQuota) (RateResult, error) {
	now := time.Now()
	sh := &s.shards[maphash.Bytes(s.seed, key)%rateShards]
	sh.mu.Lock()
	if now.Sub(sh.swept) >= rateSweepEvery {
		sh.sweep(now)
	}
	lim := sh.m[string(key)] // no allocation: the compiler does not copy key for a lookup
	if lim == nil {
		if len(sh.m) >= s.perShard {
			sh.sweep(now)
			for k := range sh.m {
				if len(sh.m) < s.perShard {
					break
				}
				delete(sh.m, k)
			}
		}
		lim = rate.NewLimiter(rate.Limit(float64(q.Limit)/q.Window.Seconds()), q.Limit)
		sh.m[string(key)] = lim
	}
	allowed := lim.AllowN(now, 1)
	tokens := lim.TokensAt(now)
	sh.mu.Unlock()
	return bucketResult(allowed, tokens, q), nil
}

// Peek reports key's budget without spending it. It never fails.
func (s *MemoryRateStore) Peek(_ context.Context, key []byte, q RateQuota) (RateResult, error) {
	now := time.Now()
	sh := &s.shards[maphash.Bytes(s.seed, key)%rateShards]
	sh.mu.Lock()
	tokens := float64(q.Limit) // no bucket: a full one
	if lim := sh.m[string(key)]; lim != nil {
		tokens = lim.TokensAt(now)
	}
	sh.mu.Unlock()
	return bucketResult(tokens >= 1, tokens, q), nil
}

// Len returns how many keys s holds.
func (s *MemoryRateStore) Len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		n += len(sh.m)
		sh.mu.Unlock()
	}
	return n
}

// sweep drops the buckets that are full again: they are the same as none.
func (sh *rateShard) sweep(now time.Time) {
	for k, lim := range sh.m {
		if lim.TokensAt(now) >= float64(lim.Burst()) {
			delete(sh.m, k)
		}
	}
	sh.swept = now
}

// bucketResult describes a token bucket holding tokens after a request.
func bucketResult(allowed bool, tokens float64, q RateQuota) RateResult {
	perToken := float64(q.Window) / float64(q.Limit) // ns for one token to come back
	r := RateResult{
		Allowed:   allowed,
		Remaining: int(math.Max(0, math.Floor(tokens))),
		Reset:     time.Duration(math.Ceil(math.Max(0, float64(q.Limit)-tokens) * perToken)),
	}
	if !allowed {
		r.RetryAfter = time.Duration(math.Ceil(math.Max(0, 1-tokens) * perToken))
	}
	return r
}
