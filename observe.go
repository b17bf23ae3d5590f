package roux

import (
	"net/http"
	"slices"
)

// OperationInfo describes a registered operation to the wrappers added
// with [API.WrapOperations]: what observability needs to name a span or
// label a metric without looking at the raw request path.
type OperationInfo struct {
	ID       string   // the operationId
	Method   string   // the registered method, such as "GET"
	Pattern  string   // the full path pattern, group prefix included, such as "/dishes/{id}"
	Tags     []string // the operation's tags; the wrapper may keep the slice, roux does not change it
	CPUBound bool     // the operation was declared [CPUBound]
}

// WrapOperations wraps the handler of every operation, those already
// registered and those registered later, in mw, which is called once per
// operation with what it serves. Unlike [API.Use], whose middleware runs
// before routing, the wrapper knows the operation; unlike [Middleware],
// it applies to all of them. Wrappers run outside the operation's own
// middleware; each call wraps what earlier calls built, so the wrapper
// added last runs outermost. Inside, r.PathValue returns the path
// parameters, and the writer a wrapper passes on is the one roux writes
// the response to.
//
// Call it during registration, before the API serves. An API that never
// calls it serves its operations as if it did not exist.
func (a *API) WrapOperations(mw func(op OperationInfo, next http.Handler) http.Handler) {
	a.opWrappers = append(a.opWrappers, mw)
	for _, op := range a.ops {
		op.wrapped = mw(op.info(), op.handler())
	}
}

// wrap builds op.wrapped at registration: the operation behind its own
// middleware and then the API's operation wrappers. With neither it stays
// nil, and dispatch serves the operation directly from its pooled state.
func (op *operation) wrap() {
	if len(op.middleware) == 0 && len(op.api.opWrappers) == 0 {
		op.wrapped = nil
		return
	}
	var h http.Handler = http.HandlerFunc(op.serveFromPathValues)
	for i := len(op.middleware) - 1; i >= 0; i-- {
		h = op.middleware[i](h)
	}
	for _, mw := range op.api.opWrappers {
		h = mw(op.info(), h)
	}
	op.wrapped = h
}

// handler returns the operation's handler as built so far.
func (op *operation) handler() http.Handler {
	if op.wrapped != nil {
		return op.wrapped
	}
	return http.HandlerFunc(op.serveFromPathValues)
}

// info describes op to a wrapper, with a slice of tags of its own.
func (op *operation) info() OperationInfo {
	return OperationInfo{
		ID: op.id, Method: op.method, Pattern: op.pattern,
		Tags: slices.Clone(op.doc.Tags), CPUBound: op.cpu != nil,
	}
}
