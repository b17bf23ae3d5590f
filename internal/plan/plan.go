// Package plan carries what package roux compiles for a declared
// operation to the typed client (package client), without adding to
// roux's public API: the route, each parameter's binder and encoder, the
// body and the response envelope.
//
// A *roux.Operation embeds a [Lazy] through an unexported alias, so its
// unexported method is in the declaration's method set but in nobody's
// documentation; [Of] reaches it. Package roux gives each Lazy the
// function that builds its plan ([Init]); nothing is set at init time.
//
// Everything here is read-only once built, and safe for concurrent use.
package plan

import (
	"fmt"
	"io"
	"reflect"
	"sync"
	"unsafe"

	"github.com/go-json-experiment/json"

	"github.com/roux-go/roux/internal/bind"
)

// Lazy builds a plan once, on first use.
type Lazy struct {
	once  sync.Once
	build func() (*Operation, error)
	p     *Operation
	err   error
}

// Init sets the function that builds l's plan. It is called once, when
// the declaration holding l is made, before l is shared.
func Init(l *Lazy, build func() (*Operation, error)) { l.build = build }

func (l *Lazy) plan() (*Operation, error) {
	l.once.Do(func() {
		if l.build == nil {
			l.err = fmt.Errorf("the operation was not made by roux.NewOperation or a registration function")
			return
		}
		l.p, l.err = l.build()
	})
	return l.p, l.err
}

// source is implemented by every *roux.Operation, through its Lazy.
type source interface{ plan() (*Operation, error) }

// Of returns the plan of op, a *roux.Operation[In, Out]: built on first
// use, then shared. It fails for an operation whose input or output
// cannot be compiled, or whose parameters cannot be encoded.
func Of(op any) (*Operation, error) {
	s, ok := op.(source)
	if !ok {
		return nil, fmt.Errorf("%T is not a roux operation", op)
	}
	return s.plan()
}

// Operation is the client's view of one registered operation.
type Operation struct {
	ID      string
	Method  string
	Pattern string // full pattern, group prefix included
	In, Out reflect.Type

	// Params are the operation's own parameters, in field order.
	// Parameters of dependencies are not here: they are not fields of
	// the input.
	Params []Param
	Body   *Body // nil when the input has no Body field
	Form   *Form // nil when the input has no Form field

	Response Response

	// JSONOptions are the options the server encodes responses with.
	JSONOptions json.Options

	// Validate runs the server's compiled validators over the input at
	// in, as the server would after binding: sent[i] reports whether
	// parameter i was sent, for Params followed by Form.Params. It
	// returns the server's 422 problem (a *roux.Error) or nil.
	Validate func(in unsafe.Pointer, sent []bool) error
}

// Param is one parameter (or form field): its binder, which describes
// it, and its encoder.
type Param struct {
	*bind.Param
	Encoder *bind.Encoder
}

// Body is the JSON request body: the input's Body field.
type Body struct {
	Offset uintptr
	Type   reflect.Type
}

// Form is an application/x-www-form-urlencoded body: the input's Form
// field, whose fields are the Params (offsets relative to Form).
type Form struct {
	Offset uintptr
	Params []Param
	// Files are the Form's file fields (*roux.FormFile,
	// []*roux.FormFile), which only a multipart body carries.
	Files []File
	// Content returns the content to send of the *roux.FormFile at f:
	// the reader of roux.FileUpload, or a received file's content.
	Content func(f unsafe.Pointer) (io.Reader, error)
}

// File is a file field of a Form.
type File struct {
	Name   string
	Offset uintptr // relative to the Form
	Many   bool    // []*roux.FormFile rather than *roux.FormFile
}

// BodyKind says how a response body is written, and so how it is read.
type BodyKind uint8

// The kinds of response body.
const (
	JSON   BodyKind = iota // encoded as JSON
	Custom                 // written by a roux.ResponseBody (a stream, a socket)
	Reader                 // an io.Reader copied out
	Bytes                  // a []byte sent as it is
	String                 // a string sent as it is
)

// Response says how the output type maps onto a response.
type Response struct {
	Status      int  // the default success status
	Envelope    bool // Out carries Body, headers and Status; otherwise Out is the body
	HasBody     bool
	BodyOffset  uintptr // of Body in an envelope; 0 otherwise
	BodyType    reflect.Type
	Kind        BodyKind
	ContentType string // declared media type of a raw body, or ""
	StatusAt    int    // offset+1 of the envelope's Status field; 0 when absent
	Headers     []Header
}

// Header is a field of an envelope sent as a response header.
type Header struct {
	Name   string // canonical header key
	Offset uintptr
	Type   reflect.Type
}
