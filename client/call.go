package client

import (
	"context"
	"errors"
	"fmt"
	"reflect"
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
// (application/x-www-form-urlencoded, or multipart/form-data with its
// files) field. A parameter is sent unless
// it is a nil pointer or slice, or, not being required, holds its zero
// value; see the package documentation. A value no request can carry
// unchanged fails the call with an error wrapping [ErrInvalid], before
// anything is sent.
//
// A 2xx response is decoded into the output: its body (JSON, raw for a
// Body of a declared contentType, the open body for an io.Reader or a
// roux.File, which the caller closes), and for an envelope its header
// fields and its Status field. Event streams and WebSocket sessions are
// called with [Events] and [Dial]. Any other status is returned as a
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
	if p.Response.Kind == plan.Custom && p.Response.HasBody && !isFile(p) {
		return unsupported(p)
	}
	r, err := c.encodeInput(cfg, p, in)
	if err != nil {
		return err
	}
	if r.upload != nil {
		defer r.upload.finish()
	}
	resp, err := c.send(ctx, cfg, p, r)
	if err != nil {
		return err
	}
	if p.Response.Kind == plan.Custom {
		return c.decodeFile(ctx, cfg, p, r, resp, out)
	}
	return decodeResponse(p, resp, out)
}

// encodeInput encodes the input at in and, when cfg asks, validates it.
func (c *Client) encodeInput(cfg *config, p *plan.Operation, in unsafe.Pointer) (*request, error) {
	r, err := encode(p, in)
	if err != nil {
		return nil, &inputError{id: p.ID, err: err}
	}
	if cfg.validate {
		if err := p.Validate(in, r.sent); err != nil {
			r.upload.finish()
			var pe *roux.Error
			if errors.As(err, &pe) {
				return nil, pe.Wrap(ErrInvalid)
			}
			return nil, err
		}
	}
	return r, nil
}

// unsupported is the error of a call to an operation whose response body
// Call cannot read.
func unsupported(p *plan.Operation) error {
	how := "call it with an http.Client"
	switch {
	case bodyIs(p, ssePkg, "Stream"):
		how = "read it with client.Events"
	case bodyIs(p, wsPkg, "Session"):
		how = "open it with client.Dial"
	}
	return fmt.Errorf("%w: %s %s (%s) answers with %v, which writes the response itself; %s", ErrUnsupported, p.Method, p.Pattern, p.ID, p.Response.BodyType, how)
}

// start prepares a call of op other than Call's — a stream, a session —
// whose output body must be want, or a pointer to one: it returns op's
// plan, the configuration with opts and the input at in encoded.
func (c *Client) start(op any, in unsafe.Pointer, opts []Option, want reflect.Type) (*plan.Operation, *config, *request, error) {
	if c.baseErr != nil {
		return nil, nil, nil, c.baseErr
	}
	if op == nil || reflect.ValueOf(op).IsNil() {
		return nil, nil, nil, errors.New("client: a nil operation")
	}
	p, err := c.planOf(op)
	if err != nil {
		return nil, nil, nil, err
	}
	if t := p.Response.BodyType; !p.Response.HasBody || t != want && t != reflect.PointerTo(want) {
		return nil, nil, nil, fmt.Errorf("client: %s answers with %v, not %v", p.ID, t, want)
	}
	cfg := c.cfg
	for _, o := range opts {
		o.apply(&cfg)
	}
	r, err := c.encodeInput(&cfg, p, in)
	if err != nil {
		return nil, nil, nil, err
	}
	return p, &cfg, r, nil
}

// bodyIs reports whether p's output body is (a pointer to) an
// instance of the generic type pkg.name.
func bodyIs(p *plan.Operation, pkg, name string) bool {
	t := p.Response.BodyType
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.PkgPath() == pkg && strings.HasPrefix(t.Name(), name+"[")
}

// inputError is an input that cannot be sent; it wraps [ErrInvalid].
type inputError struct {
	id  string
	err error
}

func (e *inputError) Error() string        { return "client: " + e.id + ": invalid input: " + e.err.Error() }
func (e *inputError) Unwrap() error        { return e.err }
func (e *inputError) Is(target error) bool { return target == ErrInvalid }
