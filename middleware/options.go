package middleware

// Options follow connect-go's pattern for a package with several
// constructors: each middleware that has optional settings takes options
// of its own interface (LoadShedOption, RateLimitOption, CORSOption,
// CompressOption, SecureHeadersOption), each interface sealed by an
// unexported method of its own name, so that an option given to the wrong
// middleware is a compile error. An option that means the same to two
// middleware returns a type with both methods (LimiterOption). Required
// values are parameters, not options.

import "time"

// LimiterOption is an option that both limiters take: it is a
// [LoadShedOption] and a [RateLimitOption].
type LimiterOption interface {
	LoadShedOption
	RateLimitOption
}

type retryAfterOption time.Duration

func (o retryAfterOption) applyLoadShed(c *loadShedConfig)   { c.retryAfter = time.Duration(o) }
func (o retryAfterOption) applyRateLimit(c *rateLimitConfig) { c.retryAfter = time.Duration(o) }

// RetryAfter sets the delay sent in Retry-After with a 503: by a
// [LoadShedder] with each refusal, by a [RateLimiter] when its store
// fails and [FailClosed] refuses the request. It is rounded to whole
// seconds, at least one; the default is one second. (A rate limiter's 429
// says when the client's own budget allows a request again, whatever
// this option says.)
func RetryAfter(d time.Duration) LimiterOption { return retryAfterOption(d) }

// retryAfterSeconds is d rounded to whole seconds, at least one; d <= 0
// means one second.
func retryAfterSeconds(d time.Duration) int {
	if d <= 0 {
		return 1
	}
	return max(1, int(d.Round(time.Second)/time.Second))
}
