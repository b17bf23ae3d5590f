// Package rule runs the validation rules that types write themselves —
// their Validate(*roux.Checks) methods (roux.Validator) — for every
// package of roux that decodes values: package roux for request bodies,
// parameters and checked responses, package ws for the messages of a
// session, in the server and in the typed client alike.
//
// A roux.Checks embeds a [Sink] through an unexported alias, as a
// *roux.Operation embeds a plan.Lazy: the sink's unexported method is in
// the Checks' method set but in nobody's documentation, and [For], given
// the Checks type as a type argument, makes one that reports into a
// verr.List. Package ws, which imports roux, instantiates For with
// roux.Checks; package roux with its own. Nothing is set at init time.
package rule

import (
	"reflect"
	"unsafe"

	"github.com/roux-go/roux/internal/verr"
)

// Sink is where a Checks value reports: the location of the value being
// validated and the list its failures join. Its zero value reports
// nowhere; only [For] fills one.
type Sink struct {
	path *verr.Path
	errs *verr.List
}

func (s *Sink) sink() *Sink { return s }

// Of returns where s reports, for the methods of the Checks type that
// embeds it.
func Of(s *Sink) (*verr.Path, *verr.List) { return s.path, s.errs }

// checks is the Checks type seen through its pointer: a *C whose
// embedded Sink For can fill.
type checks[C any] interface {
	*C
	sink() *Sink
}

// validator is roux.Validator, spelled with its Checks type as a type
// argument: the interface of the same method set.
type validator[C any] interface {
	Validate(*C)
}

// For returns the check of values of type t by their Validate(*C)
// method, or nil when t has none (nor has its pointer). It fits
// validate.Compiler.Custom. Each call of the check costs the one
// allocation of the C value, which escapes into Validate.
func For[C any, P checks[C]](t reflect.Type) func(p unsafe.Pointer, path *verr.Path, errs *verr.List) {
	if t.Kind() == reflect.Interface || !reflect.PointerTo(t).Implements(reflect.TypeFor[validator[C]]()) {
		return nil
	}
	return func(p unsafe.Pointer, path *verr.Path, errs *verr.List) {
		c := P(new(C))
		*c.sink() = Sink{path: path, errs: errs}
		reflect.NewAt(t, p).Interface().(validator[C]).Validate((*C)(c))
	}
}
