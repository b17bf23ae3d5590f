package middleware

import (
	"maps"
	"net/http"
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

// Headers returns the security headers; Content-Security-Policy and
// Strict-Transport-Security are optional (configurable, and TLS only).
func (SecureHeadersMiddleware) Headers() map[string]*openapi.Header {
	return maps.Clone(secureHeaderDocs())
}

var secureHeaderDocs = sync.OnceValue(func() map[string]*openapi.Header {
	h := func(desc string, required bool) *openapi.Header {
		return &openapi.Header{Description: desc, Required: required, Schema: &schema.Schema{Type: schema.Types{"string"}}}
	}
	return map[string]*openapi.Header{
		"X-Content-Type-Options":       h("nosniff", true),
		"X-Frame-Options":              h("DENY", true),
		"Referrer-Policy":              h("The referrer policy.", true),
		"Cross-Origin-Opener-Policy":   h("same-origin", true),
		"Cross-Origin-Resource-Policy": h("same-origin", true),
		"Content-Security-Policy":      h("The content security policy.", false),
		"Strict-Transport-Security":    h("HSTS, on TLS connections.", false),
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
