package main

import (
	"fmt"
	"strings"
)

// A change is one difference between two documents. A breaking change is
// one that can make a request that worked fail, or a response that a
// client could read surprise it.
type change struct {
	breaking bool
	where    string
	msg      string
}

func (c change) String() string {
	mark := "          "
	if c.breaking {
		mark = "breaking  "
	}
	return mark + c.where + ": " + c.msg
}

// differ collects the changes from one document to the next.
type differ struct {
	old, new *document
	changes  []change
	// active holds the pairs of referenced schemas being compared, so
	// that recursive schemas end.
	active map[string]bool
}

func (df *differ) add(breaking bool, where, format string, args ...any) {
	df.changes = append(df.changes, change{breaking, where, fmt.Sprintf(format, args...)})
}

// diff reports the changes from old to new, operation by operation: the
// breaking ones are removed operations, success responses, media types
// and response fields; parameters and body members that became required
// or were added as required; and request values that new accepts fewer
// of than old did (narrowed types, added or shrunk enums, tighter
// bounds, added patterns, closed objects). Additions are reported as not
// breaking. allOf, anyOf and oneOf are compared only through the members
// they share by position, if at all: see compareSchema.
func diff(oldDoc, newDoc *document) []change {
	df := &differ{old: oldDoc, new: newDoc, active: map[string]bool{}}
	newOps := map[string]operation{}
	for _, o := range newDoc.operations() {
		newOps[o.String()] = o
	}
	oldOps := map[string]bool{}
	for _, o := range oldDoc.operations() {
		oldOps[o.String()] = true
		n, ok := newOps[o.String()]
		if !ok {
			df.add(true, o.String(), "operation removed")
			continue
		}
		df.operation(o, n)
	}
	for _, o := range newDoc.operations() {
		if !oldOps[o.String()] {
			df.add(false, o.String(), "operation added")
		}
	}
	return df.changes
}

func (df *differ) operation(o, n operation) {
	where := o.String()
	oldParams, newParams := df.old.parameters(o), df.new.parameters(n)
	for _, key := range sortedKeys(newParams) {
		np := newParams[key]
		label := fmt.Sprintf("%s parameter %q", str(np["in"]), str(np["name"]))
		op, existed := oldParams[key]
		switch {
		case !existed && truthy(np["required"]):
			df.add(true, where, "new required %s", label)
		case !existed:
			df.add(false, where, "new optional %s", label)
		case truthy(np["required"]) && !truthy(op["required"]):
			df.add(true, where, "%s became required", label)
		}
		if existed {
			df.compareSchema(op["schema"], np["schema"], true, loc{where: where, part: label})
		}
	}
	for _, key := range sortedKeys(oldParams) {
		if newParams[key] == nil {
			p := oldParams[key]
			df.add(false, where, "%s parameter %q removed", str(p["in"]), str(p["name"]))
		}
	}
	df.requestBody(where, asObj(df.old.resolve(o.op["requestBody"])), asObj(df.new.resolve(n.op["requestBody"])))
	df.responses(where, asObj(o.op["responses"]), asObj(n.op["responses"]))
}

func (df *differ) requestBody(where string, o, n obj) {
	switch {
	case n == nil:
		if o != nil {
			df.add(false, where, "request body removed")
		}
		return
	case o == nil:
		df.add(truthy(n["required"]), where, "request body added (required: %v)", truthy(n["required"]))
		return
	case truthy(n["required"]) && !truthy(o["required"]):
		df.add(true, where, "request body became required")
	}
	oc, nc := asObj(o["content"]), asObj(n["content"])
	for _, ct := range sortedKeys(oc) {
		if nc[ct] == nil {
			df.add(true, where, "request body no longer accepts %s", ct)
			continue
		}
		df.compareSchema(asObj(oc[ct])["schema"], asObj(nc[ct])["schema"], true, loc{where: where, part: "request body " + ct})
	}
}

func (df *differ) responses(where string, o, n obj) {
	for _, code := range sortedKeys(o) {
		success := strings.HasPrefix(code, "2") || strings.HasPrefix(code, "3")
		nr := asObj(df.new.resolve(n[code]))
		if nr == nil {
			df.add(success, where, "response %s removed", code)
			continue
		}
		or := asObj(df.old.resolve(o[code]))
		oc, nc := asObj(or["content"]), asObj(nr["content"])
		for _, ct := range sortedKeys(oc) {
			if nc[ct] == nil {
				df.add(true, where, "response %s no longer has a %s body", code, ct)
				continue
			}
			df.compareSchema(asObj(oc[ct])["schema"], asObj(nc[ct])["schema"], false, loc{where: where, part: "response " + code + " " + ct})
		}
	}
	for _, code := range sortedKeys(n) {
		if o[code] == nil {
			df.add(false, where, "response %s added", code)
		}
	}
}
