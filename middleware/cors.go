package middleware

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// CORSConfig is a cross-origin resource sharing policy. The zero value
// allows nothing; set AllowedOrigins.
type CORSConfig struct {
	// AllowedOrigins lists the origins ("https://app.example.com") that
	// may read responses; "*" allows any origin. Compared exactly, as
	// browsers send them (scheme, host and port, no path).
	AllowedOrigins []string
	// AllowOrigin, when set, decides for origins not in AllowedOrigins.
	AllowOrigin func(origin string) bool
	// AllowedMethods lists the methods allowed cross-origin; it defaults
	// to GET, HEAD and POST.
	AllowedMethods []string
	// AllowedHeaders lists request headers a browser may send beyond the
	// CORS-safelisted ones; "*" allows any (not with AllowCredentials).
	AllowedHeaders []string
	// ExposedHeaders lists response headers scripts may read.
	ExposedHeaders []string
	// AllowCredentials lets requests carry cookies and HTTP auth. It
	// cannot be combined with the "*" origin.
	AllowCredentials bool
	// MaxAge is how long, in seconds, a browser may cache a preflight
	// answer; 0 sends no Access-Control-Max-Age.
	MaxAge int
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
func CORS(c CORSConfig) CORSMiddleware {
	anyOrigin := slices.Contains(c.AllowedOrigins, "*")
	anyHeader := slices.Contains(c.AllowedHeaders, "*")
	if c.AllowCredentials && (anyOrigin || anyHeader) {
		panic("middleware: CORS: credentials cannot be allowed with the \"*\" origin or headers; list them")
	}
	methods := c.AllowedMethods
	if len(methods) == 0 {
		methods = []string{http.MethodGet, http.MethodHead, http.MethodPost}
	}
	headers := make(map[string]bool, len(c.AllowedHeaders))
	for _, h := range c.AllowedHeaders {
		headers[strings.ToLower(h)] = true
	}
	allowed := func(origin string) bool {
		return anyOrigin || slices.Contains(c.AllowedOrigins, origin) || c.AllowOrigin != nil && c.AllowOrigin(origin)
	}
	allowOriginValue := func(origin string) string {
		if anyOrigin && !c.AllowCredentials {
			return "*"
		}
		return origin
	}
	exposed := strings.Join(c.ExposedHeaders, ", ")
	methodList := strings.Join(methods, ", ")
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
					if c.AllowCredentials {
						h.Set("Access-Control-Allow-Credentials", "true")
					}
					if c.MaxAge > 0 {
						h.Set("Access-Control-Max-Age", strconv.Itoa(c.MaxAge))
					}
				}
				w.WriteHeader(http.StatusNoContent)
				return
			}
			h.Add("Vary", "Origin")
			if allowed(origin) {
				h.Set("Access-Control-Allow-Origin", allowOriginValue(origin))
				if c.AllowCredentials {
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
