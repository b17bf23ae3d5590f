package middleware

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

// RequestIDHeader is the header RequestID reads and writes.
const RequestIDHeader = "X-Request-ID"

// requestIDKeyCanonical is RequestIDHeader as a key of http.Header.
const requestIDKeyCanonical = "X-Request-Id"

// RequestID gives every request an ID: the client's X-Request-ID when it
// is a plausible one (1 to 128 characters of letters, digits and -_.:),
// a new random 128-bit hex ID otherwise. The ID is sent back in the
// X-Request-ID response header and is available to the handlers below
// through [RequestIDFrom]; [AccessLog] logs it.
//
// The result is a func(http.Handler) http.Handler that also says what it
// adds, for roux's API.UseDocumented.
func RequestID() RequestIDMiddleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// The header's canonical key, which Get and Set would compute
			// (and allocate) on every request.
			var id string
			if v := r.Header[requestIDKeyCanonical]; len(v) > 0 {
				id = v[0]
			}
			if !validRequestID(id) {
				id = newRequestID()
			}
			// The ID goes in the request's context, which holds the
			// header's value too: one allocation, where context.WithValue
			// and the header's slice would make three (its node, the
			// string boxed in an interface, the slice), and none when a
			// middleware of this package made the context (context.go).
			c, r := requestContextFor(r, requestIDKey{})
			c.id[0] = id
			c.hasID.Store(true)
			w.Header()[requestIDKeyCanonical] = c.id[:]
			next.ServeHTTP(w, r)
		})
	}
}

// RequestIDFrom returns the request ID that [RequestID] stored in ctx, or
// "" when there is none.
func RequestIDFrom(ctx context.Context) string {
	if c := lookup(ctx, requestIDKey{}); c != nil {
		return c.id[0]
	}
	return ""
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [16]byte
	rand.Read(b[:]) //nolint:errcheck // crypto/rand.Read never fails (Go 1.24+)
	var h [32]byte
	hex.Encode(h[:], b[:])
	return string(h[:]) // one allocation; hex.EncodeToString makes two
}
