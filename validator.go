package roux

// This file runs the validation rules that types write themselves
// (Validate methods), after the schema's. Two kinds of place have them:
//
//   - values inside the body (the Body type, its members, elements, map
//     values) and parameter values: their rules are compiled into the
//     body's and the parameters' validators (internal/validate calls
//     customCheck for every type it compiles), so they run wherever those
//     validators run, the typed client included, each only when nothing
//     failed at or below its value;
//   - the input struct itself, whose rule may relate parameters and the
//     body: runCustomValidators runs it once everything else has passed.

import (
	"reflect"
	"strings"
	"unsafe"

	"github.com/roux-go/roux/internal/rule"
	"github.com/roux-go/roux/internal/verr"
)

// Validator is implemented by types that check what their schema cannot:
// relations between members (a minimum below a maximum), rules over a
// whole value, or anything else a pure function of the value can decide.
// roux calls Validate on
//
//   - an operation's input type, once the whole request — parameters and
//     body — has passed every schema check (a rule relating two
//     parameters never sees one that did not parse);
//   - the Body type and every type inside the body (struct members,
//     elements, map values, pointer and [Optional] targets), after the
//     schema checks of that value, and only if nothing failed at or below
//     it — so, as with FastAPI's model validators, an inner failure keeps
//     the outer rules from running, while failures of independent parts
//     are all reported;
//   - parameter types, after the parameter's schema checks passed;
//   - output bodies and the types inside them, when responses are checked
//     against the document ([Config.CheckResponses]): a response must
//     keep its type's rules too, as FastAPI's response models do.
//
// Failures reported through c join the schema's in the same 422 problem.
// Validate runs before the operation's dependencies are resolved and
// must not depend on anything but the value: checks that need a database
// ("the dish exists") belong in the handler. The typed client runs the
// same methods when its validation is on. Validate may run concurrently
// for different values and must not keep c.
type Validator interface {
	Validate(c *Checks)
}

// Checks collects the failures a [Validator] finds. Locations are
// relative to the value being validated: for the input type, to the
// request body.
type Checks struct {
	// The embedded sink (named by the unexported alias) is where the
	// failures go; internal/rule fills it, for package ws too.
	ruleSink
}

type ruleSink = rule.Sink

// Member reports that the value at pointer fails the rule named code
// ("priceRange", say; "custom" when empty), with detail the sentence a
// client sees. pointer is an RFC 6901 JSON Pointer relative to the value
// being validated, such as "/max_price" or "/items/0/qty", or "" for the
// value itself; a string not starting with "/" is taken as one member
// name. When the value is a parameter, the failure is the parameter's.
func (c *Checks) Member(pointer, code, detail string) {
	path, errs := rule.Of(&c.ruleSink)
	pushed := 0
	if pointer != "" && pointer[0] != '/' {
		path.Push(pointer)
		pushed++
	} else if pointer != "" {
		for tok := range strings.SplitSeq(pointer[1:], "/") {
			if strings.Contains(tok, "~") {
				tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
			}
			path.Push(tok)
			pushed++
		}
	}
	errs.Report(path, ruleCode(code), detail)
	for range pushed {
		path.Pop()
	}
}

// Param reports that the parameter name in location in ("path", "query",
// "header" or "cookie", or "form" for a field of a Form) fails the rule
// named code ("custom" when empty), with detail the sentence a client
// sees.
func (c *Checks) Param(in, name, code, detail string) {
	_, errs := rule.Of(&c.ruleSink)
	errs.Add(verr.Error{Detail: detail, Parameter: name, In: in, Code: ruleCode(code)})
}

func ruleCode(code string) string {
	if code == "" {
		return "custom"
	}
	return code
}

// customCheck is the API's validate.Compiler.Custom: the check of values
// of type t by their Validate method, or nil when t has none. Calling
// Validate costs converting the pointer (no allocation) and the Checks
// value that escapes into the call (one allocation of 16 bytes). Package
// ws checks messages with the same function (internal/rule).
func customCheck(t reflect.Type) func(p unsafe.Pointer, path *verr.Path, errs *verr.List) {
	return rule.For[Checks](t)
}

// runCustomValidators runs the Validate method of op's input type, if it
// has one (op.inputRule, found at registration by customCheck), on the
// input at in — only when errs is still empty, that is when every
// parameter and the body passed (the rules of the body's values have run
// by then, inside the body's validator). serve calls it after reading
// the body and before answering 422; clientValidate calls it at the same
// point, so the typed client checks what the server checks. An operation
// without the method pays a nil check.
func runCustomValidators(op *operation, in unsafe.Pointer, path *verr.Path, errs *verr.List) {
	if op.inputRule == nil || errs.Len() > 0 {
		return
	}
	path.SetBody()
	op.inputRule(in, path, errs)
}
