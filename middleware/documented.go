package middleware

import (
	"crypto/tls"
	"maps"
	"net/http"
	"net/url"
	"sync"

	"github.com/roux-go/roux/openapi"
	"github.com/roux-go/roux/schema"
)

// The middleware that add response headers say so, for roux's
// DocumentedMiddleware (API.UseDocumented, roux.Wrap): each is a
// func(http.Handler) http.Handler, usable wherever one is, with the
// methods Wrap, Responses and Headers. The published document then lists
// their headers on every response, and roux's response check accepts
// them.
//
// roux asks for the headers once per operation and shares their values
// between the operation's responses: so are they shared between
// operations, each call returning a map of its own over header values
// made once (their number was a tenth of the kitchen's live heap, which
// every garbage collection marks).

// RequestIDMiddleware is the middleware [RequestID] returns.
type RequestIDMiddleware func(http.Handler) http.Handler

// Wrap returns next wrapped by the middleware.
func (m RequestIDMiddleware) Wrap(next http.Handler) http.Handler { return m(next) }

// Responses returns none: RequestID answers no request itself.
func (RequestIDMiddleware) Responses() map[string]*openapi.Response { return nil }

// Headers returns X-Request-ID, set on every response.
func (RequestIDMiddleware) Headers() map[string]*openapi.Header { return maps.Clone(requestIDDocs()) }

var requestIDDocs = sync.OnceValue(func() map[string]*openapi.Header {
	return map[string]*openapi.Header{RequestIDHeader: {
		Description: "The request's ID: the client's X-Request-ID when it is a plausible one, a new one otherwise.",
		Required:    true, Schema: &schema.Schema{Type: schema.Types{"string"}, MinLength: ptr(1), MaxLength: ptr(128)}}}
})

// SecureHeadersMiddleware is the middleware [SecureHeaders] returns.
type SecureHeadersMiddleware func(http.Handler) http.Handler

// Wrap returns next wrapped by the middleware.
func (m SecureHeadersMiddleware) Wrap(next http.Handler) http.Handler { return m(next) }

// Responses returns none: SecureHeaders answers no request itself.
func (SecureHeadersMiddleware) Responses() map[string]*openapi.Response { return nil }

// Headers returns the security headers m sends, found by running it once
// over a plain and a TLS request whose handler writes nothing (m's
// options live in its closure): those sent on both are required, and
// Strict-Transport-Security, sent on TLS connections only, is optional.
func (m SecureHeadersMiddleware) Headers() map[string]*openapi.Header {
	plain, tls := probeHeaders(m, false), probeHeaders(m, true)
	docs := secureHeaderDocs()
	out := make(map[string]*openapi.Header, len(tls))
	for name := range tls {
		d, ok := docs[name]
		if !ok {
			continue
		}
		if _, always := plain[name]; always {
			out[name] = d[1]
		} else {
			out[name] = d[0]
		}
	}
	return out
}

// probeHeaders returns the headers mw sets on a GET of "/", over TLS or
// not, before a handler that writes nothing.
func probeHeaders(mw func(http.Handler) http.Handler, overTLS bool) http.Header {
	r := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/"}, Header: http.Header{}, Host: "probe"}
	if overTLS {
		r.TLS = &tls.ConnectionState{}
	}
	w := probeWriter{http.Header{}}
	mw(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(w, r)
	return w.h
}

// probeWriter is a response writer that keeps the headers set on it.
type probeWriter struct{ h http.Header }

func (w probeWriter) Header() http.Header       { return w.h }
func (probeWriter) Write(p []byte) (int, error) { return len(p), nil }
func (probeWriter) WriteHeader(int)             {}

// secureHeaderDocs holds, for each header SecureHeaders may send, its
// description as an optional header and as a required one.
var secureHeaderDocs = sync.OnceValue(func() map[string][2]*openapi.Header {
	h := func(desc string) [2]*openapi.Header {
		var d [2]*openapi.Header
		for i := range d {
			d[i] = &openapi.Header{Description: desc, Required: i == 1, Schema: &schema.Schema{Type: schema.Types{"string"}}}
		}
		return d
	}
	return map[string][2]*openapi.Header{
		"X-Content-Type-Options":       h("nosniff"),
		"X-Frame-Options":              h("DENY"),
		"Cross-Origin-Resource-Policy": h("same-origin"),
		"Content-Security-Policy":      h("The content security policy."),
		"Referrer-Policy":              h("The referrer policy."),
		"Cross-Origin-Opener-Policy":   h("The cross-origin opener policy."),
		"Strict-Transport-Security":    h("HSTS, on TLS connections."),
	}
})

// CORSMiddleware is the middleware [CORS] returns.
type CORSMiddleware func(http.Handler) http.Handler

// Wrap returns next wrapped by the middleware.
func (m CORSMiddleware) Wrap(next http.Handler) http.Handler { return m(next) }

// Responses returns none: preflight requests (OPTIONS) are not
// operations of the API.
func (CORSMiddleware) Responses() map[string]*openapi.Response { return nil }

// Headers returns the CORS headers of an actual request, sent to allowed
// cross-origin requests only.
func (CORSMiddleware) Headers() map[string]*openapi.Header {
	h := func(desc string) *openapi.Header {
		return &openapi.Header{Description: desc, Schema: &schema.Schema{Type: schema.Types{"string"}}}
	}
	return map[string]*openapi.Header{
		"Access-Control-Allow-Origin":      h("The origin allowed to read the response (cross-origin requests only)."),
		"Access-Control-Allow-Credentials": h("true when credentials are allowed (cross-origin requests only)."),
		"Access-Control-Expose-Headers":    h("The response headers a cross-origin page may read."),
		"Vary":                             h("Origin, among others: the answer depends on it."),
	}
}

func ptr[T any](v T) *T { return &v }
