// Package middleware holds net/http middleware for roux services, one
// concern per file. Each constructor returns a func(http.Handler)
// http.Handler, so it works with any net/http code and attaches to a roux
// API (API.Use), a group or an operation (roux.Middleware):
//
//	api.Use(
//		middleware.Recover(logger),
//		middleware.RequestID(),
//		middleware.AccessLog(logger),
//		middleware.Compress(),
//	)
//
// Errors these middleware produce (413, 429, 500, 503, CORS rejections) are
// RFC 9457 application/problem+json responses, like roux's own. The
// package does not import roux: it stands apart on net/http.
//
// # Options
//
// Required values are parameters (a rate limit's requests and window, a
// timeout's duration); optional settings are options, built by
// constructors named for what they set:
//
//	middleware.RateLimit(30, time.Minute, middleware.PolicyName("orders"), middleware.KeyBy(middleware.KeyByHeader("Authorization")))
//	middleware.CORS(middleware.AllowedOrigins("https://app.example.com"), middleware.AllowCredentials())
//
// Each middleware has an option type of its own ([LoadShedOption],
// [RateLimitOption], [CORSOption], [CompressOption],
// [SecureHeadersOption]), so an option given to the wrong one does not
// compile; an option that means the same to two, such as [RetryAfter],
// is of both types. Without options each middleware has the defaults its
// option types document.
//
// Constructors check their configuration when they are called and panic
// on a configuration that cannot work (a CORS policy allowing credentials
// from any origin, say), as regexp.MustCompile does: such mistakes are
// found at start-up.
//
// # Security headers
//
// [SecureHeaders] sends the headers OWASP's REST Security Cheat Sheet
// gives for API responses: X-Content-Type-Options: nosniff,
// X-Frame-Options: DENY, Cross-Origin-Resource-Policy: same-origin, a
// Content-Security-Policy that loads nothing, and Strict-Transport-Security
// on TLS connections. Referrer-Policy and Cross-Origin-Opener-Policy act
// on HTML documents only and are sent when asked for
// ([ReferrerPolicy], [CrossOriginOpenerPolicy]). Every header name past
// eight costs each response more: net/http's header map grows into a
// table, which WriteHeader copies.
//
// # Rate limits
//
// [RateLimiter] gives each client (by address or credential, see
// [KeyFunc]) a token bucket and answers 429 with Retry-After beyond it. Its
// RateLimit and RateLimit-Policy header fields follow the IETF draft
// draft-ietf-httpapi-ratelimit-headers-09 (`RateLimit: "api";r=42;t=35`),
// not the fields of earlier revisions (RateLimit-Limit, -Remaining and
// -Reset, then a limit=/remaining=/reset= dictionary).
// Budgets live in process ([MemoryRateStore]) or, for a limit that holds
// across instances, in Redis (module github.com/roux-go/roux/middleware/redisrate).
package middleware
