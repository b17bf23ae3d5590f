package conformance

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"pgregory.net/rapid"
)

// A mutation turns a valid request into an invalid one in one way.
type mutation struct {
	name string
	// status is what roux must answer: every one of them must also be
	// documented for the operation.
	status []int
	// oracle is false when kin-openapi cannot see the fault (a body over
	// the size limit is well-formed), so its verdict is not compared.
	oracle bool
	apply  func(t *rapid.T, r *request)
}

// paramMutations breaks one parameter: a value that does not parse, one
// that breaks a keyword, or leaving out a required one.
func paramMutations(op *openapi3.Operation) []mutation {
	var out []mutation
	for _, pr := range op.Parameters {
		p := pr.Value
		s := p.Schema.Value
		var bad []violation
		switch schemaType(s) {
		case "integer":
			bad = append(bad, violation{"type", "abc"}, violation{"type", "1.5"})
		case "number":
			bad = append(bad, violation{"type", "abc"})
		case "boolean":
			bad = append(bad, violation{"type", "maybe"})
		}
		for _, v := range violations(s) {
			if !strings.HasPrefix(v.keyword, "type") {
				bad = append(bad, v)
			}
		}
		for _, v := range bad {
			text := fmt.Sprint(v.value)
			if _, isArray := v.value.([]any); !isArray {
				text = paramText(v.value)
			}
			status := []int{422}
			if p.In == "header" && strings.EqualFold(p.Name, "If-Match") && text == "" {
				status = []int{422, 428} // an empty If-Match is none: 428 where it is required
			}
			if p.In == "header" && strings.EqualFold(p.Name, "Idempotency-Key") {
				status = []int{400} // roux.Idempotent answers a malformed key 400, before the input is read
			}
			out = append(out, mutation{
				name:   fmt.Sprintf("%s parameter %s=%q breaks %s", p.In, p.Name, text, v.keyword),
				status: status,
				oracle: true,
				apply:  func(_ *rapid.T, r *request) { r.setValue(p, v.value) },
			})
		}
		if p.Required && p.In != "path" {
			status := []int{422}
			if p.In == "header" && strings.EqualFold(p.Name, "If-Match") {
				status = []int{428} // Precondition Required (RFC 6585)
			}
			out = append(out, mutation{
				name:   fmt.Sprintf("required %s parameter %s missing", p.In, p.Name),
				status: status,
				oracle: true,
				apply:  func(_ *rapid.T, r *request) { r.deleteParam(p.In, p.Name) },
			})
		}
	}
	return out
}

// bodyMutations breaks the JSON body: its syntax, media type, size, or
// one value or member anywhere in it.
func bodyMutations(rb *openapi3.RequestBody, body any) []mutation {
	s := rb.Content.Get("application/json").Schema.Value
	out := []mutation{
		{"malformed JSON", []int{400}, true, func(_ *rapid.T, r *request) { r.raw = []byte(`{"name":`) }},
		{"duplicate member", []int{400}, false, func(_ *rapid.T, r *request) {
			// kin-openapi decodes with encoding/json, which keeps the last
			// duplicate; RFC 8259 leaves it open, roux rejects it.
			raw, _ := json.Marshal(r.body)
			if m, ok := r.body.(map[string]any); ok && len(m) > 0 {
				k := sortedKeys(m)[0]
				v, _ := json.Marshal(m[k])
				raw = append([]byte(fmt.Sprintf(`{%q:%s,`, k, v)), raw[1:]...)
			}
			r.raw = raw
		}},
		{"text/plain body", []int{415}, true, func(_ *rapid.T, r *request) { r.contentType = "text/plain" }},
		{"body over 1 MiB", []int{413}, false, func(_ *rapid.T, r *request) {
			r.raw = []byte(`{"name":"` + strings.Repeat("a", 1<<20+1) + `"}`)
		}},
	}
	if rb.Required {
		out = append(out, mutation{"required body missing", []int{400, 422}, true, func(_ *rapid.T, r *request) {
			r.raw, r.contentType = []byte{}, "application/json"
		}})
	}
	for _, v := range violations(s) {
		out = append(out, mutation{fmt.Sprintf("body %s breaks %s", jsonText(v.value), v.keyword), []int{422}, true,
			func(_ *rapid.T, r *request) { r.body = v.value }})
	}
	return append(out, valueMutations(s, body, nil)...)
}

