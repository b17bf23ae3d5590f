package roux

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/go-json-experiment/json"

	"github.com/roux-go/roux/internal/codec"
	"github.com/roux-go/roux/internal/verr"
	"github.com/roux-go/roux/internal/wire"
)

// serve runs the operation for one request: check its credentials, bind
// every parameter, decode the body, validate everything, and only if
// nothing failed call the handler and write its output. Failures of all
// parameters and body members are reported together in one 422 problem.
func (op *operation) serve(w http.ResponseWriter, r *http.Request, st *state) {
	defer op.recoverPanic(w, r)
	in := op.spec.newIn()
	if op.tasksAt != 0 {
		tasks := new(Tasks)
		*(**Tasks)(unsafe.Add(in, op.tasksAt-1)) = tasks
		succeeded := false
		defer func() {
			if succeeded {
				op.runTasks(w, r, tasks)
			}
		}()
		defer func() { succeeded = st.handled }()
	}
	if len(op.deps.nodes) > 0 {
		op.prepareDeps(st)
		defer op.runCleanups(r, st)
		if len(op.secNodes) > 0 && !op.authenticate(w, r, st) {
			return
		}
	}
	if op.ifMatchRequired && strings.TrimSpace(r.Header.Get("If-Match")) == "" {
		refuseEarly(w, r)
		op.api.writeProblem(w, r, &Error{Status: http.StatusPreconditionRequired,
			Detail: "send If-Match with the entity tag you last read, so that changes made meanwhile are not overwritten"})
		return
	}
	ik, ok := op.idem.start(w, r, st) // Idempotency-Key, see idempotency.go
	if !ok {
		return
	}
	ok = op.bindParams(r, st, op.params, in)
	if ok && len(op.deps.nodes) > 0 {
		ok = op.bindDeps(r, st)
	}
	if !ok {
		op.api.writeProblem(w, r, &Error{Status: http.StatusBadRequest, Detail: "the query string has an invalid percent-encoding"})
		return
	}
	if op.body != nil {
		if perr := op.readBody(r, st, in); perr != nil {
			op.api.writeProblem(w, r, perr)
			return
		}
	} else if op.form != nil {
		files, perr := op.readForm(r, st, in)
		defer files.remove()
		if perr != nil {
			op.api.writeProblem(w, r, perr)
			return
		}
	}
	runCustomValidators(op, in, &st.path, &st.errs)
	if st.errs.Len() > 0 {
		op.api.writeProblem(w, r, validationError(&st.errs))
		return
	}
	if offers := op.resp.offers; offers != nil {
		f, ok := negotiate(r.Header["Accept"], offers)
		if !ok {
			op.api.writeProblem(w, r, notAcceptable(offers))
			return
		}
		st.format = f
	}
	if len(op.deps.nodes) > 0 && !op.resolveDeps(w, r, st, in) {
		return
	}
	if ik != nil {
		if w, r = ik.claim(w, r); w == nil {
			return // answered from the store, or refused
		}
		defer ik.finish(r)
	}
	var out unsafe.Pointer
	var err error
	if op.cpu != nil {
		out, err = op.invokeCPU(r.Context(), in)
	} else {
		out, err = op.spec.invoke(r.Context(), in)
	}
	if err != nil {
		op.api.handlerError(w, r, op, err)
		return
	}
	st.handled = op.writeOutput(w, r, st, out)
}

// serveFromPathValues is the handler behind an operation's middleware:
// the path values come back from r.PathValue.
func (op *operation) serveFromPathValues(w http.ResponseWriter, r *http.Request) {
	st := getState()
	for _, name := range op.paramNames {
		st.pathVals = append(st.pathVals, r.PathValue(name))
	}
	op.serve(w, r, st)
	putState(st)
}

// bindParams binds and validates params into the struct at in. It
// reports false only for a query string that cannot be parsed at all.
func (op *operation) bindParams(r *http.Request, st *state, params []param, in unsafe.Pointer) bool {
	for i := range params {
		p := &params[i]
		vals, ok := st.paramValues(r, p)
		if !ok {
			return false
		}
		st.bindParam(p, vals, in)
	}
	return true
}

// bindParam binds and validates the values of one parameter into the
// struct at in; failures go to st.errs.
func (st *state) bindParam(p *param, vals []string, in unsafe.Pointer) {
	// Bind reports whether the field holds a decoded or default value;
	// only then is there something to validate.
	if p.Bind(vals, in, &st.path, &st.errs) && p.validator != nil {
		st.path.SetParam(p.Name, string(p.In))
		p.validator.Validate(fieldPtr(in, p.Offset), &st.path, &st.errs)
	}
}

