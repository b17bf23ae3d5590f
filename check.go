package roux

// This file holds the response check: with [Config.CheckResponses] (or
// the environment variable ROUX_CHECK_RESPONSES=1) every response an
// operation sends is checked against the operation's published
// description — its status is documented, the headers documented as
// required are present, and a JSON body satisfies its schema — and a
// response that breaks the contract is replaced by a 500 problem of type
// [ResponseViolationType] naming the operation, the status and, for the
// body, the JSON pointer. It is a development and test aid, off by
// default: with it off, the request path does not look at it beyond one
// branch.
//
// The body is checked as a typed value, before it is encoded, by the
// validators compiled from the published schema (the same that check
// request bodies); the status and headers are checked as the response
// starts, which also covers what the operation's own middleware sends.

import (
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"unsafe"

	"github.com/roux-go/roux/internal/verr"
)

// ResponseViolationType is the problem type of the 500 that replaces a
// response breaking its operation's description when responses are
// checked ([Config.CheckResponses]). Its extension members name the
// "operation", the "responseStatus" it tried to send and, for a body, the failing
// "errors".
const ResponseViolationType = "urn:roux:problem:response-violation"

// checkEnv names the environment variable that turns the response check
// on for every API of the process (a test suite: ROUX_CHECK_RESPONSES=1
// go test ./...).
const checkEnv = "ROUX_CHECK_RESPONSES"

func checkingFromEnv() bool { return os.Getenv(checkEnv) == "1" }

// documented returns the operation's published response for status: the
// exact one, its range ("4XX") or "default".
func (op *operation) documented(status int) bool {
	rs := op.doc.Responses
	code := strconv.Itoa(status)
	if _, ok := rs[code]; ok {
		return true
	}
	if _, ok := rs[code[:1]+"XX"]; ok {
		return true
	}
	_, ok := rs["default"]
	return ok
}

// checkHead checks a response's status and headers as it starts; it
// returns what is wrong, or "".
func (op *operation) checkHead(status int, h http.Header) string {
	if status < 200 {
		return "" // informational
	}
	if !op.documented(status) {
		return fmt.Sprintf("operation %s answered %d, which its description does not list", op.id, status)
	}
	if r := op.doc.Responses[strconv.Itoa(status)]; r != nil {
		for name, hd := range r.Headers {
			if hd.Required && len(h.Values(name)) == 0 {
				return fmt.Sprintf("operation %s answered %d without the header %s, which its description requires", op.id, status, name)
			}
		}
	}
	return ""
}

// checkBody validates the JSON body at body (a value of the output's body
// type) against the published schema; it returns the failures, or nil.
func (op *operation) checkBody(body unsafe.Pointer) *verr.List {
	v := op.resp.checker
	if v == nil {
		return nil
	}
	var path verr.Path
	var errs verr.List
	path.SetBody()
	v.Validate(body, &path, &errs)
	if errs.Len() == 0 {
		return nil
	}
	return &errs
}

// violation writes the 500 that replaces a response breaking the
// contract, and logs it.
func (op *operation) violation(w http.ResponseWriter, r *http.Request, status int, detail string, errs *verr.List) {
	e := &Error{Status: http.StatusInternalServerError, Type: ResponseViolationType, Title: "Response violates the API description",
		Detail: detail, Extensions: map[string]any{"operation": op.id, "responseStatus": status}}
	attrs := []slog.Attr{attrOp(op.id), slog.Int("status", status), slog.String("detail", detail)}
	if errs != nil {
		e.Errors = validationError(errs).Errors
		for _, d := range e.Errors {
			if d.Pointer != nil {
				attrs = append(attrs, slog.String(*d.Pointer, d.Detail))
			}
		}
	}
	op.api.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "roux: response violates the API description", attrs...)
	h := w.Header()
	for k := range h {
		delete(h, k)
	}
	h[headerNosniff] = nosniff // as on every response of the API
	op.api.writeProblem(w, r, e)
}

// checkWriter checks the status and headers of a response as it starts,
// and replaces a violating one.
type checkWriter struct {
	http.ResponseWriter
	op       *operation
	r        *http.Request
	started  bool
	replaced bool // a violation was answered: the rest is dropped
}

func (c *checkWriter) WriteHeader(status int) {
	if c.started {
		c.ResponseWriter.WriteHeader(status)
		return
	}
	if status >= 200 {
		c.started = true
	}
	if msg := c.op.checkHead(status, c.Header()); msg != "" {
		c.replaced = true
		c.op.violation(c.ResponseWriter, c.r, status, msg, nil)
		return
	}
	c.ResponseWriter.WriteHeader(status)
}

func (c *checkWriter) Write(b []byte) (int, error) {
	if !c.started {
		c.WriteHeader(http.StatusOK)
	}
	if c.replaced {
		return len(b), nil
	}
	return c.ResponseWriter.Write(b)
}

// Flush sends buffered data, for streams.
func (c *checkWriter) Flush() {
	if !c.started {
		c.WriteHeader(http.StatusOK)
	}
	if f, ok := c.ResponseWriter.(http.Flusher); ok && !c.replaced {
		f.Flush()
	}
}

// Unwrap returns the writer it wraps, for http.ResponseController and
// for hijacking (a WebSocket upgrade finds the connection through it; a
// 101 is informational and never checked).
func (c *checkWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
