package openapi

import "strings"

// dropWebhooks removes the document's webhooks, which OpenAPI 3.0 lacks,
// and the component schemas that only they used (directly or through
// other schemas), which would otherwise be left unused. Schemas unused
// before are kept: they are the author's.
func dropWebhooks(d *object) {
	hooks, ok := d.get("webhooks")
	if !ok {
		return
	}
	d.del("webhooks")
	comps := d.member("components")
	if comps == nil {
		return
	}
	schemas := comps.member("schemas")
	if schemas == nil {
		return
	}
	fromHooks := schemaRefs(schemas, hooks)
	if len(fromHooks) == 0 {
		return
	}
	// Everything but the schemas themselves: paths, other components.
	rest := schemaRefs(schemas, withoutMember(d, "components"), withoutMember(comps, "schemas"))
	for name := range fromHooks {
		if !rest[name] {
			schemas.del(name)
		}
	}
}

// withoutMember returns a shallow copy of o without member k.
func withoutMember(o *object, k string) *object {
	c := newObject()
	for _, key := range o.keys {
		if key != k {
			c.set(key, o.vals[key])
		}
	}
	return c
}

// schemaRefs returns the names of the component schemas the values vs
// refer to, and those these refer to, and so on.
func schemaRefs(schemas *object, vs ...any) map[string]bool {
	found := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case *object:
			if ref, ok := v.vals["$ref"].(string); ok {
				if name, ok := strings.CutPrefix(ref, "#/components/schemas/"); ok {
					name = strings.ReplaceAll(strings.ReplaceAll(name, "~1", "/"), "~0", "~")
					if !found[name] {
						found[name] = true
						walk(schemas.vals[name])
					}
				}
			}
			for _, k := range v.keys {
				walk(v.vals[k])
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	for _, v := range vs {
		walk(v)
	}
	return found
}
