package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// A document is an OpenAPI document decoded into plain JSON values, so
// that 3.0 and 3.1 documents, and members roux does not know, are read
// alike. Numbers are kept as json.Number to compare bounds exactly.
type document struct {
	root obj
}

type obj = map[string]any

// methods are the operation keys of a path item, in report order.
var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// operation is one method of one path, with its path item's parameters.
type operation struct {
	method, path string
	op           obj
	itemParams   []any
}

func (o operation) String() string { return strings.ToUpper(o.method) + " " + o.path }

func load(file string) (*document, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("roux: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var root obj
	if err := dec.Decode(&root); err != nil {
		if t := bytes.TrimSpace(b); len(t) > 0 && t[0] != '{' {
			return nil, fmt.Errorf("roux: %s is not a JSON document (YAML is not read; print the document with -format json): %v", file, err)
		}
		return nil, fmt.Errorf("roux: %s: %w", file, err)
	}
	v, _ := root["openapi"].(string)
	if !strings.HasPrefix(v, "3.") {
		return nil, fmt.Errorf("roux: %s is not an OpenAPI 3 document (openapi is %q)", file, v)
	}
	return &document{root: root}, nil
}

// operations returns every operation, sorted by path then method.
func (d *document) operations() []operation {
	paths, _ := d.root["paths"].(obj)
	var ops []operation
	for _, p := range sortedKeys(paths) {
		item, _ := d.resolve(paths[p]).(obj)
		itemParams, _ := item["parameters"].([]any)
		for _, m := range methods {
			if op, ok := item[m].(obj); ok {
				ops = append(ops, operation{method: m, path: p, op: op, itemParams: itemParams})
			}
		}
	}
	return ops
}

// parameters returns the operation's parameters, resolved, with the
// path item's merged in (the operation's win), keyed by in+" "+name.
func (d *document) parameters(o operation) map[string]obj {
	out := map[string]obj{}
	for _, list := range [][]any{o.itemParams, asSlice(o.op["parameters"])} {
		for _, p := range list {
			if p, ok := d.resolve(p).(obj); ok {
				out[str(p["in"])+" "+str(p["name"])] = p
			}
		}
	}
	return out
}

// resolve follows local $refs ("#/..."); anything else is returned as is.
// A reference it cannot follow resolves to nil.
func (d *document) resolve(v any) any {
	for range 32 { // a chain of refs longer than this is a cycle
		m, ok := v.(obj)
		if !ok {
			return v
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return v
		}
		v = d.pointer(ref)
	}
	return nil
}

// pointer returns the value at a local reference such as
// "#/components/schemas/Dish", or nil.
func (d *document) pointer(ref string) any {
	if !strings.HasPrefix(ref, "#") {
		return nil
	}
	var v any = d.root
	for _, tok := range strings.Split(strings.TrimPrefix(ref, "#"), "/")[1:] {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := v.(type) {
		case obj:
			v = c[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			v = c[i]
		default:
			return nil
		}
	}
	return v
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func str(v any) string { s, _ := v.(string); return s }

func asSlice(v any) []any { s, _ := v.([]any); return s }

func asObj(v any) obj { m, _ := v.(obj); return m }

func truthy(v any) bool { b, _ := v.(bool); return b }

// pathParams returns the names of the template's {parameters}.
func pathParams(path string) []string {
	var names []string
	for {
		i := strings.IndexByte(path, '{')
		if i < 0 {
			return names
		}
		j := strings.IndexByte(path[i:], '}')
		if j < 0 {
			return names
		}
		names = append(names, path[i+1:i+j])
		path = path[i+j+1:]
	}
}
