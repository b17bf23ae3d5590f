package roux

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"unsafe"

	"github.com/roux-go/roux/internal/bind"
	"github.com/roux-go/roux/internal/route"
	"github.com/roux-go/roux/internal/verr"
)

// state is the per-request scratch space, pooled so that a request
// reuses the storage of earlier ones (chi's Context.Reset approach).
type state struct {
	params   route.Params
	pathVals []string
	query    []queryPair
	parsedQ  bool
	scratch  []string // values of one parameter, handed to its binder
	path     verr.Path
	errs     verr.List
	buf      bytes.Buffer
	body     limitedBody

	// dependencies of the operation, by node of its plan
	depIns       []unsafe.Pointer
	depVals      []unsafe.Pointer
	depActive    []bool
	depOverrides []*func(context.Context) (unsafe.Pointer, error)
	cleanups     []func()
	handled      bool // the handler succeeded and its output was written
	format       int  // index of the negotiated offer (responsePlan.offers)
}

type queryPair struct{ key, value string }

// maxPooledBuffer caps the response buffer kept for reuse, so one large
// response does not pin its memory in the pool.
const maxPooledBuffer = 64 << 10

// maxPooledItems caps the query pairs and parameter values kept for reuse.
const maxPooledItems = 256

var statePool = sync.Pool{New: func() any { return new(state) }}

func getState() *state { return statePool.Get().(*state) }

func putState(st *state) {
	st.params.Reset()
	clear(st.pathVals)
	st.pathVals = st.pathVals[:0]
	clear(st.query)
	st.query = st.query[:0]
	st.parsedQ = false
	clear(st.scratch)
	st.scratch = st.scratch[:0]
	if cap(st.query) > maxPooledItems || cap(st.scratch) > maxPooledItems {
		st.query, st.scratch = nil, nil // a hostile query grew them; let it go
	}
	st.errs.Reset()
	st.path.Reset()
	if st.buf.Cap() > maxPooledBuffer {
		st.buf = bytes.Buffer{}
	}
	st.buf.Reset()
	st.body = limitedBody{}
	st.handled = false
	st.format = 0
	if len(st.depIns) > 0 || len(st.cleanups) > 0 {
		clear(st.depIns)
		clear(st.depVals)
		clear(st.cleanups)
		clear(st.depOverrides)
		st.depIns, st.depVals, st.depActive, st.cleanups = st.depIns[:0], st.depVals[:0], st.depActive[:0], st.cleanups[:0]
		st.depOverrides = st.depOverrides[:0]
	}
	statePool.Put(st)
}

// loadPathValues copies the matched wildcard values, unescaping them when
// the router matched the escaped path. It reports false for an invalid
// escape.
func (st *state) loadPathValues(escaped bool) bool {
	for i := range st.params.Len() {
		v := st.params.Value(i)
		if escaped && strings.IndexByte(v, '%') >= 0 {
			u, err := url.PathUnescape(v)
			if err != nil {
				return false
			}
			v = u
		}
		st.pathVals = append(st.pathVals, v)
	}
	return true
}

// parseQuery splits the raw query into pairs once per request. Keys and
// values are unescaped only when they contain an escape, so a plain query
// allocates nothing after warm-up. It reports false for a bad escape.
func (st *state) parseQuery(raw string) bool {
	st.parsedQ = true
	for raw != "" {
		var kv string
		kv, raw, _ = strings.Cut(raw, "&")
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		k, err1 := url.QueryUnescape(k)
		v, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return false
		}
		st.query = append(st.query, queryPair{k, v})
	}
	return true
}

// paramValues returns the values p has in r, by where it comes from, in
// the order sent; query and cookie values are in st.scratch, valid until
// the next call. It reports false only for a query string that cannot be
// parsed at all.
func (st *state) paramValues(r *http.Request, p *param) ([]string, bool) {
	switch p.In {
	case bind.Path:
		return st.pathVals[p.pathIndex : p.pathIndex+1], true
	case bind.Query:
		if !st.parsedQ && !st.parseQuery(r.URL.RawQuery) {
			return nil, false
		}
		return st.queryValues(p.Name), true
	case bind.Header:
		return r.Header[p.Key], true
	case bind.Cookie:
		st.scratch = st.scratch[:0]
		for _, c := range r.CookiesNamed(p.Name) {
			st.scratch = append(st.scratch, c.Value)
		}
		return st.scratch, true
	}
	return nil, true
}

// queryValues returns the values of key in order, in st.scratch.
func (st *state) queryValues(key string) []string {
	st.scratch = st.scratch[:0]
	for _, p := range st.query {
		if p.key == key {
			st.scratch = append(st.scratch, p.value)
		}
	}
	return st.scratch
}
