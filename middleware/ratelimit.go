package middleware

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/roux-go/roux/openapi"
	"github.com/roux-go/roux/schema"
)

// RateLimitOption configures a [RateLimiter] (given to [NewRateLimiter]
// or [RateLimit]). Without options a limiter names its policy "default",
// keys requests by [KeyByClientIP], keeps budgets in a new
// [MemoryRateStore], sends its headers on every response, counts every
// request, lets requests through while its store fails and logs those
// failures to slog.Default(). The interface is sealed: build options with
// the constructors below and [RetryAfter].
type RateLimitOption interface {
	applyRateLimit(*rateLimitConfig)
}

type rateLimitOption func(*rateLimitConfig)

func (f rateLimitOption) applyRateLimit(c *rateLimitConfig) { f(c) }

// rateLimitConfig is what the options of a RateLimiter add up to; zero
// values mean the defaults.
type rateLimitConfig struct {
	name             string
	key              KeyFunc
	store            RateStore
	noSuccessHeaders bool
	failClosed       bool
	retryAfter       time.Duration
	logger           *slog.Logger
	counts           func(status int) bool
}

// PolicyName names a [RateLimiter]'s policy in the RateLimit and
// RateLimit-Policy headers and in the store's keys, so limiters that share
// a store need different names. It defaults to "default" and may hold
// ASCII letters, digits and "-_.".
func PolicyName(name string) RateLimitOption {
	return rateLimitOption(func(c *rateLimitConfig) { c.name = name })
}

// KeyBy sets how a [RateLimiter] finds a request's client; it defaults to
// [KeyByClientIP]. See also [KeyByHeader].
func KeyBy(fn KeyFunc) RateLimitOption {
	return rateLimitOption(func(c *rateLimitConfig) { c.key = fn })
}

// Store sets where a [RateLimiter] keeps its budgets; it defaults to a
// new [MemoryRateStore] of [DefaultRateKeys] keys. Use a shared store
// (middleware/redisrate) for a limit that holds across instances.
func Store(s RateStore) RateLimitOption {
	return rateLimitOption(func(c *rateLimitConfig) { c.store = s })
}

// NoSuccessHeaders leaves RateLimit and RateLimit-Policy off the
// responses of the requests a [RateLimiter] allows (429s carry them
// still), which saves the two allocations of formatting them.
func NoSuccessHeaders() RateLimitOption {
	return rateLimitOption(func(c *rateLimitConfig) { c.noSuccessHeaders = true })
}

// FailClosed makes a [RateLimiter] answer 503 with Retry-After (see
// [RetryAfter]) when its store fails (Redis is down, say). By default such
// requests go ahead unlimited: a limiter's outage should not become the
// API's.
func FailClosed() RateLimitOption {
	return rateLimitOption(func(c *rateLimitConfig) { c.failClosed = true })
}

// Logger sets where a [RateLimiter] logs its store's failures, at most
// one a second; it defaults to slog.Default().
func Logger(l *slog.Logger) RateLimitOption {
	return rateLimitOption(func(c *rateLimitConfig) { c.logger = l })
}

// CountOnly makes a [RateLimiter] limit only the requests whose response
// status fn approves — failed logins, say, with
// func(status int) bool { return status == 401 }: a client is refused
// while its budget is spent, and a request spends it only once answered
// with such a status. Requests running at the same time may overshoot the
// budget by as many as are in flight. Without it every request counts,
// before it runs.
func CountOnly(fn func(status int) bool) RateLimitOption {
	return rateLimitOption(func(c *rateLimitConfig) { c.counts = fn })
}

// KeyFunc appends the key of r's client to dst and returns the extended
// buffer, as strconv.AppendInt does: requests whose keys are equal share
// one budget. It reports false when r has no key, and r then goes
// unlimited. It appends rather than returning a string so that an allowed
// request costs no allocation; dst belongs to the limiter, which reuses it.
type KeyFunc func(dst []byte, r *http.Request) (key []byte, ok bool)

