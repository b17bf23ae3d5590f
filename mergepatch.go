package roux

// This file applies JSON Merge Patches (RFC 7396) to typed values.
//
// The RFC merges two JSON documents: members of the patch replace those of
// the target, null members delete theirs, objects merge recursively and
// everything else (arrays included) replaces. Typed, the patch is a struct
// whose members say what was sent — Optional[T] (absent, or a value; null
// when T is a pointer) — and the target is the stored Go value. The first
// ApplyMergePatch of a (target, patch) type pair compiles a plan by
// reflection, matching members by their JSON names and checking that each
// patch member fits its target member; later calls follow the plan, with
// reflect.Value field access and no JSON in between.

import (
	"fmt"
	"reflect"
	"sync"
	"unsafe"

	"github.com/roux-go/roux/openapi"
	"github.com/roux-go/roux/schema"
)

// MergePatchType is the media type of a JSON Merge Patch (RFC 7396).
const MergePatchType = "application/merge-patch+json"

// MergePatch declares that the operation's JSON body is a JSON Merge
// Patch (RFC 7396): the document publishes its request body as
// application/merge-patch+json, and as application/json, which roux
// accepts for it too, so that clients that only speak JSON — roux's typed
// client among them — can send it. An operation without MergePatch
// refuses application/merge-patch+json (415): a merge patch sent where a
// whole value is expected would be read as one. Write
// the body as a struct of [Optional] members and apply it with
// [ApplyMergePatch]. On an operation without a Body field it is a
// registration error.
func MergePatch() Option { return optionFunc(func(c *opConfig) { c.mergePatch = true }) }

// bodyContent returns the media types the request body is published
// under.
func (op *operation) bodyContent(cfg opConfig) (map[string]*openapi.MediaType, error) {
	if op.body == nil {
		if cfg.mergePatch {
			return nil, fmt.Errorf("MergePatch() needs a JSON request body: add a Body field to the input")
		}
		return nil, nil
	}
	content := map[string]*openapi.MediaType{"application/json": {Schema: op.body.schema}}
	if cfg.mergePatch {
		content[MergePatchType] = &openapi.MediaType{Schema: op.body.schema}
	}
	return content, nil
}

// ApplyMergePatch applies patch to the value dst points to, as RFC 7396
// applies a merge patch to a JSON document. patch is a struct decoded
// from the patch document, usually the Body of a PATCH operation declared
// with [MergePatch]; each of its members names the member of the target
// with the same JSON name:
//
//   - An [Optional] member that is absent leaves the target member alone;
//     one that is present replaces it, or deletes it when null (an
//     Optional of a pointer holding nil): the target member becomes its
//     zero value, which must mean "absent" — a pointer, an interface, or a
//     field tagged omitempty or omitzero.
//   - A pointer member is absent when nil (it cannot tell null apart).
//   - A member of any other type is always applied; it must then be one
//     the patch's schema requires (no omitempty or omitzero).
//
// Values apply by their types: a struct of another type than the target
// member's is a nested patch, merged into the target's value (a nil
// pointer target starts from the zero value); a map merges key by key, a
// nil pointer value deleting its key; anything else — a slice, a scalar,
// a struct of the target's own type — replaces the target's value, and
// must be assignable to it. Pointers, maps and pointees that change are
// replaced by new ones rather than written through, so values shared
// with dst's previous state are not modified; dst may afterwards share
// slices and maps of patch's values that it took whole.
//
// The error, a programming error, reports a patch type that does not fit
// the target type (a member it lacks, a null it cannot hold, a value of
// another type); it is found on the first call for the pair of types,
// before dst is modified. ApplyMergePatch is safe for concurrent use on
// different values.
func ApplyMergePatch[T, P any](dst *T, patch *P) error {
	if dst == nil || patch == nil {
		return fmt.Errorf("roux: ApplyMergePatch(%T, %T) of a nil pointer", dst, patch)
	}
	m, err := mergePlanFor(reflect.TypeFor[T](), reflect.TypeFor[P]())
	if err != nil {
		return err
	}
	m.apply(reflect.ValueOf(dst).Elem(), reflect.ValueOf(patch).Elem())
	return nil
}

// mergePlans caches a *mergeStruct, or the error, per [2]reflect.Type{target, patch}.
var mergePlans sync.Map

