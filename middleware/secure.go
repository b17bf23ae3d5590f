package middleware

import (
	"net/http"
	"strconv"
)

// SecureConfig chooses the security headers [SecureHeaders] sends. The
// zero value sends the defaults documented on each field.
type SecureConfig struct {
	// ContentSecurityPolicy defaults to "default-src 'none';
	// frame-ancestors 'none'", right for a JSON API; "-" sends none. A
	// handler that sets its own (roux's docs page does) keeps it.
	ContentSecurityPolicy string
	// HSTSMaxAge is the Strict-Transport-Security max-age in seconds,
	// sent on TLS requests only; 0 means one year, -1 sends none.
	HSTSMaxAge int
	// ReferrerPolicy defaults to "no-referrer".
	ReferrerPolicy string
}

// SecureHeaders sets response headers that keep browsers from misusing
// API responses: X-Content-Type-Options: nosniff, X-Frame-Options: DENY,
// Referrer-Policy, Cross-Origin-Opener-Policy and
// Cross-Origin-Resource-Policy: same-origin, a Content-Security-Policy,
// and Strict-Transport-Security on TLS connections. They are set before
// the handler runs, so a handler can replace any of them.
//
// The result is a func(http.Handler) http.Handler that also says what it
// adds, for roux's API.UseDocumented.
func SecureHeaders(c SecureConfig) SecureHeadersMiddleware {
	csp := c.ContentSecurityPolicy
	if csp == "" {
		csp = "default-src 'none'; frame-ancestors 'none'"
	}
	referrer := c.ReferrerPolicy
	if referrer == "" {
		referrer = "no-referrer"
	}
	hsts := ""
	switch {
	case c.HSTSMaxAge == 0:
		hsts = "max-age=31536000; includeSubDomains"
	case c.HSTSMaxAge > 0:
		hsts = "max-age=" + strconv.Itoa(c.HSTSMaxAge) + "; includeSubDomains"
	}
	// The values are built once and shared by every response, under
	// canonical keys, so that setting them neither canonicalizes nor
	// allocates: net/http only reads them, and Set or Add would replace
	// them (an append to a slice of capacity one copies it), not write to
	// them.
	set := []sharedHeader{
		{"X-Content-Type-Options", []string{"nosniff"}},
		{"X-Frame-Options", []string{"DENY"}},
		{"Referrer-Policy", []string{referrer}},
		{"Cross-Origin-Opener-Policy", []string{"same-origin"}},
		{"Cross-Origin-Resource-Policy", []string{"same-origin"}},
	}
	if csp != "-" {
		set = append(set, sharedHeader{"Content-Security-Policy", []string{csp}})
	}
	var hstsValue []string
	if hsts != "" {
		hstsValue = []string{hsts}
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			for _, kv := range set {
				h[kv.key] = kv.value
			}
			if hstsValue != nil && r.TLS != nil {
				h["Strict-Transport-Security"] = hstsValue
			}
			next.ServeHTTP(w, r)
		})
	}
}

// sharedHeader is a header's canonical key and a value that every
// response shares.
type sharedHeader struct {
	key   string
	value []string
}
