package roux

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"

	"github.com/roux-go/roux/openapi"
	"github.com/roux-go/roux/schema"
)

// ResponseBody is implemented by output bodies that write the response
// themselves instead of being encoded as JSON: event streams (package
// sse), WebSocket sessions (package ws), files ([File]) and readers.
//
// An output whose body type implements ResponseBody is served like any
// other: the input is bound and validated, and the handler runs and
// returns its problems, before anything is written. Then roux sets the
// envelope's headers and calls WriteResponse, which writes the status in
// rc.Status (or another it has reason to, such as 304), the headers it
// needs and the body. An error it returns is logged; by then the response
// has started, so a handler should find its failures before it returns
// the body. A panic in WriteResponse is logged with its stack and aborts
// the connection (the response may be half sent).
//
// The type's zero value describes the response in the OpenAPI document
// when the type also implements [BodyDescriber]; without it, the success
// response is documented without content.
type ResponseBody interface {
	WriteResponse(rc *ResponseContext) error
}

// BodyDescriber is implemented by [ResponseBody] types to describe their
// response in the OpenAPI document. DescribeBody is called at
// registration on the type's zero value.
type BodyDescriber interface {
	DescribeBody(d *BodyDoc) error
}

// BodyDoc is what a [BodyDescriber] fills in.
type BodyDoc struct {
	// Registry holds the API's component schemas: describe Go types with
	// Registry.Schema so that they are shared with the rest of the
	// document.
	Registry *schema.Registry
	// Operation is the operation being described; a describer may add
	// extensions ("x-...") to it.
	Operation *openapi.Operation
	// Response is the success response; set its Content.
	Response *openapi.Response
	// Status is the success status. A describer may change it: the
	// success response is then documented under the status it sets (a
	// WebSocket handshake documents 101 Switching Protocols, which no
	// operation can declare with [Status] since roux never sends it).
	Status int
	// ContentType is the media type declared for the body by the Body
	// field's contentType tag, or "".
	ContentType string
	// Problem is the schema of the problems roux sends, for error
	// responses the body adds.
	Problem *schema.Schema
}

// ResponseContext is what a [ResponseBody] writes with.
type ResponseContext struct {
	// W and R are the response and the request.
	W http.ResponseWriter
	R *http.Request
	// Status is the status to send: the operation's, or the envelope's
	// Status field when set.
	Status int
	// ContentType is the media type declared for the body by the Body
	// field's contentType tag, or "".
	ContentType string

	api *API
	op  *operation
}

// Logger returns the API's logger.
func (rc *ResponseContext) Logger() *slog.Logger { return rc.api.cfg.Logger }

// OperationID returns the operationId of the operation being served.
func (rc *ResponseContext) OperationID() string { return rc.op.id }

// Stopping returns a channel that is closed when the API starts to shut
// down ([API.Drain], which package cli calls first). Long-lived
// responses — event streams, WebSocket sessions — end when it is closed,
// so that a graceful shutdown does not wait for them until its deadline.
func (rc *ResponseContext) Stopping() <-chan struct{} { return rc.api.life.stopping() }

// WriteProblem sends err as a problem, as if the handler had returned it:
// an *[Error] as it is, anything else as a logged 500. It is for failures
// found before anything of the response has been written.
func (rc *ResponseContext) WriteProblem(err error) {
	rc.api.handlerError(rc.W, rc.R, rc.op, err)
}

var (
	responseBodyType  = reflect.TypeFor[ResponseBody]()
	bodyDescriberType = reflect.TypeFor[BodyDescriber]()
)

// writeResponseBody hands the response to a ResponseBody. body is the
// body value (an interface holding the Body field).
func (op *operation) writeResponseBody(w http.ResponseWriter, r *http.Request, status int, body ResponseBody) bool {
	if body == nil || reflect.ValueOf(body).Kind() == reflect.Pointer && reflect.ValueOf(body).IsNil() {
		op.api.internalError(w, r, errors.New("handler of "+op.id+" returned a nil response body"))
		return false
	}
	rc := &ResponseContext{W: w, R: r, Status: status, ContentType: op.resp.contentType, api: op.api, op: op}
	defer func() {
		// The response may have started: a problem cannot follow it, so a
		// panic is logged and the connection aborted, as net/http does.
		if v := recover(); v != nil {
			if v != http.ErrAbortHandler {
				op.api.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "roux: response body panicked", attrOp(op.id),
					slog.Any("panic", v), slog.String("stack", stack()))
			}
			panic(http.ErrAbortHandler)
		}
	}()
	if err := body.WriteResponse(rc); err != nil {
		level := slog.LevelError
		if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
			level = slog.LevelDebug // the client went away
		}
		op.api.cfg.Logger.LogAttrs(r.Context(), level, "roux: writing a response body", attrOp(op.id), attrErr(err))
	}
	return true
}

// describeResponseBody lets a ResponseBody type describe its response.
// It returns the status the success response is documented under.
func (op *operation) describeResponseBody(d *openapi.Operation, ok *openapi.Response) (int, error) {
	t := op.resp.bodyType
	var zero any
	switch {
	case t.Kind() == reflect.Pointer:
		zero = reflect.New(t.Elem()).Interface()
	case t.Kind() != reflect.Interface && reflect.PointerTo(t).Implements(bodyDescriberType):
		zero = reflect.New(t).Interface()
	default:
		zero = reflect.New(t).Elem().Interface()
	}
	bd, isDescriber := zero.(BodyDescriber)
	if !isDescriber {
		return op.resp.status, nil
	}
	doc := &BodyDoc{
		Registry: op.api.registry, Operation: d, Response: ok,
		Status: op.resp.status, ContentType: op.resp.contentType,
		Problem: op.api.problems.problem,
	}
	if err := bd.DescribeBody(doc); err != nil {
		return 0, err
	}
	if doc.Status < 100 || doc.Status > 599 {
		return 0, fmt.Errorf("DescribeBody set the invalid status %d", doc.Status)
	}
	return doc.Status, nil
}