func mergePlanFor(t, p reflect.Type) (*mergeStruct, error) {
	key := [2]reflect.Type{t, p}
	if v, ok := mergePlans.Load(key); ok {
		if err, ok := v.(error); ok {
			return nil, err
		}
		return v.(*mergeStruct), nil
	}
	mc := &mergeCompiler{structs: map[[2]reflect.Type]*mergeStruct{}}
	m, err := mc.structs2(t, p)
	if err != nil {
		err = fmt.Errorf("roux: ApplyMergePatch(*%v, *%v): %w", t, p, err)
		mergePlans.Store(key, err)
		return nil, err
	}
	mergePlans.Store(key, m)
	return m, nil
}

// mergeFunc applies the present patch value src to the target value dst
// (addressable).
type mergeFunc func(dst, src reflect.Value)

// mergeStruct merges a patch struct into a target struct.
type mergeStruct struct {
	members []mergeMember
}

// mergeMember is one member of a patch struct and the target member of
// the same JSON name. Members are reached by their offsets, as the decoder
// does: the fields of an Optional are unexported, so reflect would not let
// its value be read and set, and one pointer step is cheaper than
// reflect.Value.FieldByIndex.
type mergeMember struct {
	srcAt, dstAt     uintptr      // offsets in the patch and target structs
	srcType, dstType reflect.Type // the members' types
	optional         reflect.Type // the value type of an Optional member, else nil
	setAt            uintptr      // the offset of an Optional's flag within it
	pointer          bool         // a plain pointer member: nil is absent
	apply            mergeFunc
}

func (m *mergeStruct) apply(dst, src reflect.Value) {
	if !src.CanAddr() { // a map value
		c := reflect.New(src.Type()).Elem()
		c.Set(src)
		src = c
	}
	sp, dp := unsafe.Pointer(src.UnsafeAddr()), unsafe.Pointer(dst.UnsafeAddr())
	for i := range m.members {
		mm := &m.members[i]
		p := unsafe.Add(sp, mm.srcAt)
		var sv reflect.Value
		switch {
		case mm.optional != nil:
			if !*(*bool)(unsafe.Add(p, mm.setAt)) {
				continue
			}
			sv = reflect.NewAt(mm.optional, p).Elem() // the value is at offset 0
		case mm.pointer:
			if *(*unsafe.Pointer)(p) == nil {
				continue
			}
			sv = reflect.NewAt(mm.srcType, p).Elem().Elem()
		default:
			sv = reflect.NewAt(mm.srcType, p).Elem()
		}
		mm.apply(reflect.NewAt(mm.dstType, unsafe.Add(dp, mm.dstAt)).Elem(), sv)
	}
}

// mergeCompiler builds the plans of one type pair and those they reach;
// structs holds the plans under construction, for recursive types.
type mergeCompiler struct {
	structs map[[2]reflect.Type]*mergeStruct
}

// structs2 compiles the merge of patch struct p into target struct t.
func (mc *mergeCompiler) structs2(t, p reflect.Type) (*mergeStruct, error) {
	key := [2]reflect.Type{t, p}
	if m, ok := mc.structs[key]; ok {
		return m, nil
	}
	if t.Kind() != reflect.Struct || p.Kind() != reflect.Struct {
		return nil, fmt.Errorf("%v and %v must both be structs", t, p)
	}
	m := &mergeStruct{}
	mc.structs[key] = m
	targets, err := schema.JSONFields(t)
	if err != nil {
		return nil, err
	}
	byName := make(map[string]schema.Field, len(targets))
	for _, f := range targets {
		byName[f.Name] = f
	}
	members, err := schema.JSONFields(p)
	if err != nil {
		return nil, err
	}
	for _, f := range members {
		tf, ok := byName[f.Name]
		if !ok {
			return nil, fmt.Errorf("patch member %q (%v.%s) has no member of that name in %v", f.Name, p, f.Struct.Name, t)
		}
		mm := mergeMember{srcAt: f.Offset, dstAt: tf.Offset, srcType: f.Type, dstType: tf.Type}
		vt := f.Type
		if elem, ok := schema.OptionalElem(f.Type); ok {
			mm.optional, mm.setAt, vt = elem, f.Type.Field(1).Offset, elem
		} else if f.Type.Kind() == reflect.Pointer {
			mm.pointer, vt = true, f.Type.Elem()
		} else if req, err := schema.BodyRequired(f); err != nil || !req {
			return nil, fmt.Errorf("patch member %q (%v.%s) is optional but cannot tell absent from zero: make it a roux.Optional[%v]", f.Name, p, f.Struct.Name, f.Type)
		}
		deletable := tf.OmitEmpty || tf.OmitZero
		if mm.apply, err = mc.value(tf.Type, vt, deletable); err != nil {
			return nil, fmt.Errorf("patch member %q: %w", f.Name, err)
		}
		m.members = append(m.members, mm)
	}
	return m, nil
}

