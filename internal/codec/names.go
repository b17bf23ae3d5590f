package codec

import (
	"bytes"
	"errors"
	"slices"
	"strconv"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/roux-go/roux/internal/verr"
)

// Duplicate member names are rejected here rather than by the tokenizer.
//
// jsontext's own check inserts every member name into a per-object set,
// which costs 12-17% of the decoding time of a typical body (measured with
// BenchmarkDecode). The decoder already knows most of what that set would:
// a struct marks each known member in its seen bits, and a map holds the
// keys decoded so far.
// So the tokenizer runs with AllowDuplicateNames(true), and:
//
//   - a struct member seen twice, or a map key already in the map, is a
//     duplicate;
//   - names that are not stored (unknown struct members, map keys that fail
//     UnmarshalText) are kept in st.names for the open object;
//   - a value consumed whole (skipped, of the wrong kind, or handed to
//     `any` or an UnmarshalJSON) is checked with [jsontext.Value.IsValid],
//     which rejects duplicates, when it is an object or array.
//
// The fuzz test checks that Decode returns a *SyntaxError exactly when
// jsontext's strict validation rejects the body.

// tokenizerOptions configure the pooled jsontext decoders.
var tokenizerOptions = jsontext.AllowDuplicateNames(true)

// duplicate returns the error for member name (raw, quoted) of the object
// being decoded, just read.
func (st *state) duplicate(raw jsontext.Value, name string) error {
	st.push(name)
	ptr := st.path.Pointer()
	st.pop()
	return &SyntaxError{
		Offset:  st.dec.InputOffset() - int64(len(raw)),
		Pointer: ptr,
		Msg:     "duplicate member name " + strconv.Quote(verr.Clip(name, verr.MaxEcho)),
	}
}

// nameFrame locates the kept names of one open object: they start at
// st.names[base], and, past maxLinearNames, live in st.nameSet under id.
type nameFrame struct{ base, id int }

// frameName is a kept name in st.nameSet.
type frameName struct {
	id   int
	name string
}

// maxLinearNames is how many kept names of one object are searched
// linearly; beyond it a map keeps the search from going quadratic on a
// body with thousands of unknown members.
const maxLinearNames = 16

// openNames starts the kept names of an object; close it by truncating
// st.names to the frame's base.
func (st *state) openNames() nameFrame {
	st.objects++
	return nameFrame{base: len(st.names), id: st.objects}
}

// keepName records name (raw is its JSON text), which the decoded value
// will not hold, as a member of the object of frame fr, and reports a
// duplicate.
func (st *state) keepName(raw jsontext.Value, name string, fr nameFrame) error {
	kept := st.names[fr.base:]
	if len(kept) < maxLinearNames {
		if slices.Contains(kept, name) {
			return st.duplicate(raw, name)
		}
		st.names = append(st.names, name)
		return nil
	}
	if st.nameSet == nil {
		st.nameSet = make(map[frameName]struct{})
	}
	if len(kept) == maxLinearNames {
		// Move the names to the set, once: the placeholder appended makes
		// the frame longer than maxLinearNames for good.
		for _, n := range kept {
			st.nameSet[frameName{fr.id, n}] = struct{}{}
		}
		st.names = append(st.names, "")
	}
	k := frameName{fr.id, name}
	if _, ok := st.nameSet[k]; ok {
		return st.duplicate(raw, name)
	}
	st.nameSet[k] = struct{}{}
	return nil
}

// skip consumes the next value, checking it for duplicate names.
func (st *state) skip() error {
	v, err := st.dec.ReadValue()
	if err != nil {
		return err
	}
	return st.checkNames(v)
}

// checkNames returns a *SyntaxError if v, the value just read whole, is an
// object or array with a duplicate member name anywhere inside. It costs
// a second pass over composite values, which only skipped and raw values
// get.
func (st *state) checkNames(v jsontext.Value) error {
	if k := v.Kind(); (k != '{' && k != '[') || v.IsValid() {
		return nil
	}
	// Find where, with a strict decoder; the error is relative to v.
	err := jsontext.NewDecoder(bytes.NewReader(v)).SkipValue()
	var se *jsontext.SyntacticError
	if !errors.As(err, &se) {
		se = &jsontext.SyntacticError{Err: jsontext.ErrDuplicateName}
	}
	e := syntaxError(se).(*SyntaxError)
	e.Offset += st.dec.InputOffset() - int64(len(v))
	e.Pointer = verr.Clip(st.path.Pointer()+e.Pointer, verr.MaxEcho)
	return e
}
