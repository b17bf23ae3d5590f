package client

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unsafe"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/internal/plan"
)

// Call calls op, an operation's declaration (made by roux.NewOperation,
// or returned by a registration function such as roux.Get), with input
// in (nil is the zero input), and returns its output.
//
// The request is built from in by the tags the server binds with:
// path, query, header and cookie fields, and the Body (JSON) or Form
// (application/x-www-form-urlencoded) field. A parameter is sent unless
// it is a nil pointer or slice, or, not being required, holds its zero
// value; see the package documentation. A value no request can carry
// unchanged fails the call with an error wrapping [ErrInvalid], before
// anything is sent.
//
// A 2xx response is decoded into the output: its body (JSON, or raw for
// a Body of a declared contentType), and for an envelope its header
// fields and its Status field. Any other status is returned as a
// *roux.Error with the response's status and, when the server sent a
// problem, its title, detail, errors and extensions; use errors.As. A
// transport error, context cancellation and deadlines included, is
// returned as net/http reports it (errors.Is(err, context.Canceled)
// works).
//
// The request carries ctx, so its cancellation and deadline end the call
// and a tracing transport sees its trace. opts apply to this call only,
// after the client's.
func Call[In, Out any](ctx context.Context, c *Client, op *roux.Operation[In, Out], in *In, opts ...Option) (*Out, error) {
	if c.baseErr != nil {
		return nil, c.baseErr
	}
	if op == nil {
		return nil, errors.New("client: Call of a nil operation")
	}
	p, err := c.planOf(op)
	if err != nil {
		return nil, err
	}
	cfg := &c.cfg
	if len(opts) > 0 {
		cp := c.cfg
		for _, o := range opts {
			o.apply(&cp)
		}
		cfg = &cp
	}
	if in == nil {
		in = new(In)
	}
	out := new(Out)
	if err := c.call(ctx, cfg, p, unsafe.Pointer(in), unsafe.Pointer(out)); err != nil {
		return nil, err
	}
	return out, nil
}

// call encodes the input at in, sends it (with retries when configured)
// and decodes the response into the output at out.
func (c *Client) call(ctx context.Context, cfg *config, p *plan.Operation, in, out unsafe.Pointer) error {
	if p.Response.Kind == plan.Custom && p.Response.HasBody {
		return fmt.Errorf("%w: %s %s (%s) answers with %v, which writes the response itself (a stream or a socket); call it with an http.Client", ErrUnsupported, p.Method, p.Pattern, p.ID, p.Response.BodyType)
	}
	if p.Form != nil && len(p.Form.Files) > 0 {
		return fmt.Errorf("%w: %s %s (%s) takes file uploads (%s), which the typed client does not send yet; build the multipart/form-data request with mime/multipart", ErrUnsupported, p.Method, p.Pattern, p.ID, strings.Join(p.Form.Files, ", "))
	}
	r, err := encode(p, in)
	if err != nil {
		return &inputError{id: p.ID, err: err}
	}
	if cfg.validate {
		if err := p.Validate(in, r.sent); err != nil {
			var pe *roux.Error
			if errors.As(err, &pe) {
				return pe.Wrap(ErrInvalid)
			}
			return err
		}
	}
	resp, err := c.send(ctx, cfg, p, r)
	if err != nil {
		return err
	}
	return decodeResponse(p, resp, out)
}

// inputError is an input that cannot be sent; it wraps [ErrInvalid].
type inputError struct {
	id  string
	err error
}

func (e *inputError) Error() string        { return "client: " + e.id + ": invalid input: " + e.err.Error() }
func (e *inputError) Unwrap() error        { return e.err }
func (e *inputError) Is(target error) bool { return target == ErrInvalid }
