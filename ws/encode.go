package ws

import (
	"fmt"
	"reflect"
	"unsafe"

	"github.com/go-json-experiment/json"
)

// EncodeMessage encodes m as one message to a session's other side, which
// receives messages of type T, as [Conn.Send] encodes them, and checks it
// as that side's [Conn.Receive] will: decoded strictly and validated
// against the schema of T. A message it would refuse is not returned: the
// error is then the *[CloseError] that side would close the session with
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
	b, err := json.Marshal(m, jsonOptions)
	if err != nil {
		return nil, fmt.Errorf("ws: encoding a message: %w", err)
	}
	if reason := p.decode(b, unsafe.Pointer(new(T))); reason != "" {
		return nil, &CloseError{Code: StatusPolicyViolation, Reason: reason}
	}
	return b, nil
}