// RateLimiter limits how many requests each client makes: each key (see
// [KeyFunc]) has a token bucket of limit requests that refills over a
// window. A request over budget gets 429 Too Many Requests, an RFC 9457
// problem with Retry-After, at once; it never reaches the handler.
//
// Responses carry the RateLimit and RateLimit-Policy header fields of the
// IETF httpapi draft "RateLimit header fields for HTTP",
// draft-ietf-httpapi-ratelimit-headers-09: structured fields naming the
// policy, such as
//
//	RateLimit-Policy: "api";q=100;w=60
//	RateLimit: "api";r=42;t=35
//
// where q is the quota (the limit), w the window in seconds, r the requests
// remaining and t the seconds until the budget is full again. Earlier
// revisions (up to -07) used RateLimit-Limit, RateLimit-Remaining and
// RateLimit-Reset, or a dictionary (limit=, remaining=, reset=) in
// RateLimit; this limiter sends none of those.
//
// RateLimiter implements roux's DocumentedMiddleware: [RateLimiter.Responses]
// and [RateLimiter.Headers] describe what it adds to the OpenAPI
// document. A RateLimiter is safe for concurrent use.
type RateLimiter struct {
	quota       RateQuota
	key         KeyFunc
	store       RateStore
	prefix      []byte   // the store key's prefix: the policy name and ':'
	policy      []string // the RateLimit-Policy value, shared by every response (cap 1: an Add copies)
	statePrefix string   // `"name";r=`
	successHdrs bool
	failClosed  bool
	retryAfter  string // the Retry-After of a 503 when the store fails
	counts      func(status int) bool
	logger      *slog.Logger
	lastLog     atomic.Int64 // unix nanoseconds of the last logged store failure
	limited     atomic.Int64 // requests refused with 429
	bufs        sync.Pool    // *[]byte, for keys
}

// Header names, canonical as net/http stores them.
var (
	headerRateLimit       = http.CanonicalHeaderKey("RateLimit")
	headerRateLimitPolicy = http.CanonicalHeaderKey("RateLimit-Policy")
)

// NewRateLimiter returns a rate limiter that lets each client make limit
// requests per window, configured by opts. The budget refills
// continuously: one request comes back every window/limit. The window
// must be a whole number of seconds, since RateLimit-Policy publishes it
// in seconds. NewRateLimiter panics on a configuration that cannot work: a
// limit below 1, a window that is not a whole number of seconds, or a
// policy name that is not a plain word.
func NewRateLimiter(limit int, window time.Duration, opts ...RateLimitOption) *RateLimiter {
	var c rateLimitConfig
	for _, o := range opts {
		o.applyRateLimit(&c)
	}
	if c.name == "" {
		c.name = "default"
	}
	for _, ch := range []byte(c.name) {
		if !('a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9' || ch == '-' || ch == '_' || ch == '.') {
			panic(fmt.Sprintf("middleware: RateLimit: name %q: use ASCII letters, digits and -_. only", c.name))
		}
	}
	if limit < 1 {
		panic(fmt.Sprintf("middleware: RateLimit %q: limit %d: allow at least one request per window", c.name, limit))
	}
	if window < time.Second || window%time.Second != 0 {
		panic(fmt.Sprintf("middleware: RateLimit %q: window %v: use a whole number of seconds (RateLimit-Policy publishes seconds)", c.name, window))
	}
	if c.key == nil {
		c.key = KeyByClientIP
	}
	if c.store == nil {
		c.store = NewMemoryRateStore(0)
	}
	if c.logger == nil {
		c.logger = slog.Default()
	}
	l := &RateLimiter{
		quota:       RateQuota{Limit: limit, Window: window},
		key:         c.key,
		store:       c.store,
		prefix:      []byte(c.name + ":"),
		policy:      []string{fmt.Sprintf("%q;q=%d;w=%d", c.name, limit, window/time.Second)}[:1:1],
		statePrefix: strconv.Quote(c.name) + ";r=",
		successHdrs: !c.noSuccessHeaders,
		failClosed:  c.failClosed,
		retryAfter:  strconv.Itoa(retryAfterSeconds(c.retryAfter)),
		counts:      c.counts,
		logger:      c.logger,
	}
	l.bufs.New = func() any { b := make([]byte, 0, 64); return &b }
	return l
}

