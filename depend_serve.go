package roux

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"unsafe"
)

// bindDeps allocates the input of every dependency the request needs and
// binds its parameters; failures join the operation's in st.errs.
func (op *operation) bindDeps(r *http.Request, st *state) bool {
	nodes := op.deps.nodes
	// Overrides are read once: one may be set or removed while the request
	// runs, and every step must agree on which providers are overridden.
	for _, n := range nodes {
		st.depOverrides = append(st.depOverrides, n.slot.override.Load())
	}
	st.depActive = op.activeDeps(st, st.depActive[:0])
	for i, n := range nodes {
		st.depIns = append(st.depIns, nil)
		st.depVals = append(st.depVals, nil)
		if !st.depActive[i] || st.depOverrides[i] != nil {
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
		if !st.depActive[i] {
			continue
		}
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
			op.api.handlerError(w, r, op, fmt.Errorf("dependency %s: %w", n.def.name, err))
			return false
		}
		st.depVals[i] = val
	}
	for _, f := range op.deps.fields {
		op.deps.nodes[f.node].def.assign(unsafe.Add(in, f.offset), st.depVals[f.node])
	}
	return true
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
