package validate

// This file holds the compiled form and the walk that runs it.
//
// A validator is a graph of nodes, one per (Go type, schema) pair. A node
// runs its own keyword checks on the value at p, then the nodes that check
// the same value against another schema (a component behind "$ref", allOf
// members), then descends: into struct members at precomputed offsets,
// through a pointer, over slice and array elements, or over map values.
// The graph may be cyclic (recursive types); it is walked by following
// pointers, so a component is compiled once however often it is reached.
// Nothing on the walk reflects on types or builds strings unless a check
// fails; map values are the exception (see mapValues).

import (
	"encoding"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"unsafe"

	"github.com/roux-go/roux/internal/verr"
)

// Validator checks values of one Go type against one schema. It is built
// once by [Compile] or [Compiler.Compile] and is safe for concurrent use.
// A nil *Validator accepts every value, so a (nil, nil) result of Compile
// can be stored and called without a check.
type Validator struct {
	t    reflect.Type
	root *node
}

// Type returns the Go type whose values v checks.
func (v *Validator) Type() reflect.Type { return v.t }

// Validate checks the value of v's type that p points to and appends a
// [verr.Error] to errs for every failure, at locations taken from path,
// which it leaves as it found it. It does nothing when v or p is nil.
func (v *Validator) Validate(p unsafe.Pointer, path *verr.Path, errs *verr.List) {
	if v == nil || p == nil {
		return
	}
	v.root.validate(p, path, errs, 0)
}

// ValidateValue is [Validator.Validate] for a value held in an interface,
// for tests and the typed client: x must be a pointer to a value of v's
// type (a nil pointer is accepted and not checked). It panics if x has
// another type, which is a programming error.
func (v *Validator) ValidateValue(x any, path *verr.Path, errs *verr.List) {
	if v == nil {
		return
	}
	rv := reflect.ValueOf(x)
	if !rv.IsValid() || rv.Type() != reflect.PointerTo(v.t) {
		panic(fmt.Sprintf("validate: ValidateValue of %T, want *%v", x, v.t))
	}
	v.Validate(rv.UnsafePointer(), path, errs)
}

// check runs the keyword checks of one schema on the value at p.
type check func(p unsafe.Pointer, path *verr.Path, errs *verr.List)

type nodeKind uint8

const (
	kindLeaf     nodeKind = iota // nothing to descend into
	kindPointer                  // elem checks the pointee; nil is skipped
	kindStruct                   // fields
	kindSlice                    // elem checks each element
	kindArray                    // elem checks each of n elements
	kindMap                      // elem checks each value
	kindOptional                 // elem checks the value of a schema.Optional that is set
	kindCustom                   // custom runs the type's own rule, after also
)

// maxDepth bounds the walk. Decoded JSON is never this deep (decoders
// limit nesting well below it), but a cyclic Go value passed to
// ValidateValue would otherwise overflow the stack.
const maxDepth = 10000

type node struct {
	checks []check
	also   []*node // check the same value against further schemas
	kind   nodeKind
	fields []member
	elem   *node
	size   uintptr      // element size of a slice or array; offset of an Optional's flag
	n      int          // array length
	typ    reflect.Type // map type
	live   bool         // set by settle: some check is reachable from here
	// custom is the type's own rule (see Compiler.Custom) in a kindCustom
	// node, run after also when nothing failed at or below the value.
	custom check
}

// member is a struct member to validate.
type member struct {
	name   string
	offset uintptr
	node   *node
	absent func(unsafe.Pointer) bool // optional non-pointer member: zero means absent; nil for required
	typ    reflect.Type              // the member's type, to ask errs whether a zero was sent
}

// sliceHeader is the memory layout of a Go slice.
type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

func (n *node) validate(p unsafe.Pointer, path *verr.Path, errs *verr.List, depth int) {
	for _, c := range n.checks {
		c(p, path, errs)
	}
	for _, a := range n.also {
		a.validate(p, path, errs, depth)
	}
	if n.kind == kindLeaf {
		return
	}
	if depth++; depth > maxDepth {
		errs.Report(path, "maxDepth", fmt.Sprintf("is nested more than %d levels deep", maxDepth))
		return
	}
	switch n.kind {
	case kindPointer:
		if q := *(*unsafe.Pointer)(p); q != nil {
			n.elem.validate(q, path, errs, depth)
		}
	case kindStruct:
		for i := range n.fields {
			m := &n.fields[i]
			fp := unsafe.Add(p, m.offset)
			if m.absent != nil && m.absent(fp) && !errs.SentZero(fp, m.typ) {
				continue
			}
			path.Push(m.name)
			m.node.validate(fp, path, errs, depth)
			path.Pop()
		}
	case kindSlice:
		h := (*sliceHeader)(p)
		n.elements(h.data, h.len, path, errs, depth)
	case kindArray:
		n.elements(p, n.n, path, errs, depth)
	case kindMap:
		n.mapValues(p, path, errs, depth)
	case kindOptional:
		if *(*bool)(unsafe.Add(p, n.size)) {
			n.elem.validate(p, path, errs, depth) // the value is at offset 0
		}
	case kindCustom:
		// The schema's checks ran through n.also; the rule runs on a
		// value that passed them.
		if !errs.Within(path) {
			n.custom(p, path, errs)
		}
	}
}

func (n *node) elements(data unsafe.Pointer, length int, path *verr.Path, errs *verr.List, depth int) {
	for i := range length {
		path.PushIndex(i)
		n.elem.validate(unsafe.Add(data, uintptr(i)*n.size), path, errs, depth)
		path.Pop()
	}
}

// mapValues validates each value of the map at p. Map values are not
// addressable, so each is copied into one scratch variable; this, the key
// variable and the iterator cost a few allocations per map. The failures
// of one map are sorted by location, since map order is random.
func (n *node) mapValues(p unsafe.Pointer, path *verr.Path, errs *verr.List, depth int) {
	m := reflect.NewAt(n.typ, p).Elem()
	if m.Len() == 0 {
		return
	}
	key := reflect.New(n.typ.Key()).Elem()
	val := reflect.New(n.typ.Elem()).Elem()
	start := len(errs.Items)
	for it := m.MapRange(); it.Next(); {
		key.SetIterKey(it)
		val.SetIterValue(it)
		path.Push(keyString(key))
		n.elem.validate(val.Addr().UnsafePointer(), path, errs, depth)
		path.Pop()
	}
	if len(errs.Items)-start > 1 {
		slices.SortStableFunc(errs.Items[start:], func(a, b verr.Error) int {
			return strings.Compare(a.Pointer, b.Pointer)
		})
	}
}

// keyString returns the JSON object key of map key k, as encoding/json
// writes it.
func keyString(k reflect.Value) string {
	if k.Kind() == reflect.String {
		return k.String()
	}
	if tm, ok := k.Addr().Interface().(encoding.TextMarshaler); ok {
		if b, err := tm.MarshalText(); err == nil {
			return string(b)
		}
	}
	return fmt.Sprint(k.Interface())
}
