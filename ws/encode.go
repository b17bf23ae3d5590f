package ws

import (
	"fmt"
	"reflect"
	"unsafe"

	"github.com/go-json-experiment/json"
	"github.com/roux-go/roux/internal/wire"
)

// EncodeMessage encodes m as one message to a session's other side, which
// receives messages of type T, as [Conn.Send] encodes them, and checks it
// as that side's [Conn.Receive] will: decoded strictly and validated
// against the schema of T and by its Validate methods ([roux.Validator]).
// A message it would refuse is not returned: the error is then the
// *[CloseError] that side would close the session with
// ([StatusPolicyViolation] and a reason naming the first failure).
//
// It is for clients: package client's Dial sends every message through
// it, so that an invalid message fails there and the session goes on.
// The check decodes the message once more; the plan it uses is compiled
// on the first call for T and then shared.
func EncodeMessage[T any](m *T) ([]byte, error) {
	if m == nil {
		return nil, fmt.Errorf("ws: a nil %v message", reflect.TypeFor[T]())
	}
	p, err := planFor(reflect.TypeFor[T](), nil)
	if err != nil {
		return nil, fmt.Errorf("ws: messages of type %v: %w", reflect.TypeFor[T](), err)
	}
	b, err := json.Marshal(m, wire.JSON)
	if err != nil {
		return nil, fmt.Errorf("ws: encoding a message: %w", err)
	}
	if reason := p.decode(b, unsafe.Pointer(new(T))); reason != "" {
		return nil, &CloseError{Code: StatusPolicyViolation, Reason: reason}
	}
	return b, nil
}

// DecodeMessage decodes data, one text message from a session's other
// side, as a message of type T, as [Conn.Receive] does: strictly (unknown
// and duplicate members refused), validated against the schema of T and
// by its Validate methods ([roux.Validator]). A message it refuses is not
// returned: the error is then the *[CloseError] to close the session with
// ([StatusPolicyViolation] and a reason naming the first failure, or
// [StatusInvalidFramePayloadData] for text that is not UTF-8).
//
// It is for clients: package client's Dial reads every message through
// it, so that a client holds the server to the messages it declares, as
// the server holds the client. The plan it uses is compiled on the first
// call for T and then shared.
func DecodeMessage[T any](data []byte) (*T, error) {
	p, err := planFor(reflect.TypeFor[T](), nil)
	if err != nil {
		return nil, fmt.Errorf("ws: messages of type %v: %w", reflect.TypeFor[T](), err)
	}
	v := new(T)
	if ce := p.receive(data, unsafe.Pointer(v)); ce != nil {
		return nil, ce
	}
	return v, nil
}
