package codec

import (
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/roux-go/roux/internal/verr"
)

// SyntaxError reports a body that is not one well-formed JSON value:
// malformed JSON, a duplicate member name, invalid UTF-8, data after the
// value, nesting deeper than 10000 levels, or an empty body. Its fields may
// be shown to the client.
type SyntaxError struct {
	Offset  int64  // byte offset in the body at or after which the error was found
	Pointer string // JSON Pointer of the value being read, where known ("" is the body)
	Msg     string // what is wrong, e.g. `duplicate member name "id"`
}

// Error returns "codec: " followed by [SyntaxError.Detail].
func (e *SyntaxError) Error() string { return "codec: " + e.Detail() }

// Detail describes the error for the client: the message, the offset and,
// where known, the pointer, without the package name that Error adds for
// logs.
func (e *SyntaxError) Detail() string {
	b := append([]byte(nil), e.Msg...)
	b = append(b, " at offset "...)
	b = strconv.AppendInt(b, e.Offset, 10)
	if e.Pointer != "" {
		b = append(b, " (in "...)
		b = strconv.AppendQuote(b, e.Pointer)
		b = append(b, ')')
	}
	return string(b)
}

// syntaxError converts an error from jsontext into the error Decode
// returns: a *SyntaxError for malformed input, the reader's error for a
// read error.
func syntaxError(err error) error {
	if err == io.EOF { // jsontext reports EOF only before the first token
		return &SyntaxError{Msg: "the body is empty"}
	}
	var se *jsontext.SyntacticError
	if !errors.As(err, &se) {
		// jsontext wraps read errors in an unexported type; hand back the
		// reader's own error.
		if inner := errors.Unwrap(err); inner != nil {
			return inner
		}
		return err
	}
	// The pointer and a member name are the client's: clipped, as every
	// failure clips them.
	e := &SyntaxError{Offset: se.ByteOffset, Pointer: verr.Clip(string(se.JSONPointer), verr.MaxEcho)}
	switch {
	case se.Err == io.ErrUnexpectedEOF:
		e.Msg = "unexpected end of JSON input"
	case se.Err == jsontext.ErrDuplicateName:
		e.Msg = "duplicate member name " + strconv.Quote(verr.Clip(se.JSONPointer.LastToken(), verr.MaxEcho))
	case se.Err != nil:
		e.Msg = verr.Clip(strings.TrimPrefix(se.Err.Error(), "jsontext: "), verr.MaxCause)
	default:
		e.Msg = "invalid JSON"
	}
	return e
}

// Failure codes: the JSON Schema keyword a value breaks.
const (
	codeType            = "type"
	codeRequired        = "required"
	codeAdditional      = "additionalProperties"
	codeMinimum         = "minimum"
	codeMaximum         = "maximum"
	codeMinItems        = "minItems"
	codeMaxItems        = "maxItems"
	codeFormat          = "format"
	codeContentEncoding = "contentEncoding"
	codePropertyNames   = "propertyNames"
)

// maxEcho is the size from which a value is not echoed in a failure.
const maxEcho = 100

// failNull reports a null where the schema does not admit it.
func (st *state) failNull() { st.errs.Report(st.path, codeType, "must not be null") }

// failKind reports value v of the wrong JSON kind; detail says the right
// one ("must be an integer").
func (st *state) failKind(v jsontext.Value, detail string) {
	st.fail(codeType, detail, v)
}

// fail reports a failure with code and detail for value v, echoing v if it
// is a short scalar.
func (st *state) fail(code, detail string, v jsontext.Value) {
	if val, ok := echo(v); ok && st.secret == 0 {
		st.errs.ReportValue(st.path, code, detail, val)
		return
	}
	st.errs.Report(st.path, code, detail)
}

// echo returns the Go value of scalar v if it may be echoed to a client:
// a boolean, a number (as a json.Number) or a string, under maxEcho bytes.
func echo(v jsontext.Value) (any, bool) {
	if len(v) == 0 || len(v) >= maxEcho {
		return nil, false
	}
	switch v.Kind() {
	case 't', 'f':
		return v[0] == 't', true
	case '0':
		return json.Number(v), true
	case '"':
		s, err := jsontext.AppendUnquote(nil, v)
		if err != nil {
			return nil, false
		}
		return string(s), true
	}
	return nil, false
}