// readBody decodes and validates the request body. It returns a problem
// for what stops decoding (415, 413, 400); value failures go to st.errs.
func (op *operation) readBody(r *http.Request, st *state, in unsafe.Pointer) *Error {
	b := op.body
	if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
		if b.required {
			st.path.SetBody()
			st.errs.Report(&st.path, "required", "the request body is required")
		}
		return nil
	}
	if ct := r.Header.Get("Content-Type"); !b.accepts(ct) {
		return op.unsupportedMedia(ct)
	}
	if perr := contentCodingProblem(r); perr != nil {
		return perr
	}
	if r.ContentLength > b.limit {
		return tooLarge(b.limit)
	}
	st.body = limitedBody{r: r.Body, left: b.limit}
	st.path.SetBody()
	if err := b.decoder.Decode(&st.body, fieldPtr(in, b.offset), &st.path, &st.errs); err != nil {
		var syn *codec.SyntaxError
		switch {
		case err == errBodyTooLarge || isMaxBytes(err):
			return tooLarge(b.limit)
		case errors.As(err, &syn) && st.body.read == 0:
			// A chunked request without a single byte: no body at all.
			if b.required {
				st.errs.Report(&st.path, "required", "the request body is required")
			}
			return nil
		case syn != nil:
			return &Error{Status: http.StatusBadRequest, Detail: "the body is not valid JSON: " + syn.Detail()}
		default:
			return &Error{Status: http.StatusBadRequest, Detail: "the body could not be read", err: err}
		}
	}
	if b.validator != nil {
		decoded := len(st.errs.Items)
		st.path.SetBody()
		b.validator.Validate(fieldPtr(in, b.offset), &st.path, &st.errs)
		if decoded > 0 {
			dropRepeats(&st.errs, decoded)
		}
	}
	return nil
}

// contentCodingProblem is the 415 of a body sent with a content coding
// (RFC 9110 §15.5.16: one the server does not apply), or nil. Every
// Content-Encoding line counts, and every coding listed in each: only
// "identity", which changes nothing, is let through.
func contentCodingProblem(r *http.Request) *Error {
	for _, line := range r.Header["Content-Encoding"] {
		for c := range strings.SplitSeq(line, ",") {
			if c = strings.TrimSpace(c); c != "" && !strings.EqualFold(c, "identity") {
				sent := strings.Join(r.Header["Content-Encoding"], ", ")
				return (&Error{Status: http.StatusUnsupportedMediaType, Detail: "the body must not be sent with Content-Encoding " + echo(sent)}).
					WithHeader("Accept-Encoding", "identity")
			}
		}
	}
	return nil
}

// tooLarge is the 413 of a body over limit bytes.
func tooLarge(limit int64) *Error {
	return &Error{Status: http.StatusRequestEntityTooLarge, Detail: fmt.Sprintf("the body is larger than the limit of %d bytes", limit)}
}

// isMaxBytes reports a body cut off by http.MaxBytesReader (as
// middleware.BodyLimit does).
func isMaxBytes(err error) bool {
	var tooBig *http.MaxBytesError
	return errors.As(err, &tooBig)
}

// dropRepeats removes the validator's failures, from index from on, at
// places where decoding already failed: a value that did not decode holds
// its zero value, and "must be at least 1000" after "must be an integer"
// says nothing new.
func dropRepeats(errs *verr.List, from int) {
	decodeFailed := func(ptr string) bool {
		for _, e := range errs.Items[:from] {
			if e.Pointer == ptr {
				return true
			}
		}
		return false
	}
	kept := errs.Items[:from]
	for _, e := range errs.Items[from:] {
		if !decodeFailed(e.Pointer) {
			kept = append(kept, e)
		}
	}
	clear(errs.Items[len(kept):])
	errs.Items = kept
}

// isJSON reports whether a Content-Type is application/json or a +json
// type, parameters ignored. It does not allocate, unlike
// mime.ParseMediaType, which builds a map of the parameters.
func isJSON(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.TrimSpace(mt)
	typ, sub, ok := strings.Cut(mt, "/")
	if !ok || !strings.EqualFold(typ, "application") || strings.ContainsAny(sub, " /\t") {
		return false
	}
	return strings.EqualFold(sub, "json") || len(sub) > 5 && strings.EqualFold(sub[len(sub)-5:], "+json")
}

// errBodyTooLarge is returned by limitedBody past its limit.
var errBodyTooLarge = errors.New("roux: request body too large")

// limitedBody reads at most left bytes of r and then fails with
// errBodyTooLarge: http.MaxBytesReader without its allocation, kept in the
// pooled request state.
type limitedBody struct {
	r    io.Reader
	left int64
	read int64
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// One more byte tells "exactly at the limit" from "over it".
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			return 0, errBodyTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	l.read += int64(n)
	return n, err
}

