package route

// This file decides whether two routes may coexist. It ports the "more
// specific than" relation of net/http's pattern.go (comparePaths,
// compareSegments, combineRelationships) so that roux accepts and rejects
// exactly the route sets that http.ServeMux does, and so that the tree's
// first-found match is always the unique most specific one.
//
// Registration compares a new route against every existing route of the same
// method (and GET against HEAD, see below): O(n) per Add. That is cheap at
// registration time for any realistic API, and keeps the rule in one place
// instead of a conflict index that must agree with it.

import (
	"errors"
	"fmt"
	"strings"
)

// ErrDuplicate is wrapped by a [*ConflictError] whose two patterns match
// exactly the same paths for the same method, as "/a/{x}" and "/a/{y}" do.
var ErrDuplicate = errors.New("route: duplicate route")

// ConflictError reports a route that cannot be added because an existing one
// matches some of the same requests and neither is more specific.
type ConflictError struct {
	Method   string // method of the route being added
	Pattern  string // pattern of the route being added
	Existing string // pattern of the route already registered

	// ExistingMethod is the method of the existing route. It equals Method,
	// except when a HEAD route conflicts with a GET route (GET routes also
	// answer HEAD requests).
	ExistingMethod string

	reason string
	dup    bool
}

// Error describes both routes and why they conflict.
func (e *ConflictError) Error() string {
	existing := e.Existing
	if e.ExistingMethod != "" && e.ExistingMethod != e.Method {
		existing = e.ExistingMethod + " " + existing
	}
	msg := fmt.Sprintf("route: %s %s conflicts with %s", e.Method, e.Pattern, existing)
	if e.reason != "" {
		msg += ": " + e.reason
	}
	return msg
}

// Unwrap returns [ErrDuplicate] for equivalent patterns and nil otherwise.
func (e *ConflictError) Unwrap() error {
	if e.dup {
		return ErrDuplicate
	}
	return nil
}

// checkConflict returns a *ConflictError if the route (m1, p1) may not be
// registered next to the existing route (m2, p2), and nil otherwise.
func checkConflict(m1 string, p1 *Pattern, m2 string, p2 *Pattern) error {
	prel := p1.comparePaths(p2)
	rel := prel
	switch {
	case m1 == m2:
	case m1 == "GET" && m2 == "HEAD":
		rel = combineRelationships(moreGeneral, prel)
	case m1 == "HEAD" && m2 == "GET":
		rel = combineRelationships(moreSpecific, prel)
	default:
		return nil
	}
	if rel != equivalent && rel != overlaps {
		return nil
	}
	e := &ConflictError{Method: m1, Pattern: p1.str, Existing: p2.str, ExistingMethod: m2}
	switch {
	case rel == equivalent:
		e.dup = true
		e.reason = "both match exactly the same paths (wildcard names do not count); remove one"
	case prel == overlaps:
		e.reason = fmt.Sprintf("both match %q and neither is more specific; add a route for the paths they share or make one of them more specific", commonPath(p1, p2))
	default:
		// A GET and a HEAD route whose paths nest the wrong way round: a HEAD
		// request would be served by the HEAD route although the GET route is
		// more specific. net/http rejects this too.
		get, head := p1, p2
		if m1 == "HEAD" {
			get, head = p2, p1
		}
		e.reason = fmt.Sprintf("GET routes also answer HEAD, and GET %s is more specific than HEAD %s; both match %q", get, head, commonPath(p1, p2))
	}
	return e
}

// A relationship is the relationship between the sets of paths matched by two
// patterns.
type relationship string

const (
	equivalent   relationship = "equivalent"   // same paths
	moreGeneral  relationship = "moreGeneral"  // p1 matches a strict superset of p2's paths
	moreSpecific relationship = "moreSpecific" // p1 matches a strict subset of p2's paths
	disjoint     relationship = "disjoint"     // no path in common
	overlaps     relationship = "overlaps"     // some paths in common, neither a subset
)

// comparePaths determines the relationship between the paths matched by p1
// and p2. It is net/http's pattern.comparePaths.
func (p1 *Pattern) comparePaths(p2 *Pattern) relationship {
	// Without a trailing multi, a pattern only matches paths with exactly as
	// many segments as it has.
	if len(p1.segs) != len(p2.segs) && !p1.last().multi && !p2.last().multi {
		return disjoint
	}
	var segs1, segs2 []segment
	rel := equivalent
	for segs1, segs2 = p1.segs, p2.segs; len(segs1) > 0 && len(segs2) > 0; segs1, segs2 = segs1[1:], segs2[1:] {
		rel = combineRelationships(rel, compareSegments(segs1[0], segs2[0]))
		if rel == disjoint {
			return rel
		}
	}
	if len(segs1) == 0 && len(segs2) == 0 {
		return rel
	}
	// The shorter pattern must end in a multi, which is more general than the
	// remainder of the longer one.
	if len(segs1) < len(segs2) && p1.last().multi {
		return combineRelationships(rel, moreGeneral)
	}
	if len(segs2) < len(segs1) && p2.last().multi {
		return combineRelationships(rel, moreSpecific)
	}
	return disjoint
}

// compareSegments compares two corresponding segments.
func compareSegments(s1, s2 segment) relationship {
	switch {
	case s1.multi && s2.multi:
		return equivalent
	case s1.multi:
		return moreGeneral
	case s2.multi:
		return moreSpecific
	case s1.wild && s2.wild:
		return equivalent
	case s1.wild:
		if s2.s == "/" { // a single wildcard never matches a trailing slash
			return disjoint
		}
		return moreGeneral
	case s2.wild:
		if s1.s == "/" {
			return disjoint
		}
		return moreSpecific
	case s1.s == s2.s:
		return equivalent
	}
	return disjoint
}

// combineRelationships combines the relationship of a prefix of two patterns
// with that of the next segments.
func combineRelationships(r1, r2 relationship) relationship {
	switch r1 {
	case equivalent:
		return r2
	case disjoint:
		return disjoint
	case overlaps:
		if r2 == disjoint {
			return disjoint
		}
		return overlaps
	}
	// r1 is moreGeneral or moreSpecific.
	switch r2 {
	case equivalent:
		return r1
	case inverseRelationship(r1):
		return overlaps
	}
	return r2
}

func inverseRelationship(r relationship) relationship {
	switch r {
	case moreSpecific:
		return moreGeneral
	case moreGeneral:
		return moreSpecific
	}
	return r
}

// commonPath returns a path that both p1 and p2 match; there must be one.
// Wildcards are shown by their names, so "/a/{x}" and "/{y}/b" give "/a/b".
func commonPath(p1, p2 *Pattern) string {
	var b strings.Builder
	var segs1, segs2 []segment
	for segs1, segs2 = p1.segs, p2.segs; len(segs1) > 0 && len(segs2) > 0; segs1, segs2 = segs1[1:], segs2[1:] {
		if s1 := segs1[0]; s1.wild {
			writeSegment(&b, segs2[0])
		} else {
			writeSegment(&b, s1)
		}
	}
	for _, s := range segs1 {
		writeSegment(&b, s)
	}
	for _, s := range segs2 {
		writeSegment(&b, s)
	}
	return b.String()
}

func writeSegment(b *strings.Builder, s segment) {
	b.WriteByte('/')
	if !s.multi && s.s != "/" {
		b.WriteString(s.s)
	}
}