// RateLimit returns the middleware of a new [RateLimiter] (see
// [NewRateLimiter]).
func RateLimit(limit int, window time.Duration, opts ...RateLimitOption) func(http.Handler) http.Handler {
	return NewRateLimiter(limit, window, opts...).Wrap
}

// Wrap returns next behind the limiter.
func (l *RateLimiter) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bp := l.bufs.Get().(*[]byte)
		key, ok := l.key(append((*bp)[:0], l.prefix...), r)
		if ok {
			l.serve(w, r, next, key)
		} else {
			next.ServeHTTP(w, r)
		}
		if cap(key) <= 1024 { // keep what the key func grew, up to a point
			*bp = key[:0]
		}
		l.bufs.Put(bp)
	})
}

// serve answers a request whose client has key.
func (l *RateLimiter) serve(w http.ResponseWriter, r *http.Request, next http.Handler, key []byte) {
	var res RateResult
	var err error
	if l.counts == nil {
		res, err = l.store.Take(r.Context(), key, l.quota)
	} else {
		res, err = l.store.Peek(r.Context(), key, l.quota)
	}
	if err != nil {
		l.storeFailed(err)
		if l.failClosed {
			w.Header().Set("Retry-After", l.retryAfter)
			writeProblem(w, http.StatusServiceUnavailable, "the rate limit cannot be checked now; retry later")
			return
		}
		next.ServeHTTP(w, r)
		return
	}
	if !res.Allowed {
		l.limited.Add(1)
		retry := seconds(res.RetryAfter)
		h := w.Header()
		h.Set("Retry-After", strconv.FormatInt(retry, 10))
		h[headerRateLimitPolicy] = l.policy
		h[headerRateLimit] = []string{l.state(res)}
		writeProblem(w, http.StatusTooManyRequests, fmt.Sprintf(
			"this client made more than %d requests in %d seconds; retry in %d seconds",
			l.quota.Limit, l.quota.Window/time.Second, retry))
		return
	}
	if l.successHdrs {
		h := w.Header()
		h[headerRateLimitPolicy] = l.policy
		h[headerRateLimit] = []string{l.state(res)}
	}
	if l.counts == nil {
		next.ServeHTTP(w, r)
		return
	}
	rec := &statusRecorder{ResponseWriter: w}
	next.ServeHTTP(rec, r)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	if l.counts(rec.status) {
		if _, err := l.store.Take(context.WithoutCancel(r.Context()), key, l.quota); err != nil {
			l.storeFailed(err)
		}
	}
}

// Limited returns how many requests the limiter has refused with 429:
// an operator's count of clients over their budget, for roux's
// API.CountRefusals (reason roux.RefusalRateLimit), which telemetry
// publishes. Requests let through because the store failed are not
// counted.
func (l *RateLimiter) Limited() int64 { return l.limited.Load() }

// state formats the RateLimit field: `"name";r=<remaining>;t=<reset>`.
func (l *RateLimiter) state(res RateResult) string {
	var buf [64]byte
	b := append(buf[:0], l.statePrefix...)
	b = strconv.AppendInt(b, int64(max(0, res.Remaining)), 10)
	b = append(b, ";t="...)
	b = strconv.AppendInt(b, seconds(res.Reset), 10)
	return string(b)
}

// seconds rounds d up to whole seconds, for delta-seconds fields.
func seconds(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64((d + time.Second - 1) / time.Second)
}

func (l *RateLimiter) storeFailed(err error) {
	now := time.Now().UnixNano()
	last := l.lastLog.Load()
	if now-last < int64(time.Second) || !l.lastLog.CompareAndSwap(last, now) {
		return
	}
	l.logger.Error("middleware: rate limit store failed", "policy", string(l.prefix[:len(l.prefix)-1]), "error", err)
}

