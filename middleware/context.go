package middleware

import (
	"context"
	"net/http"
	"net/netip"
	"sync/atomic"
)

// What the middleware of this package store for the handlers below them
// (a load shedder's ticket, the request ID, the client's address) goes in
// one context value per request, not one each. The first of them to run
// makes it (one allocation, and one copy of the request to carry it); the
// ones inside fill their own part of it in place, as long as it is still
// the request's context, so a chain of them copies the request once. A
// copy of http.Request is 250 bytes, the kitchen's reads made two.
//
// A part is filled at most once: a second middleware of the same kind
// (two request IDs, two shedders), or one that finds another context put
// in front of it (a timeout's), makes a context of its own, as before,
// and Value finds the innermost. Code holding the context of an outer
// middleware may see what an inner one filled in, even from another
// goroutine while the request is under way (a watchdog between them): a
// part is written before the atomic flag that says it is there, and read
// only after the flag, so such a reader sees the part whole or not at all.

// requestContext is the context value of package middleware.
type requestContext struct {
	context.Context

	// The load shedder that admitted the request (nil if none did), and
	// whether the response moved out of its limit (MarkLongLived).
	shed  atomic.Pointer[LoadShedder]
	moved atomic.Bool

	// Whether RequestID and ClientIP filled in their parts.
	hasID, hasIP atomic.Bool

	// The request ID, which is also its response header's value.
	id [1]string

	// The client's address, once ClientIP found a valid one.
	ip netip.Addr
}

// Keys of the parts of a requestContext, each answered by the innermost
// context that has the part.
type (
	ticketKey    struct{}
	requestIDKey struct{}
	clientIPKey  struct{}
)

func (c *requestContext) Value(key any) any {
	if c.has(key) {
		return c
	}
	return c.Context.Value(key)
}

// has reports whether c's part that key names is filled in.
func (c *requestContext) has(key any) bool {
	switch key {
	case ticketKey{}:
		return c.shed.Load() != nil
	case requestIDKey{}:
		return c.hasID.Load()
	case clientIPKey{}:
		return c.hasIP.Load()
	}
	return false
}

// requestContextFor returns the requestContext in which to fill in the
// part key names, and r carrying it: r's own context when it is a
// requestContext whose part is empty, a new one over r's context
// otherwise.
func requestContextFor(r *http.Request, key any) (*requestContext, *http.Request) {
	if c, ok := r.Context().(*requestContext); ok && !c.has(key) {
		return c, r
	}
	c := &requestContext{Context: r.Context()}
	return c, r.WithContext(c)
}

// lookup returns the innermost requestContext of ctx that has the part
// key names, or nil.
func lookup(ctx context.Context, key any) *requestContext {
	c, _ := ctx.Value(key).(*requestContext)
	return c
}
