package middleware

import (
	"net/http"
	"strconv"
	"time"
)

// SecureHeadersOption changes a header that [SecureHeaders] sends.
// Without options it sends the defaults documented on each option. The
// interface is sealed: build options with the constructors below.
type SecureHeadersOption interface {
	applySecureHeaders(*secureConfig)
}

type secureOption func(*secureConfig)

func (f secureOption) applySecureHeaders(c *secureConfig) { f(c) }

// secureConfig is what the options of SecureHeaders add up to.
type secureConfig struct {
	csp, referrer, opener string
	hstsMaxAge            time.Duration
}

// ContentSecurityPolicy sets the Content-Security-Policy that
// [SecureHeaders] sends; "" sends none. It defaults to
// "default-src 'none'; frame-ancestors 'none'", right for a JSON API. A
// handler that sets its own (roux's docs page does) keeps it.
func ContentSecurityPolicy(policy string) SecureHeadersOption {
	return secureOption(func(c *secureConfig) { c.csp = policy })
}

// HSTSMaxAge sets the max-age of the Strict-Transport-Security header
// that [SecureHeaders] sends on TLS requests only, in whole seconds; it
// defaults to one year. Below one second, no Strict-Transport-Security is
// sent.
func HSTSMaxAge(d time.Duration) SecureHeadersOption {
	return secureOption(func(c *secureConfig) { c.hstsMaxAge = d })
}

// ReferrerPolicy makes [SecureHeaders] send Referrer-Policy: policy
// (such as "no-referrer"), which it does not by default: the header acts
// on the links and subresources of an HTML document, and OWASP's REST
// Security Cheat Sheet leaves it out of an API's headers. "" sends none.
func ReferrerPolicy(policy string) SecureHeadersOption {
	return secureOption(func(c *secureConfig) { c.referrer = policy })
}

// CrossOriginOpenerPolicy makes [SecureHeaders] send
// Cross-Origin-Opener-Policy: policy (such as "same-origin"), which it
// does not by default: the header isolates the browsing context of an
// HTML document, and OWASP's REST Security Cheat Sheet leaves it out of
// an API's headers. "" sends none.
func CrossOriginOpenerPolicy(policy string) SecureHeadersOption {
	return secureOption(func(c *secureConfig) { c.opener = policy })
}

// SecureHeaders sets response headers that keep browsers from misusing
// API responses, the set OWASP's REST Security Cheat Sheet gives for
// them: X-Content-Type-Options: nosniff, X-Frame-Options: DENY,
// Cross-Origin-Resource-Policy: same-origin, a Content-Security-Policy,
// and Strict-Transport-Security on TLS connections. Referrer-Policy and
// Cross-Origin-Opener-Policy, which act on HTML documents only, are sent
// when [ReferrerPolicy] or [CrossOriginOpenerPolicy] asks for them. They
// are set before the handler runs, so a handler can replace any of them.
//
// The result is a func(http.Handler) http.Handler that also says what it
// adds, for roux's API.UseDocumented.
func SecureHeaders(opts ...SecureHeadersOption) SecureHeadersMiddleware {
	c := secureConfig{
		csp:        "default-src 'none'; frame-ancestors 'none'",
		hstsMaxAge: 365 * 24 * time.Hour,
	}
	for _, o := range opts {
		o.applySecureHeaders(&c)
	}
	hsts := ""
	if secs := int64(c.hstsMaxAge / time.Second); secs > 0 {
		hsts = "max-age=" + strconv.FormatInt(secs, 10) + "; includeSubDomains"
	}
	// The values are built once and shared by every response, under
	// canonical keys, so that setting them neither canonicalizes nor
	// allocates: net/http only reads them, and Set or Add would replace
	// them (an append to a slice of capacity one copies it), not write to
	// them.
	set := []sharedHeader{
		{"X-Content-Type-Options", []string{"nosniff"}},
		{"X-Frame-Options", []string{"DENY"}},
		{"Cross-Origin-Resource-Policy", []string{"same-origin"}},
	}
	for _, kv := range []struct{ key, value string }{
		{"Content-Security-Policy", c.csp},
		{"Referrer-Policy", c.referrer},
		{"Cross-Origin-Opener-Policy", c.opener},
	} {
		if kv.value != "" {
			set = append(set, sharedHeader{kv.key, []string{kv.value}})
		}
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