// valueMutations breaks the value at path (within body) or below it.
func valueMutations(s *openapi3.Schema, v any, path []any) []mutation {
	var out []mutation
	at := pointer(path)
	switch schemaType(s) {
	case "object":
		obj, _ := v.(map[string]any)
		for _, name := range sortedKeys(s.Properties) {
			p := s.Properties[name].Value
			if p.ReadOnly {
				continue
			}
			child := append(slices.Clone(path), name)
			for _, bad := range violations(p) {
				out = append(out, setMutation(child, bad))
			}
			if cv, ok := obj[name]; ok {
				out = append(out, valueMutations(p, cv, child)...)
			}
			if slices.Contains(s.Required, name) {
				out = append(out, mutation{fmt.Sprintf("required member %s missing", pointer(child)), []int{422}, true,
					func(_ *rapid.T, r *request) { r.body = deleteAt(r.body, child) }})
			}
		}
		if s.AdditionalProperties.Has != nil && !*s.AdditionalProperties.Has {
			child := append(slices.Clone(path), "unexpectedMember")
			out = append(out, setMutation(child, violation{"additionalProperties", true}))
		}
	case "array":
		arr, _ := v.([]any)
		item := s.Items.Value
		child := append(slices.Clone(path), 0)
		for _, bad := range violations(item) {
			out = append(out, mutation{fmt.Sprintf("%s item %s breaks %s", at, jsonText(bad.value), bad.keyword), []int{422}, true,
				func(_ *rapid.T, r *request) {
					r.body = setAt(r.body, path, append([]any{bad.value}, arr...))
				}})
		}
		if len(arr) > 0 {
			out = append(out, valueMutations(item, arr[0], child)...)
		}
		if s.MaxItems != nil {
			out = append(out, mutation{fmt.Sprintf("%s with maxItems+1 items", at), []int{422}, true,
				func(t *rapid.T, r *request) {
					long := slices.Clone(arr)
					for i := 0; len(long) <= int(*s.MaxItems) && i < 1000; i++ {
						e := validValue(t, item, fmt.Sprintf("extra item %d", i), true)
						if !slices.ContainsFunc(long, func(w any) bool { return jsonText(w) == jsonText(e) }) {
							long = append(long, e)
						}
					}
					r.body = setAt(r.body, path, long)
				}})
		}
		if s.UniqueItems && len(arr) > 0 {
			out = append(out, mutation{fmt.Sprintf("%s with a repeated item", at), []int{422}, true,
				func(_ *rapid.T, r *request) { r.body = setAt(r.body, path, append([]any{arr[0]}, arr...)) }})
		}
	}
	return out
}

func setMutation(path []any, bad violation) mutation {
	return mutation{fmt.Sprintf("member %s = %s breaks %s", pointer(path), jsonText(bad.value), bad.keyword), []int{422}, true,
		func(_ *rapid.T, r *request) { r.body = setAt(r.body, path, bad.value) }}
}

// setAt returns root with the value at path replaced by v; root is
// changed in place where it can be.
func setAt(root any, path []any, v any) any {
	if len(path) == 0 {
		return v
	}
	switch c := root.(type) {
	case map[string]any:
		k := path[0].(string)
		c[k] = setAt(c[k], path[1:], v)
		return c
	case []any:
		i := path[0].(int)
		if i < len(c) {
			c[i] = setAt(c[i], path[1:], v)
		}
		return c
	}
	return root
}

func deleteAt(root any, path []any) any {
	if len(path) == 1 {
		if m, ok := root.(map[string]any); ok {
			delete(m, path[0].(string))
		}
		return root
	}
	switch c := root.(type) {
	case map[string]any:
		k := path[0].(string)
		c[k] = deleteAt(c[k], path[1:])
	case []any:
		if i := path[0].(int); i < len(c) {
			c[i] = deleteAt(c[i], path[1:])
		}
	}
	return root
}

func pointer(path []any) string {
	var b strings.Builder
	for _, p := range path {
		fmt.Fprintf(&b, "/%v", p)
	}
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 60 {
		return string(b[:57]) + "..."
	}
	return string(b)
}

// clone deep-copies a JSON value.
func clone(v any) any {
	b, _ := json.Marshal(v)
	var out any
	json.Unmarshal(b, &out)
	return out
}
