package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// compareSchema compares the schema a value was checked against (o) with
// the one it is checked against now (n). In a request (request true) a
// change breaks clients when n accepts less than o did; in a response,
// when a value valid for n may be one a client built for o does not
// expect, or a member it read may be missing.
//
// The comparison is by keyword, not a proof of inclusion: allOf, anyOf,
// oneOf, not, if/then/else and patternProperties are not compared.
func (df *differ) compareSchema(ov, nv any, request bool, at loc) {
	oref, _ := asObj(ov)["$ref"].(string)
	nref, _ := asObj(nv)["$ref"].(string)
	if oref != "" || nref != "" {
		// A pair of references already being compared further up is a
		// recursive schema: its members are compared there.
		key := fmt.Sprintf("%s|%s|%v", oref, nref, request)
		if df.active[key] {
			return
		}
		df.active[key] = true
		defer delete(df.active, key)
	}
	o, n := asObj(df.old.resolve(ov)), asObj(df.new.resolve(nv))
	if o == nil || n == nil {
		return
	}
	if request {
		df.narrowed(o, n, at)
	} else {
		df.widened(o, n, at)
	}
	df.members(o, n, request, at)
	if oi, ni := o["items"], n["items"]; oi != nil && ni != nil {
		df.compareSchema(oi, ni, request, at.child("*"))
	}
	if oa, na := asObj(o["additionalProperties"]), asObj(n["additionalProperties"]); oa != nil && na != nil {
		df.compareSchema(oa, na, request, at.child("*"))
	}
}

// narrowed reports the ways n accepts less than o.
func (df *differ) narrowed(o, n obj, at loc) {
	ot, nt := types(o), types(n)
	if len(ot) > 0 {
		if len(nt) > 0 && !typesWithin(ot, nt) {
			df.addAt(true, at, "type narrowed from %s to %s", strings.Join(ot, "|"), strings.Join(nt, "|"))
		}
	} else if len(nt) > 0 {
		df.addAt(true, at, "type restricted to %s", strings.Join(nt, "|"))
	}
	oe, ne := asSlice(o["enum"]), asSlice(n["enum"])
	switch {
	case n["enum"] != nil && o["enum"] == nil:
		df.addAt(true, at, "enum restriction added: %s", jsonList(ne))
	case n["enum"] != nil:
		if gone := missing(oe, ne); len(gone) > 0 {
			df.addAt(true, at, "enum values removed: %s", jsonList(gone))
		}
	}
	if c, ok := n["const"]; ok && !sameJSON(c, o["const"]) {
		df.addAt(true, at, "const %s added", jsonText(c))
	}
	if lo, ln := lower(o), lower(n); tighter(lo, ln, 1) {
		df.addAt(true, at, "lower bound raised from %s to %s", lo, ln)
	}
	if uo, un := upper(o), upper(n); tighter(uo, un, -1) {
		df.addAt(true, at, "upper bound lowered from %s to %s", uo, un)
	}
	for _, kw := range []string{"minLength", "minItems", "minProperties"} {
		if b := (bound{num(o[kw]), false, o[kw] != nil}); tighter(b, bound{num(n[kw]), false, n[kw] != nil}, 1) {
			df.addAt(true, at, "%s raised from %s to %s", kw, orNone(o[kw]), jsonText(n[kw]))
		}
	}
	for _, kw := range []string{"maxLength", "maxItems", "maxProperties"} {
		if b := (bound{num(o[kw]), false, o[kw] != nil}); tighter(b, bound{num(n[kw]), false, n[kw] != nil}, -1) {
			df.addAt(true, at, "%s lowered from %s to %s", kw, orNone(o[kw]), jsonText(n[kw]))
		}
	}
	for _, kw := range []string{"pattern", "format", "multipleOf"} {
		if n[kw] != nil && !sameJSON(o[kw], n[kw]) {
			df.addAt(true, at, "%s changed from %s to %s", kw, orNone(o[kw]), jsonText(n[kw]))
		}
	}
	if truthy(n["uniqueItems"]) && !truthy(o["uniqueItems"]) {
		df.addAt(true, at, "uniqueItems added")
	}
	if n["additionalProperties"] == false && o["additionalProperties"] != false {
		df.addAt(true, at, "additional members no longer accepted")
	}
}

// widened reports the ways a response valid for n may surprise a client
// of o.
func (df *differ) widened(o, n obj, at loc) {
	ot, nt := types(o), types(n)
	if len(ot) > 0 && (len(nt) == 0 || !typesWithin(nt, ot)) {
		df.addAt(true, at, "type changed from %s to %s", strings.Join(ot, "|"), orAny(nt))
	}
	if o["enum"] != nil {
		if n["enum"] == nil {
			df.addAt(true, at, "enum restriction removed")
		} else if added := missing(asSlice(n["enum"]), asSlice(o["enum"])); len(added) > 0 {
			df.addAt(true, at, "may now be one of the new enum values %s", jsonList(added))
		}
	}
}

