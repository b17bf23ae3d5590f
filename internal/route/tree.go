package route

// This file implements the matching tree.
//
// There is one tree for all methods. Each level of the tree consumes one
// "/"-separated segment of the path; a node has literal children keyed by the
// segment text (the key "/" is the trailing slash of a {$} pattern), at most
// one child for a single wildcard {x}, and at most one for a multi wildcard
// {x...} or trailing slash. A node where patterns end holds one leaf per
// method, and every node carries two method bitmasks: the methods that end at
// it and the methods that end anywhere below it.
//
// Why one tree with per-node method tables rather than net/http's tree per
// method: REST APIs register several methods on the same path (the GitHub set
// has 203 routes on 142 paths), so one tree is smaller; the 405 Allow list is
// a single walk that ORs the masks of every node the path reaches, instead of
// one full match per method; and the "below" mask lets a search for one method
// skip subtrees that hold only other methods' routes, so sharing costs the hot
// path one AND per node.
//
// The tree is a trie of whole segments, not of bytes. Wildcards are whole
// segments, so a byte-level radix tree would only help literal prefixes, and
// comparing a whole segment is a single length check plus memequal.
//
// The "more specific wins" precedence rule can require backtracking. Given
//
//	/a/b/z
//	/a/{x}/c
//
// the path "/a/b/c" first follows the literal "b" and fails at "c", then
// retries "b" as the wildcard {x}. At every node the search tries, in order,
// the literal child, the single wildcard, then the multi wildcard. Because
// conflicting patterns are rejected at registration (see conflict.go), the
// first leaf found for the method is the unique most specific match; this is
// the argument of net/http's routing_tree.go, applied to each method's
// routes, which the per-node masks filter without changing the order.
// Each node is visited at most once per search, so a search is linear in the
// size of the tree in the worst case and proportional to the path length in
// the usual one. The search allocates nothing: wildcard values are substrings
// of the path, stored in the caller's [Params].

import "strings"

// maxLinearChildren is the number of literal children searched linearly
// before a node builds a map. Small slices beat a map lookup (hashing the
// segment) for the fan-outs typical of REST APIs.
const maxLinearChildren = 8

// A node is a node of the matching tree.
type node[T any] struct {
	keys  []string   // literal child keys
	kids  []*node[T] // literal children, parallel to keys
	index map[string]*node[T]

	wild  *node[T] // child for a single wildcard {x}
	multi *node[T] // child for {x...} or a trailing slash; always a leaf

	leaves []leaf[T] // patterns ending here, one per method
	here   uint64    // methods of leaves
	below  uint64    // methods of leaves at or below this node
}

// A leaf is a registered route.
type leaf[T any] struct {
	bit uint64
	pat *Pattern
	val T
}

// add inserts the route for the method bit along segs.
func (n *node[T]) add(segs []segment, l leaf[T]) {
	n.below |= l.bit
	for _, s := range segs {
		switch {
		case s.multi:
			if n.multi == nil {
				n.multi = &node[T]{}
			}
			n = n.multi
		case s.wild:
			if n.wild == nil {
				n.wild = &node[T]{}
			}
			n = n.wild
		default:
			n = n.literal(s.s)
		}
		n.below |= l.bit
	}
	n.leaves = append(n.leaves, l)
	n.here |= l.bit
}

// literal returns the literal child for key, creating it if needed.
func (n *node[T]) literal(key string) *node[T] {
	if c := n.child(key); c != nil {
		return c
	}
	c := &node[T]{}
	n.keys = append(n.keys, key)
	n.kids = append(n.kids, c)
	if len(n.keys) > maxLinearChildren {
		if n.index == nil {
			n.index = make(map[string]*node[T], len(n.keys))
			for i, k := range n.keys {
				n.index[k] = n.kids[i]
			}
		}
		n.index[key] = c
	}
	return c
}

// child returns the literal child for key, or nil.
func (n *node[T]) child(key string) *node[T] {
	if n.index != nil {
		return n.index[key]
	}
	for i, k := range n.keys {
		if k == key {
			return n.kids[i]
		}
	}
	return nil
}

// leaf returns the leaf for the method bit; n.here&bit must be set.
func (n *node[T]) leaf(bit uint64) *leaf[T] {
	for i := range n.leaves {
		if n.leaves[i].bit == bit {
			return &n.leaves[i]
		}
	}
	return nil
}

// match returns the most specific leaf for the method bit that matches path,
// pushing wildcard values onto ps. On failure ps is left as it was.
// path is empty or starts with "/".
func (n *node[T]) match(path string, bit uint64, ps *Params) *leaf[T] {
	if n.below&bit == 0 {
		return nil
	}
	if path == "" {
		if n.here&bit == 0 {
			return nil
		}
		return n.leaf(bit)
	}
	seg, rest := firstSegment(path)
	if c := n.child(seg); c != nil {
		if l := c.match(rest, bit, ps); l != nil {
			return l
		}
	}
	// A single wildcard matches neither the trailing slash nor an empty
	// segment ("//" in an uncleaned path).
	if n.wild != nil && seg != "/" && seg != "" {
		k := ps.n
		ps.push(seg)
		if l := n.wild.match(rest, bit, ps); l != nil {
			return l
		}
		ps.truncate(k)
	}
	if c := n.multi; c != nil && c.here&bit != 0 {
		l := c.leaf(bit)
		if l.pat.multiParam() {
			ps.push(path[1:]) // the rest of the path, without its leading slash
		}
		return l
	}
	return nil
}

// methods returns the set of methods with at least one route matching path.
// It is match without the method filter and without stopping at the first hit.
func (n *node[T]) methods(path string) uint64 {
	if path == "" {
		return n.here
	}
	var set uint64
	if n.multi != nil {
		set = n.multi.here
	}
	seg, rest := firstSegment(path)
	if c := n.child(seg); c != nil && c.below&^set != 0 {
		set |= c.methods(rest)
	}
	if c := n.wild; c != nil && seg != "/" && seg != "" && c.below&^set != 0 {
		set |= c.methods(rest)
	}
	return set
}

// firstSegment splits path, which starts with "/", into its first segment and
// the rest. A lone "/" is the segment "/" (a trailing slash) with rest "".
func firstSegment(path string) (seg, rest string) {
	if path == "/" {
		return "/", ""
	}
	path = path[1:]
	if i := strings.IndexByte(path, '/'); i >= 0 {
		return path[:i], path[i:]
	}
	return path, ""
}
