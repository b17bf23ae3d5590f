package roux

// This file hands what registration compiled to the typed client
// (package client) through internal/plan, so the client encodes requests
// by the very binders the server decodes them with, and validates with
// the very validators, without any of it becoming roux's public API.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"slices"
	"unsafe"

	"github.com/roux-go/roux/internal/plan"
	"github.com/roux-go/roux/internal/verr"
)

// clientPlanOf builds the client's plan of the declaration o: it
// compiles o as a server would, in an API of its own with the default
// configuration, and keeps what the client needs. The handler is never
// called.
func clientPlanOf[In, Out any](o *Operation[In, Out]) (*plan.Operation, error) {
	a := New(Config{OpenAPIPath: "-", Logger: slog.New(slog.DiscardHandler)})
	spec := typeSpec(func(context.Context, *In) (*Out, error) { return nil, errors.New("roux: a client plan's handler") })
	op, err := a.compile(o.method, o.pattern, o.site, spec, append(slices.Clone(o.opts), OperationID(o.id)))
	if err != nil {
		return nil, fmt.Errorf("%s %s (declared at %s): %w", o.method, o.pattern, o.site, err)
	}
	return op.clientPlan()
}

// clientPlan returns the client's view of op.
func (op *operation) clientPlan() (*plan.Operation, error) {
	p := &plan.Operation{
		ID: op.id, Method: op.method, Pattern: op.pattern,
		In:          op.spec.in,
		Out:         op.spec.out,
		JSONOptions: jsonOptions,
		Validate:    op.clientValidate,
	}
	var err error
	if p.Params, err = clientParams(op.params); err != nil {
		return nil, err
	}
	if op.body != nil {
		p.Body = &plan.Body{Offset: op.body.offset, Type: op.body.typ}
	}
	if op.form != nil {
		p.Form = &plan.Form{Offset: op.form.offset, Content: uploadContent}
		for _, f := range op.form.files {
			p.Form.Files = append(p.Form.Files, plan.File{Name: f.name, Offset: f.offset, Many: f.many})
		}
		if p.Form.Params, err = clientParams(op.form.params); err != nil {
			return nil, err
		}
	}
	r := &op.resp
	p.Response = plan.Response{
		Status: r.status, Envelope: r.envelope, HasBody: r.hasBody,
		BodyOffset: r.bodyOff, BodyType: r.bodyType, Kind: planKinds[r.kind],
		ContentType: r.contentType, StatusAt: r.statusAt,
	}
	for _, h := range r.headers {
		p.Response.Headers = append(p.Response.Headers, plan.Header{Name: h.name, Offset: h.offset, Type: outFieldAt(p.Out, h.offset, h.name)})
	}
	return p, nil
}

// planKinds maps the response's body kinds to the plan's.
var planKinds = [...]plan.BodyKind{
	bodyJSON: plan.JSON, bodyCustom: plan.Custom, bodyReader: plan.Reader, bodyBytes: plan.Bytes, bodyString: plan.String,
}

func clientParams(params []param) ([]plan.Param, error) {
	out := make([]plan.Param, 0, len(params))
	for i := range params {
		enc, err := params[i].Encoder()
		if err != nil {
			return nil, err
		}
		out = append(out, plan.Param{Param: params[i].Param, Encoder: enc})
	}
	return out, nil
}

// outFieldAt returns the type of the header field of t at offset.
func outFieldAt(t reflect.Type, offset uintptr, name string) reflect.Type {
	for i := range t.NumField() {
		if f := t.Field(i); f.Offset == offset && http.CanonicalHeaderKey(f.Tag.Get("header")) == name {
			return f.Type
		}
	}
	return nil // unreachable: compileOutput found the field
}

// clientValidate validates an input before the client sends it, as serve
// does after binding: each sent parameter, each missing required one, and
// the body. sent covers op.params, then the form's.
func (op *operation) clientValidate(in unsafe.Pointer, sent []bool) error {
	if len(sent) != len(op.params)+op.formLen() {
		return errors.New("roux: clientValidate: sent does not match the parameters")
	}
	var path verr.Path
	var errs verr.List
	check := func(params []param, base unsafe.Pointer, sent []bool) {
		for i := range params {
			p := &params[i]
			switch {
			case sent[i] && p.validator != nil:
				path.SetParam(p.Name, string(p.In))
				p.validator.Validate(fieldPtr(base, p.Offset), &path, &errs)
			case !sent[i] && p.Required:
				path.SetParam(p.Name, string(p.In))
				if p.In == "form" {
					errs.Report(&path, "required", fmt.Sprintf("required form field %q is missing", p.Name))
				} else {
					errs.Report(&path, "required", fmt.Sprintf("required %s parameter %q is missing", p.In, p.Name))
				}
			}
		}
	}
	check(op.params, in, sent)
	if op.form != nil {
		check(op.form.params, fieldPtr(in, op.form.offset), sent[len(op.params):])
	}
	if b := op.body; b != nil && b.validator != nil {
		path.SetBody()
		b.validator.Validate(fieldPtr(in, b.offset), &path, &errs)
	}
	runCustomValidators(op, in, &path, &errs)
	if errs.Len() == 0 {
		return nil
	}
	return validationError(&errs)
}

func (op *operation) formLen() int {
	if op.form == nil {
		return 0
	}
	return len(op.form.params)
}
