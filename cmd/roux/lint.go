package main

import (
	"fmt"
	"slices"
	"strings"
)

// A finding is one problem lint reports.
type finding struct {
	where, rule, msg string
}

func (f finding) String() string { return f.where + ": " + f.msg + " [" + f.rule + "]" }

// lint checks d for what makes a document hard to use or hides the
// server's behaviour: every operation needs a summary, an operationId
// unique in the document, a success response and documented error
// responses (4xx or 5xx, or default); path templates and path parameters
// must agree; and every local $ref must resolve. Findings are in
// document order.
func lint(d *document) []finding {
	var out []finding
	add := func(where, rule, format string, args ...any) {
		out = append(out, finding{where, rule, fmt.Sprintf(format, args...)})
	}
	ids := map[string]string{}
	for _, o := range d.operations() {
		where := o.String()
		if strings.TrimSpace(str(o.op["summary"])) == "" {
			add(where, "summary", "operation has no summary")
		}
		switch id := str(o.op["operationId"]); {
		case id == "":
			add(where, "operation-id", "operation has no operationId")
		case ids[id] != "":
			add(where, "operation-id-unique", "operationId %q is also used by %s", id, ids[id])
		default:
			ids[id] = where
		}
		lintResponses(o, add)
		lintParameters(d, o, add)
	}
	walkRefs(d.root, "#", func(at, ref string) {
		if d.resolve(obj{"$ref": ref}) == nil {
			add(at, "ref", "$ref %q does not resolve", ref)
		}
	})
	return out
}

func lintResponses(o operation, add func(where, rule, format string, args ...any)) {
	responses := asObj(o.op["responses"])
	success, failure := false, false
	for code := range responses {
		switch {
		case code == "default":
			failure = true
		case strings.HasPrefix(code, "2") || strings.HasPrefix(code, "3"):
			success = true
		case strings.HasPrefix(code, "4") || strings.HasPrefix(code, "5"):
			failure = true
		}
	}
	if !success {
		add(o.String(), "success-response", "operation documents no 2xx or 3xx response")
	}
	if !failure {
		add(o.String(), "error-response", "operation documents no 4xx, 5xx or default response")
	}
}

func lintParameters(d *document, o operation, add func(where, rule, format string, args ...any)) {
	where := o.String()
	seen := map[string]bool{}
	for _, p := range asSlice(o.op["parameters"]) {
		p := asObj(d.resolve(p))
		key := str(p["in"]) + " " + str(p["name"])
		if seen[key] {
			add(where, "parameter-unique", "%s parameter %q is declared twice", str(p["in"]), str(p["name"]))
		}
		seen[key] = true
	}
	params := d.parameters(o)
	inTemplate := pathParams(o.path)
	for _, name := range inTemplate {
		if params["path "+name] == nil {
			add(where, "path-parameter", "path parameter {%s} is not declared", name)
		}
	}
	for _, key := range sortedKeys(params) {
		p := params[key]
		if str(p["in"]) != "path" {
			continue
		}
		name := str(p["name"])
		if !slices.Contains(inTemplate, name) {
			add(where, "path-parameter", "path parameter %q is not in the path template", name)
		} else if !truthy(p["required"]) {
			add(where, "path-parameter", "path parameter %q is not marked required", name)
		}
	}
}

// walkRefs calls f with the location and target of every $ref under v.
func walkRefs(v any, at string, f func(at, ref string)) {
	switch c := v.(type) {
	case obj:
		if ref, ok := c["$ref"].(string); ok {
			f(at, ref)
		}
		for _, k := range sortedKeys(c) {
			walkRefs(c[k], at+"/"+strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1"), f)
		}
	case []any:
		for i, e := range c {
			walkRefs(e, fmt.Sprintf("%s/%d", at, i), f)
		}
	}
}
