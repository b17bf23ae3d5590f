package ws

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/go-json-experiment/json"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/internal/codec"
	"github.com/roux-go/roux/internal/rule"
	"github.com/roux-go/roux/internal/validate"
	"github.com/roux-go/roux/internal/verr"
	"github.com/roux-go/roux/internal/wire"
	"github.com/roux-go/roux/schema"
)

// plan decodes and validates the messages of one Go type, as roux decodes
// and validates request bodies: strictly (unknown and duplicate members
// refused), against the schema published for the type, then by the
// Validate methods of the type and of the types inside it
// (roux.Validator).
type plan struct {
	dec *codec.Decoder
	val *validate.Validator // nil when no value can fail
}

// plans caches a plan per message type. A type's schema, and so its plan,
// follows from the type alone, so one plan serves every API: the first
// to describe the type compiles it (at registration, against the schemas
// it publishes).
var plans sync.Map // reflect.Type → *plan

// compilePlan compiles the plan of t against reg, which must hold (or be
// given) the schema of t.
func compilePlan(t reflect.Type, reg *schema.Registry) (*plan, error) {
	s, err := reg.Schema(t)
	if err != nil {
		return nil, err
	}
	dec, err := codec.Compile(t, s, reg)
	if err != nil {
		return nil, err
	}
	comp := validate.NewCompiler(reg)
	comp.Custom = rule.For[roux.Checks] // the Validate methods, as roux runs them on bodies
	val, err := comp.Compile(t, s)
	if err != nil {
		return nil, err
	}
	return &plan{dec: dec, val: val}, nil
}

// planFor returns the cached plan of t, compiling it with reg on first
// use. A nil reg means a registry of its own: for a session that was never
// described, which roux always does at registration.
func planFor(t reflect.Type, reg *schema.Registry) (*plan, error) {
	if p, ok := plans.Load(t); ok {
		return p.(*plan), nil
	}
	if reg == nil {
		reg = schema.NewRegistry()
	}
	p, err := compilePlan(t, reg)
	if err != nil {
		return nil, err
	}
	actual, _ := plans.LoadOrStore(t, p)
	return actual.(*plan), nil
}

// receive decodes and validates one text message into the zero value at
// dst, as a session's Receive takes it. It returns nil when the message
// is good, and otherwise the close to end the session with: 1007
// (RFC 6455 §8.1) for text that is not UTF-8, 1008 with the reason of
// decode for a message that fails.
func (p *plan) receive(data []byte, dst unsafe.Pointer) *CloseError {
	if !utf8.Valid(data) {
		return &CloseError{Code: StatusInvalidFramePayloadData, Reason: "a text message is not valid UTF-8"}
	}
	if reason := p.decode(data, dst); reason != "" {
		return &CloseError{Code: StatusPolicyViolation, Reason: reason}
	}
	return nil
}

// decode decodes and validates one message into the zero value at dst.
// It returns "" when the value is good, and otherwise the reason to close
// with: the first failure, with the JSON Pointer of its member.
func (p *plan) decode(data []byte, dst unsafe.Pointer) string {
	var (
		path verr.Path
		errs verr.List
	)
	path.SetBody()
	if err := p.dec.Decode(bytes.NewReader(data), dst, &path, &errs); err != nil {
		var syn *codec.SyntaxError
		if !errors.As(err, &syn) {
			return "the message could not be read" // a bytes.Reader does not fail
		}
		reason := "invalid JSON: " + syn.Msg + " at offset " + strconv.FormatInt(syn.Offset, 10)
		if syn.Pointer != "" {
			reason += " (in " + syn.Pointer + ")"
		}
		return truncateReason(reason)
	}
	if errs.Len() == 0 && p.val != nil {
		p.val.Validate(dst, &path, &errs)
	}
	if len(errs.Items) == 0 {
		return ""
	}
	e := errs.Items[0]
	where := e.Pointer
	if where == "" {
		where = "message"
	}
	reason := fmt.Sprintf("%s: %s", where, e.Detail)
	if n := errs.Len(); n > 1 {
		reason += fmt.Sprintf(" (and %d more)", n-1)
	}
	return truncateReason(reason)
}

// checkEncodable reports a type the encoder refuses, at registration
// rather than on the first Send.
func checkEncodable(t reflect.Type) error {
	if err := json.MarshalWrite(io.Discard, reflect.New(t).Interface(), wire.JSON); err != nil {
		return fmt.Errorf("messages of type %v cannot be encoded as JSON: %w", t, err)
	}
	return nil
}
