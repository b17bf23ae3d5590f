package openapi

// scopedTypes are the security scheme types whose requirements may list
// scopes in OpenAPI 3.0; for every other type "the array MUST be empty"
// (OpenAPI 3.0.3, Security Requirement Object). 3.1 lets any scheme list
// roles there.
var scopedTypes = map[string]bool{"oauth2": true, "openIdConnect": true}

// scopesExtension is the operation member where the 3.0 downgrade keeps
// the roles (scopes) a 3.1 security requirement lists for a scheme that
// may not list them in 3.0, such as an http bearer scheme carrying JWT
// scopes: {"scheme name": ["role", ...]}.
const scopesExtension = "x-roux-scopes"

// emptyRoleLists empties the scope lists of security requirements whose
// scheme is neither oauth2 nor openIdConnect — in the document's security
// and in every operation's, callbacks' operations included — and keeps
// each operation's lists in the extension x-roux-scopes. A requirement's scheme
// that the document does not define is left as it is.
func emptyRoleLists(d *object) {
	unscoped := map[string]bool{}
	if c := d.member("components"); c != nil {
		if ss := c.member("securitySchemes"); ss != nil {
			for _, name := range ss.keys {
				s := asObject(ss.vals[name])
				if s == nil {
					continue
				}
				if t, ok := s.vals["type"].(string); ok && !scopedTypes[t] {
					unscoped[name] = true
				}
			}
		}
	}
	if len(unscoped) == 0 {
		return
	}
	emptied := func(reqs any) *object {
		kept := newObject()
		list, _ := reqs.([]any)
		for _, r := range list {
			req := asObject(r)
			if req == nil {
				continue
			}
			for _, name := range req.keys {
				roles, _ := req.vals[name].([]any)
				if !unscoped[name] || len(roles) == 0 {
					continue
				}
				if prev, ok := kept.vals[name].([]any); ok {
					roles = appendNew(prev, roles)
				}
				kept.set(name, roles)
				req.vals[name] = []any{}
			}
		}
		return kept
	}
	emptied(d.vals["security"]) // the document's roles have no operation to keep them on
	var item func(p *object)
	item = func(p *object) {
		for _, m := range methods {
			op := p.member(m)
			if op == nil {
				continue
			}
			if kept := emptied(op.vals["security"]); len(kept.keys) > 0 {
				op.set(scopesExtension, kept)
			}
			if cbs := op.member("callbacks"); cbs != nil {
				for _, k := range cbs.keys {
					if cb := asObject(cbs.vals[k]); cb != nil {
						eachMember(cb, item)
					}
				}
			}
		}
	}
	if paths := d.member("paths"); paths != nil {
		eachMember(paths, item)
	}
	if c := d.member("components"); c != nil {
		if cbs := c.member("callbacks"); cbs != nil {
			for _, k := range cbs.keys {
				if cb := asObject(cbs.vals[k]); cb != nil {
					eachMember(cb, item)
				}
			}
		}
	}
}

// appendNew appends to list the values of more it does not hold yet.
func appendNew(list, more []any) []any {
	for _, v := range more {
		found := false
		for _, w := range list {
			if w == v {
				found = true
				break
			}
		}
		if !found {
			list = append(list, v)
		}
	}
	return list
}
