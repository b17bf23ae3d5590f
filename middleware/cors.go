package middleware

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CORSOption sets part of the policy of [CORS]. Without options the
// policy allows no origin. Options that list values add to what earlier
// ones listed. The interface is sealed: build options with the
// constructors below.
type CORSOption interface {
	applyCORS(*corsConfig)
}

type corsOption func(*corsConfig)

func (f corsOption) applyCORS(c *corsConfig) { f(c) }

// corsConfig is a cross-origin resource sharing policy.
type corsConfig struct {
	origins     []string
	originFunc  func(origin string) bool
	methods     []string
	headers     []string
	exposed     []string
	credentials bool
	maxAge      time.Duration
}

// AllowedOrigins lists origins ("https://app.example.com") that may read
// responses under [CORS]; "*" allows any origin. They are compared
// exactly, as browsers send them (scheme, host and port, no path).
func AllowedOrigins(origins ...string) CORSOption {
	origins = slices.Clone(origins)
	return corsOption(func(c *corsConfig) { c.origins = append(c.origins, origins...) })
}

// AllowOriginFunc lets fn decide, under [CORS], for the origins that
// [AllowedOrigins] does not list.
func AllowOriginFunc(fn func(origin string) bool) CORSOption {
	return corsOption(func(c *corsConfig) { c.originFunc = fn })
}

// AllowedMethods lists the methods [CORS] allows cross-origin; it
// defaults to GET, HEAD and POST.
func AllowedMethods(methods ...string) CORSOption {
	methods = slices.Clone(methods)
	return corsOption(func(c *corsConfig) { c.methods = append(c.methods, methods...) })
}

// AllowedHeaders lists the request headers a browser may send under
// [CORS] beyond the CORS-safelisted ones; "*" allows any (not with
// [AllowCredentials]).
func AllowedHeaders(headers ...string) CORSOption {
	headers = slices.Clone(headers)
	return corsOption(func(c *corsConfig) { c.headers = append(c.headers, headers...) })
}

// ExposedHeaders lists the response headers that scripts may read under
// [CORS].
func ExposedHeaders(headers ...string) CORSOption {
	headers = slices.Clone(headers)
	return corsOption(func(c *corsConfig) { c.exposed = append(c.exposed, headers...) })
}

// AllowCredentials lets cross-origin requests carry cookies and HTTP
// auth under [CORS]. It cannot be combined with the "*" origin or headers.
func AllowCredentials() CORSOption {
	return corsOption(func(c *corsConfig) { c.credentials = true })
}

// PreflightMaxAge sets how long a browser may cache the answer to a
// preflight request of [CORS] (Access-Control-Max-Age, in whole seconds).
// Without it, or below one second, none is sent and browsers use their
// default (5 seconds).
func PreflightMaxAge(d time.Duration) CORSOption {
	return corsOption(func(c *corsConfig) { c.maxAge = d })
}

// CORS answers preflight requests and marks the responses of allowed
// cross-origin requests, following the CORS protocol of the Fetch
// standard: a preflight (OPTIONS with Origin and
// Access-Control-Request-Method) gets 204 with the allowed origin,
// methods and headers when every part of it is allowed, and 204 without
// them — which the browser treats as a refusal — otherwise; an actual
// request from an allowed origin gets Access-Control-Allow-Origin (and
// -Credentials and -Expose-Headers) added; every response varies by
// Origin. Requests without Origin pass through untouched.
//
// roux writes this itself rather than wrap github.com/rs/cors: the
// protocol fits in this file, and so roux's core module keeps one
// dependency fewer. CORS panics on a policy browsers would reject (the
// "*" origin or "*" headers with credentials).
func CORS(opts ...CORSOption) CORSMiddleware {
	var c corsConfig
	for _, o := range opts {
		o.applyCORS(&c)
	}
	anyOrigin := slices.Contains(c.origins, "*")
	anyHeader := slices.Contains(c.headers, "*")
	if c.credentials && (anyOrigin || anyHeader) {
		panic("middleware: CORS: credentials cannot be allowed with the \"*\" origin or headers; list them")
	}
	methods := c.methods
	if len(methods) == 0 {
		methods = []string{http.MethodGet, http.MethodHead, http.MethodPost}
	}
	headers := make(map[string]bool, len(c.headers))
	for _, h := range c.headers {
		headers[strings.ToLower(h)] = true
	}
	allowed := func(origin string) bool {
		return anyOrigin || slices.Contains(c.origins, origin) || c.originFunc != nil && c.originFunc(origin)
	}
	allowOriginValue := func(origin string) string {
		if anyOrigin && !c.credentials {
			return "*"
		}
		return origin
	}
	exposed := strings.Join(c.exposed, ", ")
	methodList := strings.Join(methods, ", ")
	maxAge := ""
	if secs := int64(c.maxAge / time.Second); secs > 0 {
		maxAge = strconv.FormatInt(secs, 10)
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			origin := r.Header.Get("Origin")
			h := w.Header()
			if origin == "" {
				h.Add("Vary", "Origin") // a cache must not give this answer to a cross-origin request
				next.ServeHTTP(w, r)
				return
			}
			reqMethod := r.Header.Get("Access-Control-Request-Method")
			if r.Method == http.MethodOptions && reqMethod != "" {
				h.Add("Vary", "Origin")
				h.Add("Vary", "Access-Control-Request-Method")
				h.Add("Vary", "Access-Control-Request-Headers")
				reqHeaders, ok := requestedHeaders(r, headers, anyHeader)
				if allowed(origin) && slices.Contains(methods, reqMethod) && ok {
					h.Set("Access-Control-Allow-Origin", allowOriginValue(origin))
					h.Set("Access-Control-Allow-Methods", methodList)
					if reqHeaders != "" {
						h.Set("Access-Control-Allow-Headers", reqHeaders)
					}
					if c.credentials {
						h.Set("Access-Control-Allow-Credentials", "true")
					}
					if maxAge != "" {
						h.Set("Access-Control-Max-Age", maxAge)
					}
				}
				w.WriteHeader(http.StatusNoContent)
				return
			}
			h.Add("Vary", "Origin")
			if allowed(origin) {
				h.Set("Access-Control-Allow-Origin", allowOriginValue(origin))
				if c.credentials {
					h.Set("Access-Control-Allow-Credentials", "true")
				}
				if exposed != "" {
					h.Set("Access-Control-Expose-Headers", exposed)
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// safelisted are the CORS-safelisted request header names of the Fetch
// standard. A browser asks for one in a preflight only when its value is
// not safelisted — above all Content-Type: application/json, which every
// JSON API must accept — so CORS allows these names without listing.
var safelisted = map[string]bool{"accept": true, "accept-language": true, "content-language": true, "content-type": true, "range": true}

// requestedHeaders checks the headers a preflight asks for and returns
// them, lowercased, to echo in Access-Control-Allow-Headers.
func requestedHeaders(r *http.Request, allowed map[string]bool, any bool) (string, bool) {
	var names []string
	for _, line := range r.Header.Values("Access-Control-Request-Headers") {
		for name := range strings.SplitSeq(line, ",") {
			name = strings.ToLower(strings.TrimSpace(name))
			if name == "" {
				continue
			}
			if !any && !allowed[name] && !safelisted[name] {
				return "", false
			}
			names = append(names, name)
		}
	}
	return strings.Join(names, ", "), true
}