// members compares object properties and required lists.
func (df *differ) members(o, n obj, request bool, at loc) {
	op, np := asObj(o["properties"]), asObj(n["properties"])
	oreq, nreq := stringSet(o["required"]), stringSet(n["required"])
	for _, name := range sortedKeys(np) {
		_, existed := op[name]
		switch {
		case request && nreq[name] && !existed:
			df.addAt(true, at, "new required member %q", name)
		case request && nreq[name] && !oreq[name] && !truthy(asObj(df.new.resolve(np[name]))["readOnly"]):
			df.addAt(true, at, "member %q became required", name)
		case request && !existed:
			df.addAt(false, at, "new optional member %q", name)
		case !request && !existed:
			df.addAt(false, at, "new member %q", name)
		}
	}
	for _, name := range sortedKeys(op) {
		_, kept := np[name]
		switch {
		case !kept && !request:
			df.addAt(true, at, "member %q removed", name)
		case !kept && n["additionalProperties"] == false:
			df.addAt(true, at, "member %q no longer accepted", name)
		case !kept:
			df.addAt(false, at, "member %q removed", name)
		case !request && oreq[name] && !nreq[name]:
			df.addAt(true, at, "member %q is no longer always present", name)
		}
		if kept {
			df.compareSchema(op[name], np[name], request, at.child(name))
		}
	}
}

// types returns the schema's types, "null" included for a 3.0 nullable.
func types(s obj) []string {
	var ts []string
	switch t := s["type"].(type) {
	case string:
		ts = []string{t}
	case []any:
		for _, e := range t {
			ts = append(ts, str(e))
		}
	}
	if len(ts) > 0 && truthy(s["nullable"]) && !slices.Contains(ts, "null") {
		ts = append(ts, "null")
	}
	slices.Sort(ts)
	return ts
}

// typesWithin reports whether every type in a is accepted by b.
func typesWithin(a, b []string) bool {
	for _, t := range a {
		if !slices.Contains(b, t) && !(t == "integer" && slices.Contains(b, "number")) {
			return false
		}
	}
	return true
}

// A bound is a lower or upper limit on a number, length or count.
type bound struct {
	v         float64
	exclusive bool
	set       bool
}

func (b bound) String() string {
	if !b.set {
		return "none"
	}
	s := strconv.FormatFloat(b.v, 'g', -1, 64)
	if b.exclusive {
		return "exclusive " + s
	}
	return s
}

// lower is the schema's effective minimum, from minimum and
// exclusiveMinimum in their 3.1 (number) or 3.0 (boolean) forms.
func lower(s obj) bound { return limit(s, "minimum", "exclusiveMinimum", 1) }

// upper is the schema's effective maximum.
func upper(s obj) bound { return limit(s, "maximum", "exclusiveMaximum", -1) }

func limit(s obj, inclusive, exclusive string, dir float64) bound {
	var b bound
	if s[inclusive] != nil {
		b = bound{num(s[inclusive]), s[exclusive] == true, true}
	}
	if _, isBool := s[exclusive].(bool); s[exclusive] != nil && !isBool {
		if e := (bound{num(s[exclusive]), true, true}); tighter(b, e, dir) {
			b = e
		}
	}
	return b
}

// tighter reports whether n is a tighter bound than o; dir is 1 for
// lower bounds and -1 for upper ones.
func tighter(o, n bound, dir float64) bool {
	switch {
	case !n.set:
		return false
	case !o.set:
		return true
	case n.v*dir > o.v*dir:
		return true
	default:
		return n.v == o.v && n.exclusive && !o.exclusive
	}
}

func num(v any) float64 {
	switch n := v.(type) {
	case json.Number:
		f, _ := n.Float64()
		return f
	case float64:
		return n
	}
	return 0
}

func stringSet(v any) map[string]bool {
	m := map[string]bool{}
	for _, e := range asSlice(v) {
		m[str(e)] = true
	}
	return m
}

// missing returns the members of a not in b.
func missing(a, b []any) []any {
	var out []any
	for _, x := range a {
		if !slices.ContainsFunc(b, func(y any) bool { return sameJSON(x, y) }) {
			out = append(out, x)
		}
	}
	return out
}

func sameJSON(a, b any) bool { return jsonText(a) == jsonText(b) }

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func jsonList(vs []any) string { return jsonText(vs) }

func orNone(v any) string {
	if v == nil {
		return "none"
	}
	return jsonText(v)
}

func orAny(ts []string) string {
	if len(ts) == 0 {
		return "any type"
	}
	return strings.Join(ts, "|")
}

// A loc names where in an operation a schema sits: the operation, the
// part ("request body application/json", "query parameter \"limit\"")
// and a JSON Pointer into the value, with "*" for every element.
type loc struct {
	where, part, ptr string
}

func (l loc) child(name string) loc {
	l.ptr += "/" + strings.ReplaceAll(strings.ReplaceAll(name, "~", "~0"), "/", "~1")
	return l
}

func (l loc) String() string {
	if l.ptr == "" {
		return l.part
	}
	return l.part + " at " + l.ptr
}

func (df *differ) addAt(breaking bool, at loc, format string, args ...any) {
	df.add(breaking, at.where, at.String()+": "+format, args...)
}