// value compiles how a present patch value of type x applies to a target
// value of type t; deletable says whether the target's zero value means
// the member is absent (beside pointers and interfaces).
func (mc *mergeCompiler) value(t, x reflect.Type, deletable bool) (mergeFunc, error) {
	if _, ok := schema.OptionalElem(t); ok {
		return nil, fmt.Errorf("target type %v is an Optional; patches apply to plain values", t)
	}
	if _, ok := schema.OptionalElem(x); ok {
		return nil, fmt.Errorf("%v: an Optional is a struct member, not a value inside another", x)
	}
	switch {
	case x.Kind() == reflect.Pointer:
		if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface && !deletable {
			return nil, fmt.Errorf("the patch may be null, but the target's %v cannot be left out: make it a pointer or tag it omitempty, or make the patch member non-nullable", t)
		}
		inner, err := mc.value(t, x.Elem(), deletable)
		if err != nil {
			return nil, err
		}
		return func(dst, src reflect.Value) {
			if src.IsNil() {
				dst.SetZero()
				return
			}
			inner(dst, src.Elem())
		}, nil
	case t.Kind() == reflect.Pointer && x != t:
		inner, err := mc.value(t.Elem(), x, false)
		if err != nil {
			return nil, err
		}
		elem := t.Elem()
		return func(dst, src reflect.Value) {
			fresh := reflect.New(elem) // a new pointee: the old one may be shared
			if !dst.IsNil() {
				fresh.Elem().Set(dst.Elem())
			}
			inner(fresh.Elem(), src)
			dst.Set(fresh)
		}, nil
	case x.Kind() == reflect.Struct && t.Kind() == reflect.Struct && x != t:
		m, err := mc.structs2(t, x)
		if err != nil {
			return nil, err
		}
		return func(dst, src reflect.Value) { m.apply(dst, src) }, nil
	case x.Kind() == reflect.Map && t.Kind() == reflect.Map:
		return mc.mapMerge(t, x)
	case x.AssignableTo(t):
		return func(dst, src reflect.Value) { dst.Set(src) }, nil
	}
	return nil, fmt.Errorf("a %v cannot replace or merge into a %v: use the target's type, or a struct of Optional members for a nested patch", x, t)
}

// mapMerge merges a patch map into a copy of the target map: each key is
// set (or merged, for struct values of another type), and a nil pointer
// value deletes its key.
func (mc *mergeCompiler) mapMerge(t, x reflect.Type) (mergeFunc, error) {
	if x.Key() != t.Key() {
		return nil, fmt.Errorf("map keys of %v and %v differ", x, t)
	}
	vx, vt := x.Elem(), t.Elem()
	nullable := vx.Kind() == reflect.Pointer
	if nullable && vt.Kind() != reflect.Pointer {
		vx = vx.Elem() // a nil value deletes the key; others apply their pointee
	}
	inner, err := mc.value(vt, vx, true)
	if err != nil {
		return nil, err
	}
	return func(dst, src reflect.Value) {
		merged := reflect.MakeMapWithSize(t, dst.Len()+src.Len())
		for it := dst.MapRange(); it.Next(); {
			merged.SetMapIndex(it.Key(), it.Value())
		}
		elem := reflect.New(vt).Elem()
		for it := src.MapRange(); it.Next(); {
			v := it.Value()
			if nullable && v.IsNil() {
				merged.SetMapIndex(it.Key(), reflect.Value{})
				continue
			}
			if nullable && vt.Kind() != reflect.Pointer {
				v = v.Elem()
			}
			elem.SetZero()
			if old := merged.MapIndex(it.Key()); old.IsValid() {
				elem.Set(old)
			}
			inner(elem, v)
			merged.SetMapIndex(it.Key(), elem)
		}
		dst.Set(merged)
	}, nil
}
