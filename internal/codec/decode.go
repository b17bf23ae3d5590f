// Package codec decodes JSON request bodies straight into typed Go values,
// strictly and in one pass, reporting every value-level failure.
//
// # Approach
//
// [Compile] walks a Go type once, beside the JSON Schema published for it,
// and builds a tree of decodeFuncs: one closure per type, each knowing the
// memory layout it writes to (struct field offsets from [schema.JSONFields],
// element sizes) and what the schema allows there (null, required members,
// defaults). Named structs are compiled once per (type, schema) and shared,
// so recursive types such as `type Node struct{ Kids []*Node }` close over
// their own decoder and need no request-time lookups.
//
// [Decoder.Decode] takes a pooled state holding a reset [jsontext.Decoder]
// (the encoding/json v2 tokenizer, which rejects invalid UTF-8 and nesting
// deeper than 10000) and runs the tree over it: delimiters with ReadToken,
// names and scalars with ReadValue, whose result is a slice of the
// tokenizer's buffer. Numbers are parsed from that slice with strconv
// without allocating, strings are unquoted only when they hold a
// backslash, and values are stored through unsafe.Pointer, so a struct of
// numbers and booleans decodes with no allocation at all (the pooled state
// is reused). Duplicate member names are caught by the decoder rather than
// the tokenizer, from what it tracks anyway (names.go explains how); that
// saves 12-17% of the decoding time of a typical body.
//
// Errors come in two classes. A value that is well-formed JSON but does not
// fit the type (wrong kind, null, overflow, unknown or missing member, bad
// date-time or base64) is a failure: it is appended to a [verr.List] with
// the JSON Pointer of the [verr.Path], the value is skipped and decoding
// goes on, so a client learns every problem at once. Malformed JSON or a
// read error stops decoding and is returned, as a [*SyntaxError] or as the
// reader's own error. The recursion of the decodeFuncs follows the nesting
// of the JSON, so the tokenizer's depth limit bounds it.
package codec

import (
	"errors"
	"io"
	"reflect"
	"sync"
	"unsafe"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/roux-go/roux/internal/verr"
	"github.com/roux-go/roux/schema"
)

// decodeFunc decodes the next JSON value into the value at p. It returns
// only fatal errors (syntax and read errors, as returned by jsontext);
// failures of the value are reported into st.errs.
type decodeFunc func(st *state, p unsafe.Pointer) error

// Decoder decodes JSON into values of one Go type. It is built by
// [Compile] and is safe for concurrent use.
type Decoder struct {
	typ    reflect.Type
	decode decodeFunc
}

// Compile builds a decoder for values of type t described by schema s, as
// produced by reg (s may be a "$ref" or a nullable wrapper; references are
// resolved with reg). The schema decides where null is allowed, which
// struct members are required and which have defaults; a nil s means the
// Go type alone decides (pointers and interfaces admit null, members follow
// [schema.BodyRequired]). Compile reports types that cannot be decoded
// (channels, functions, non-empty interfaces, ...) and unknown references.
func Compile(t reflect.Type, s *schema.Schema, reg *schema.Registry) (*Decoder, error) {
	c := &compiler{reg: reg, structs: map[structKey]*structDecoder{}}
	fn, err := c.compile(t, s)
	if err != nil {
		return nil, err
	}
	return &Decoder{typ: t, decode: fn}, nil
}

// Type returns the Go type the decoder decodes into.
func (d *Decoder) Type() reflect.Type { return d.typ }

// Decode reads exactly one JSON value from r into the value of the
// decoder's type at dst, which must point to a zero value of that type.
//
// path and errs must not be nil. Failures of values (wrong type, null where not allowed, unknown member,
// missing required member, integer overflow, bad date-time or base64) are
// appended to errs at the location given by path, which the caller sets
// with [verr.Path.SetBody]; decoding continues so that all are reported.
// path is left as it was found.
//
// Malformed JSON (including duplicate member names, invalid UTF-8, data
// after the value and an empty body) stops decoding and is returned as a
// [*SyntaxError]. A read error from r is returned as is, so errors.As finds
// an [*net/http.MaxBytesError]. After an error, dst and errs hold what was
// decoded and reported so far.
func (d *Decoder) Decode(r io.Reader, dst unsafe.Pointer, path *verr.Path, errs *verr.List) error {
	st := getState(r, path, errs)
	err := d.decode(st, dst)
	if err == nil {
		err = st.end()
	} else {
		err = st.fatal(err)
	}
	putState(st)
	return err
}

// state is the per-request decoding state. It is pooled.
type state struct {
	dec   jsontext.Decoder
	path  *verr.Path
	errs  *verr.List
	depth int      // path entries pushed by this decode
	buf   []byte   // scratch space for unquoting strings
	seen  []uint64 // stack of bit sets of the members seen in open objects
	names []string // stack of names of open objects not kept otherwise (see names.go)

	nameSet map[frameName]struct{} // names of open objects with many of them
	objects int                    // objects opened, to tell their names apart in nameSet
	secret  int                    // open writeOnly or password members: nothing is echoed
}

// A state that read more than maxPooledInput bytes may hold a grown
// tokenizer buffer; it is dropped rather than pooled. A scratch buffer
// over maxPooledBuf is dropped too.
const (
	maxPooledInput = 64 << 10
	maxPooledBuf   = 4 << 10
	maxPooledNames = 1 << 10
)

var statePool = sync.Pool{New: func() any { return new(state) }}

// emptyReader replaces the request body in pooled states, so the pool does
// not keep request bodies alive.
type emptyReader struct{}

func (emptyReader) Read([]byte) (int, error) { return 0, io.EOF }

func getState(r io.Reader, path *verr.Path, errs *verr.List) *state {
	st := statePool.Get().(*state)
	st.dec.Reset(r, tokenizerOptions)
	st.path, st.errs = path, errs
	return st
}

func putState(st *state) {
	if st.dec.InputOffset() > maxPooledInput {
		return
	}
	st.dec.Reset(emptyReader{})
	st.path, st.errs, st.depth = nil, nil, 0
	clear(st.names)
	if len(st.nameSet) > maxPooledNames {
		st.nameSet = nil
	}
	clear(st.nameSet)
	st.objects, st.secret = 0, 0
	st.buf, st.seen, st.names = st.buf[:0], st.seen[:0], st.names[:0]
	if cap(st.buf) > maxPooledBuf {
		st.buf = nil
	}
	statePool.Put(st)
}

// push enters member name; pop leaves it. The count lets a fatal error
// restore the caller's path.
func (st *state) push(name string) { st.path.Push(name); st.depth++ }
func (st *state) pushIndex(i int)  { st.path.PushIndex(i); st.depth++ }
func (st *state) pop()             { st.path.Pop(); st.depth-- }

// end checks that nothing but whitespace follows the decoded value.
func (st *state) end() error {
	offset := st.dec.InputOffset()
	_, err := st.dec.ReadToken()
	switch {
	case err == io.EOF:
		return nil
	case err == nil || errors.As(err, new(*jsontext.SyntacticError)):
		return &SyntaxError{Offset: offset, Msg: "unexpected data after the JSON value"}
	}
	return st.fatal(err)
}

// fatal restores the path and converts a jsontext error into the error
// Decode returns.
func (st *state) fatal(err error) error {
	for ; st.depth > 0; st.depth-- {
		st.path.Pop()
	}
	return syntaxError(err)
}
