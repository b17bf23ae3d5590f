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
	// Each value is one slice shared by every response, so that setting
	// the headers allocates nothing: net/http only reads them, and Set or
	// Add replace a value rather than write to it.
	v := func(s string) []string { return []string{s} }
	nosniff, deny, referrerV, sameOrigin, cspV, hstsV := v("nosniff"), v("DENY"), v(referrer), v("same-origin"), v(csp), v(hsts)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h["X-Content-Type-Options"] = nosniff
			h["X-Frame-Options"] = deny
			h["Referrer-Policy"] = referrerV
			h["Cross-Origin-Opener-Policy"] = sameOrigin
			h["Cross-Origin-Resource-Policy"] = sameOrigin
			if csp != "-" {
				h["Content-Security-Policy"] = cspV
			}
			if hsts != "" && r.TLS != nil {
				h["Strict-Transport-Security"] = hstsV
			}
			next.ServeHTTP(w, r)
		})
	}
}
