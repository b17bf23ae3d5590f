package roux

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/roux-go/roux/internal/verr"
)

// Error is an RFC 9457 problem: the error a handler returns to choose the
// status and the detail a client sees, and the error roux itself produces
// for every request it rejects. It is published as
// application/problem+json.
//
// Every exported field reaches the client. The wrapped error (see
// [Error.Unwrap]) never does; it is for logs and errors.Is/As.
type Error struct {
	// Type is a URI reference identifying the problem type; "" is
	// published as "about:blank".
	Type string `json:"type"`
	// Title is a short summary of the problem type; it defaults to the
	// status text.
	Title string `json:"title"`
	// Status is the HTTP status code.
	Status int `json:"status"`
	// Detail explains this occurrence of the problem.
	Detail string `json:"detail,omitempty"`
	// Instance is a URI reference identifying this occurrence.
	Instance string `json:"instance,omitempty"`
	// Errors lists the individual failures of a request: every invalid
	// parameter and body member. Problems roux builds list at most 100;
	// the number of the others is then the extension member
	// "omittedErrors".
	Errors []ErrorDetail `json:"errors,omitempty"`
	// Extensions are published as additional members of the problem.
	Extensions map[string]any `json:"-"`

	err     error
	headers http.Header
}

// ErrorDetail is one failure of one value in a request, shaped like the
// members of the "errors" array in RFC 9457's own example. In the details
// roux writes, what is repeated of the request — a member or parameter
// name, a pointer, a value — is at most 100 bytes long (a longer name is
// cut and ends with "…"; a longer value is not echoed), however large the
// request.
type ErrorDetail struct {
	// Detail is a sentence describing the failure.
	Detail string `json:"detail"`
	// Pointer is the RFC 6901 JSON Pointer of the failing body member
	// ("" for the whole body); set only for body failures.
	Pointer *string `json:"pointer,omitempty"`
	// Parameter and In name the failing path, query, header or cookie
	// parameter; set only for parameter failures.
	Parameter string `json:"parameter,omitempty"`
	In        string `json:"in,omitempty"`
	// Code is the failing JSON Schema keyword, such as "minimum",
	// "required" or "type".
	Code string `json:"code"`
	// Value is the offending value, present only where it is safe to echo.
	Value any `json:"value,omitempty"`
}

// NewError returns an *Error with the given status and detail.
func NewError(status int, detail string) *Error {
	return &Error{Status: status, Detail: detail}
}

// Errorf returns an *Error with the given status and a detail formatted
// with fmt.Errorf. The whole formatted text is sent to the client,
// including the text of any %w operand; errors wrapped with %w are also
// kept for errors.Is and errors.As. To keep a cause out of the response,
// use [Error.Wrap].
func Errorf(status int, format string, args ...any) *Error {
	wrapped := fmt.Errorf(format, args...)
	e := &Error{Status: status, Detail: wrapped.Error()}
	if _, ok := wrapped.(interface{ Unwrap() error }); ok {
		e.err = wrapped
	} else if _, ok := wrapped.(interface{ Unwrap() []error }); ok {
		e.err = wrapped
	}
	return e
}

// Wrap returns e after recording err as its cause: kept for logs and
// errors.Is/As, never sent to the client.
func (e *Error) Wrap(err error) *Error {
	e.err = err
	return e
}

// Error returns "roux: <status> <title>: <detail>".
func (e *Error) Error() string {
	s := fmt.Sprintf("roux: %d %s", e.Status, e.title())
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns the cause recorded by [Error.Wrap] or wrapped with %w by
// [Errorf], if any.
func (e *Error) Unwrap() error { return e.err }

// WithHeader returns e after arranging for header key to be sent with
// the problem response (for example WWW-Authenticate or Retry-After).
func (e *Error) WithHeader(key, value string) *Error {
	if e.headers == nil {
		e.headers = http.Header{}
	}
	e.headers.Add(key, value)
	return e
}

func (e *Error) title() string {
	if e.Title != "" {
		return e.Title
	}
	return http.StatusText(e.Status)
}

func validationError(list *verr.List) *Error {
	e := &Error{
		Status: http.StatusUnprocessableEntity,
		Detail: "the request has invalid values; see errors",
		Errors: make([]ErrorDetail, len(list.Items)),
	}
	for i, it := range list.Items {
		d := ErrorDetail{Detail: it.Detail, Parameter: it.Parameter, In: it.In, Code: it.Code}
		switch it.In {
		case "":
			p := it.Pointer
			d.Pointer = &p
		case "form": // a form field is a member of the body
			p := "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(it.Parameter)
			d.Pointer, d.Parameter, d.In = &p, "", ""
		}
		// Header and cookie values are never echoed: they carry
		// credentials more often than not.
		if it.HasValue && it.In != "header" && it.In != "cookie" {
			d.Value = it.Value
		}
		e.Errors[i] = d
	}
	if list.Dropped > 0 {
		e.Detail = fmt.Sprintf("the request has invalid values; errors lists the first %d of %d", len(list.Items), list.Len())
		e.Extensions = map[string]any{"omittedErrors": list.Dropped}
	}
	if list.Len() == 1 {
		e.Detail = list.Items[0].Detail
		if it := list.Items[0]; it.In == "form" {
			e.Detail = fmt.Sprintf("form field %q: %s", it.Parameter, it.Detail)
		} else if it.In != "" {
			e.Detail = fmt.Sprintf("%s parameter %q: %s", it.In, it.Parameter, it.Detail)
		} else if it.Pointer != "" {
			e.Detail = fmt.Sprintf("body member %s: %s", it.Pointer, it.Detail)
		}
	}
	return e
}

// echo quotes s, a piece of the request that a problem's detail repeats
// (a path, a header value), clipped to verr.MaxEcho bytes: a problem must
// not grow with what a client sends.
func echo(s string) string { return strconv.Quote(verr.Clip(s, verr.MaxEcho)) }