// handlerError turns an error returned by a handler into a problem: an
// *Error is sent as it is; anything else is logged and sent as a 500 that
// says nothing about its cause.
func (a *API) handlerError(w http.ResponseWriter, r *http.Request, op *operation, err error) {
	var pe *Error
	if errors.As(err, &pe) {
		if pe.Status < 400 || pe.Status > 599 {
			a.internalError(w, r, fmt.Errorf("operation %s returned a problem with the invalid status %d: %w", op.id, pe.Status, err))
			return
		}
		if pe.Status == http.StatusInternalServerError {
			// Other statuses, 503 included, are the handler's deliberate answer.
			a.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "roux: operation failed", attrOp(op.id), attrErr(err))
		}
		a.writeProblem(w, r, pe)
		return
	}
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		abandoned()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		a.cfg.Logger.LogAttrs(r.Context(), slog.LevelWarn, "roux: operation timed out", attrOp(op.id), attrErr(err))
		a.writeProblem(w, r, &Error{Status: http.StatusServiceUnavailable, Detail: "the request took too long to handle"})
		return
	}
	a.internalError(w, r, fmt.Errorf("operation %s: %w", op.id, err))
}

// abandoned ends the response to a request whose client went away — its
// context ended, as net/http ends it when the connection reads EOF: it
// aborts the handler (http.ErrAbortHandler), so that net/http closes the
// connection (HTTP/1) or resets the stream (HTTP/2) with nothing sent.
// Returning with nothing written instead would make net/http finish the
// response as an empty 200, a status the operation may not declare, which
// a client that only half-closed its connection after its request reads.
func abandoned() {
	panic(http.ErrAbortHandler)
}

func (a *API) internalError(w http.ResponseWriter, r *http.Request, err error) {
	a.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "roux: internal error", attrErr(err), slog.String("method", r.Method), slog.String("path", r.URL.Path))
	a.writeProblem(w, r, &Error{Status: http.StatusInternalServerError, Detail: "the server failed to handle the request"})
}

// recoverPanic turns a handler panic into a logged 500. http.ErrAbortHandler
// is re-raised, as net/http expects.
func (op *operation) recoverPanic(w http.ResponseWriter, r *http.Request) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	op.api.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "roux: handler panicked", attrOp(op.id),
		slog.Any("panic", v), slog.String("stack", stack()))
	op.api.writeProblem(w, r, &Error{Status: http.StatusInternalServerError, Detail: "the server failed to handle the request"})
}

// writeProblem sends p as application/problem+json after the API's hook.
// The hook gets a copy: p may be a value the handler shares between
// requests.
func (a *API) writeProblem(w http.ResponseWriter, r *http.Request, p *Error) {
	c := *p
	c.Errors = slices.Clone(p.Errors)
	c.Extensions = maps.Clone(p.Extensions)
	c.headers = p.headers.Clone()
	if c.Status < 400 || c.Status > 599 {
		c.Status = http.StatusInternalServerError
	}
	if a.cfg.ProblemHook != nil {
		a.cfg.ProblemHook(r, &c)
	}
	body, err := marshalProblem(&c)
	if err != nil {
		a.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "roux: encoding a problem", attrErr(err))
		body = []byte(`{"type":"about:blank","title":"Internal Server Error","status":500}`)
		c = Error{Status: http.StatusInternalServerError}
	}
	h := w.Header()
	for k, vs := range c.headers {
		h[k] = vs
	}
	h.Set("Content-Type", "application/problem+json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Del("Content-Encoding")
	w.WriteHeader(c.Status)
	if _, err := w.Write(body); err != nil && !errors.Is(err, http.ErrBodyNotAllowed) {
		a.cfg.Logger.LogAttrs(r.Context(), slog.LevelDebug, "roux: writing a problem", attrErr(err))
	}
}

// problemMembers are the members of a problem that extensions cannot
// replace.
var problemMembers = map[string]bool{"type": true, "title": true, "status": true, "detail": true, "instance": true, "errors": true}

func marshalProblem(p *Error) ([]byte, error) {
	type problemWire Error // without its methods
	c := *p
	if c.Type == "" {
		c.Type = "about:blank"
	}
	c.Title = p.title()
	b, err := json.Marshal((*problemWire)(&c), wire.JSON)
	if err != nil || len(p.Extensions) == 0 {
		return b, err
	}
	ext := p.Extensions
	for k := range ext {
		if problemMembers[k] {
			ext = maps.Clone(p.Extensions)
			maps.DeleteFunc(ext, func(k string, _ any) bool { return problemMembers[k] })
			break
		}
	}
	extJSON, err := json.Marshal(ext, wire.JSON, json.Deterministic(true))
	if err != nil {
		return nil, err
	}
	if len(extJSON) > 2 {
		b = append(append(b[:len(b)-1], ','), extJSON[1:]...)
	}
	return b, nil
}

const slogDebug = slog.LevelDebug

func attrOp(id string) slog.Attr  { return slog.String("operation", id) }
func attrErr(err error) slog.Attr { return slog.String("error", err.Error()) }

// stack returns the calling goroutine's stack, for logs.
func stack() string {
	buf := make([]byte, 8<<10)
	return string(buf[:runtime.Stack(buf, false)])
}
