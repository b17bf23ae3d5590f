package roux

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"unsafe"

	"github.com/roux-go/roux/internal/bind"
)

// prepareDeps sets up the request's dependency state: which providers
// are overridden (read once: one may be set or removed while the request
// runs, and every step must agree) and which nodes run.
func (op *operation) prepareDeps(st *state) {
	nodes := op.deps.nodes
	for range nodes {
		st.depOverrides = append(st.depOverrides, nil)
		st.depIns = append(st.depIns, nil)
		st.depVals = append(st.depVals, nil)
	}
	for i, n := range nodes {
		st.depOverrides[i] = n.slot.override.Load()
	}
	st.depActive = op.activeDeps(st, st.depActive[:0])
}

// bindDeps allocates the input of every dependency the request needs and
// binds its parameters; failures join the operation's in st.errs. Nodes
// bound already (the security schemes, by authenticate) are skipped.
func (op *operation) bindDeps(r *http.Request, st *state) bool {
	for i, n := range op.deps.nodes {
		if !st.depActive[i] || st.depOverrides[i] != nil || st.depIns[i] != nil {
			continue
		}
		in := n.def.newIn()
		st.depIns[i] = in
		if !op.bindParams(r, st, n.params, in) {
			return false
		}
	}
	return true
}

// authenticate runs the operation's security schemes before anything
// else of the request is read: an anonymous or unauthorized request is
// answered 401 (or 403 for a missing scope) without its parameters being
// validated or its body read. Only the parameters the schemes read
// themselves are bound. When a body is still on its way, the answer
// closes the connection, so that net/http neither reads nor waits for
// it. It writes the problem and reports false when a scheme refuses.
func (op *operation) authenticate(w http.ResponseWriter, r *http.Request, st *state) bool {
	if op.crossOrigin {
		// A cookie is sent by the browser whatever page asks: an unsafe
		// request from another origin's page is refused (CSRF).
		if err := op.api.csrf.Check(r); err != nil {
			refuseEarly(w, r)
			op.api.writeProblem(w, r, NewError(http.StatusForbidden, "a cross-origin request to an operation secured by a cookie is refused"))
			return false
		}
	}
	for _, i := range op.secNodes {
		if !st.depActive[i] {
			continue
		}
		if st.depOverrides[i] == nil {
			n := op.deps.nodes[i]
			st.depIns[i] = n.def.newIn()
			if detail := st.bindCredentials(r, n.params, st.depIns[i]); detail != "" {
				refuseEarly(w, r)
				op.api.writeProblem(w, r, &Error{Status: http.StatusBadRequest, Detail: detail})
				return false
			}
		}
		if err := op.resolveDep(r.Context(), st, i); err != nil {
			refuseEarly(w, r)
			op.api.handlerError(w, r, op, fmt.Errorf("dependency %s: %w", op.deps.nodes[i].def.name, err))
			return false
		}
	}
	if e := op.scopeProblem(st); e != nil {
		refuseEarly(w, r)
		op.api.writeProblem(w, r, e)
		return false
	}
	return true
}

// refuseEarly marks the answer to a request refused before its body was
// read: the connection closes after it, unless there is no body.
func refuseEarly(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength != 0 && r.Body != nil && r.Body != http.NoBody {
		w.Header().Set("Connection", "close")
	}
}

// activeDeps reports which nodes this request runs. Without overrides
// that is all of them; an overridden node does not need what its own
// provider depends on, unless something else does.
func (op *operation) activeDeps(st *state, active []bool) []bool {
	nodes := op.deps.nodes
	for range nodes {
		active = append(active, true)
	}
	if op.api.deps.overridden.Load() == 0 {
		return active
	}
	for i, n := range nodes {
		active[i] = n.needed
	}
	for i := len(nodes) - 1; i >= 0; i-- { // a node's dependencies come before it
		n := nodes[i]
		if !active[i] || st.depOverrides[i] != nil {
			continue
		}
		for _, f := range n.fields {
			active[f.node] = true
		}
	}
	return active
}

// resolveDeps calls each needed provider once, in order, and fills the
// operation's input. It writes the problem and reports false when a
// provider fails.
func (op *operation) resolveDeps(w http.ResponseWriter, r *http.Request, st *state, in unsafe.Pointer) bool {
	ctx := r.Context()
	for i, n := range op.deps.nodes {
		if !st.depActive[i] || st.depVals[i] != nil {
			continue
		}
		if err := op.resolveDep(ctx, st, i); err != nil {
			op.api.handlerError(w, r, op, fmt.Errorf("dependency %s: %w", n.def.name, err))
			return false
		}
	}
	for _, f := range op.deps.fields {
		op.deps.nodes[f.node].def.assign(unsafe.Add(in, f.offset), st.depVals[f.node])
	}
	return true
}

// resolveDep calls the provider of node i (or its override) and keeps its
// value in st.depVals[i].
func (op *operation) resolveDep(ctx context.Context, st *state, i int) error {
	n := op.deps.nodes[i]
	var val unsafe.Pointer
	var err error
	if o := st.depOverrides[i]; o != nil {
		val, err = (*o)(ctx)
	} else {
		for _, f := range n.fields {
			op.deps.nodes[f.node].def.assign(unsafe.Add(st.depIns[i], f.offset), st.depVals[f.node])
		}
		var cleanup func()
		val, cleanup, err = n.def.call(ctx, st.depIns[i])
		if cleanup != nil {
			st.cleanups = append(st.cleanups, cleanup)
		}
	}
	if err != nil {
		return err
	}
	st.depVals[i] = val
	return nil
}

// runCleanups runs the cleanups of the request's providers in reverse
// order. A panicking cleanup is logged; the others still run.
func (op *operation) runCleanups(r *http.Request, st *state) {
	for i := len(st.cleanups) - 1; i >= 0; i-- {
		func() {
			defer func() {
				if v := recover(); v != nil {
					op.api.cfg.Logger.LogAttrs(context.WithoutCancel(r.Context()), slog.LevelError, "roux: dependency cleanup panicked",
						attrOp(op.id), slog.Any("panic", v), slog.String("stack", stack()))
				}
			}()
			st.cleanups[i]()
		}()
	}
}

// bindCredentials binds the parameters of a security scheme into the
// struct at in, reading each once. It returns the detail of a 400 for a
// request that cannot be bound, or "": one that sends a parameter more
// than once is ambiguous (a proxy in front may have checked one copy,
// and the scheme would read another), so neither copy is taken, and one
// whose query string cannot be parsed has none to take.
func (st *state) bindCredentials(r *http.Request, params []param, in unsafe.Pointer) string {
	for i := range params {
		p := &params[i]
		vals, ok := st.paramValues(r, p)
		if !ok {
			return "the query string has an invalid percent-encoding"
		}
		if n := len(vals); n > 1 {
			what := " headers"
			switch p.In {
			case bind.Query:
				what = " query parameters"
			case bind.Cookie:
				what = " cookies"
			}
			return "send the credentials once, not in " + strconv.Itoa(n) + " " + p.Name + what
		}
		st.bindParam(p, vals, in)
	}
	return ""
}