// Responses describes the responses the limiter sends itself, for the
// OpenAPI document: 429 with Retry-After, RateLimit and RateLimit-Policy,
// and with [FailClosed] 503 with Retry-After for when the store fails;
// their bodies are roux's problem+json. The map is the caller's to change.
func (l *RateLimiter) Responses() map[string]*openapi.Response {
	// The same schemas as on successes, and Retry-After as roux and the
	// load shedder publish it: generators (ogen) need one schema per
	// header name across an operation's responses.
	h := l.headerDocs(false)
	h["Retry-After"] = &openapi.Header{
		Description: "Seconds until the client may send a request again.",
		Required:    true,
		Schema:      &schema.Schema{Type: schema.Types{"string"}, Pattern: "^[0-9]+$"},
	}
	m := map[string]*openapi.Response{
		"429": {Description: "Too many requests from this client; retry after the Retry-After delay", Headers: h},
	}
	if l.failClosed {
		m["503"] = &openapi.Response{
			Description: "The rate limit cannot be checked now; retry after the Retry-After delay",
			Headers:     map[string]*openapi.Header{"Retry-After": h["Retry-After"]},
		}
	}
	return m
}

// Headers describes the headers the limiter adds to the responses of
// allowed requests, for the OpenAPI document: RateLimit and
// RateLimit-Policy, or none with [NoSuccessHeaders]. They are not required:
// a request its KeyFunc could not place, or one let through while the
// store failed, gets neither. The map is the caller's to change.
func (l *RateLimiter) Headers() map[string]*openapi.Header {
	if !l.successHdrs {
		return map[string]*openapi.Header{}
	}
	return l.headerDocs(false)
}

func (l *RateLimiter) headerDocs(required bool) map[string]*openapi.Header {
	str := func() *schema.Schema { return &schema.Schema{Type: schema.Types{"string"}} }
	return map[string]*openapi.Header{
		"RateLimit": {
			Description: `The client's remaining budget (draft-ietf-httpapi-ratelimit-headers-09): "policy";r=<requests remaining>;t=<seconds until the budget is full again>.`,
			Required:    required,
			Schema:      str(),
		},
		"RateLimit-Policy": {
			Description: `The rate limit policy (draft-ietf-httpapi-ratelimit-headers-09): "policy";q=<requests>;w=<window in seconds>.`,
			Required:    required,
			Schema:      str(),
		},
	}
}

// KeyByClientIP is a [KeyFunc] keying requests by client address: the
// one [ClientIP] found (put ClientIP before the limiter when the service
// runs behind proxies), or else the connection's peer. IPv6 clients are
// keyed by their /64 prefix, the block one subscriber usually has, so a
// client cannot escape its limit by changing the low bits of its address.
func KeyByClientIP(dst []byte, r *http.Request) ([]byte, bool) {
	ip := ClientIPFrom(r.Context())
	if !ip.IsValid() {
		ip = clientAddr(r, func(netip.Addr) bool { return false })
	}
	if !ip.IsValid() {
		return dst, false
	}
	ip = ip.WithZone("")
	if ip.Is6() {
		return netip.PrefixFrom(ip, 64).Masked().AppendTo(dst), true
	}
	return ip.AppendTo(dst), true
}

// KeyByHeader returns a [KeyFunc] keying requests by the value of the
// header called name — a credential such as an API key, or the
// Authorization header itself. The key is a SHA-256 hash of the value (128
// bits of it, in hex), so no secret is held in memory or sent to a shared
// store as it is; a request without the header is not limited (stack a
// limiter by client address for those). The hash of a low-entropy secret
// such as a password can be guessed: key those requests by user name.
func KeyByHeader(name string) KeyFunc {
	name = http.CanonicalHeaderKey(name)
	return func(dst []byte, r *http.Request) ([]byte, bool) {
		v := r.Header[name]
		if len(v) == 0 || v[0] == "" {
			return dst, false
		}
		// Hashed in place: []byte(v[0]) would copy a value over 32 bytes,
		// and Sum256 neither keeps nor changes its argument.
		sum := sha256.Sum256(unsafe.Slice(unsafe.StringData(v[0]), len(v[0])))
		return hex.AppendEncode(dst, sum[:16]), true
	}
}
