package validate

import "slices"

// settle marks the nodes from which a check is reachable and cuts the
// edges to the others. Nodes of earlier Compile calls are settled already.
func settle(nodes []*node) {
	for changed := true; changed; {
		changed = false
		for _, n := range nodes {
			if !n.live && n.reaches() {
				n.live, changed = true, true
			}
		}
	}
	for _, n := range nodes {
		n.also = slices.DeleteFunc(n.also, func(a *node) bool { return !a.live })
		n.fields = slices.DeleteFunc(n.fields, func(m member) bool { return !m.node.live })
		if n.elem != nil && !n.elem.live {
			n.elem = nil
		}
		if n.elem == nil && len(n.fields) == 0 && n.kind != kindCustom {
			n.kind = kindLeaf
		}
	}
}

func (n *node) reaches() bool {
	if len(n.checks) > 0 || n.custom != nil || (n.elem != nil && n.elem.live) {
		return true
	}
	for _, a := range n.also {
		if a.live {
			return true
		}
	}
	for _, m := range n.fields {
		if m.node.live {
			return true
		}
	}
	return false
}
