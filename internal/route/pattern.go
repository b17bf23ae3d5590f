package route

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// A Pattern is a parsed path pattern such as "/repos/{owner}/{repo}" or
// "/static/". Patterns are immutable once parsed and safe for concurrent use.
type Pattern struct {
	str    string
	segs   []segment
	params []string // wildcard names in order; excludes {$} and anonymous multis
}

// A segment is one element of a pattern, represented the way net/http's
// pattern.go does so that the precedence rules can be ported verbatim:
//
//	literal "a"        segment{s: "a"}
//	{$}                segment{s: "/"}   (a literal trailing slash)
//	{x}                segment{s: "x", wild: true}
//	{x...}             segment{s: "x", wild: true, multi: true}
//	trailing "/"       segment{wild: true, multi: true} (anonymous multi)
type segment struct {
	s     string
	wild  bool
	multi bool
}

// PatternError reports a pattern that cannot be parsed.
type PatternError struct {
	Pattern string
	Seg     int    // 1-based number of the offending segment, or 0 for the whole pattern
	Msg     string // what is wrong
	Hint    string // how to fix it; may be empty
}

// Error returns the message, e.g.
// `route: pattern "/a/{id": missing closing brace in segment 2`.
func (e *PatternError) Error() string {
	msg := fmt.Sprintf("route: pattern %q: %s", e.Pattern, e.Msg)
	if e.Seg > 0 {
		msg += fmt.Sprintf(" in segment %d", e.Seg)
	}
	if e.Hint != "" {
		msg += " (" + e.Hint + ")"
	}
	return msg
}

// ParsePattern parses s as a path pattern; see the package documentation for
// the syntax. Errors are of type *[PatternError] and say how to fix the pattern.
func ParsePattern(s string) (*Pattern, error) {
	if s == "" {
		return nil, &PatternError{s, 0, "empty pattern", `use "/" to match every path`}
	}
	if s[0] != '/' {
		return nil, &PatternError{s, 0, `must start with "/"`, ""}
	}
	p := &Pattern{str: s}
	rest := s
	for n := 1; rest != ""; n++ {
		rest = rest[1:] // drop the leading slash
		if rest == "" {
			// Trailing slash: matches this directory and everything below it.
			p.segs = append(p.segs, segment{wild: true, multi: true})
			break
		}
		seg := rest
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			seg, rest = rest[:i], rest[i:]
		} else {
			rest = ""
		}
		sg, msg, hint := parseSegment(seg, rest == "")
		if msg != "" {
			return nil, &PatternError{s, n, msg, hint}
		}
		if sg.wild {
			if slices.Contains(p.params, sg.s) {
				return nil, &PatternError{s, n, fmt.Sprintf("duplicate wildcard name %q", sg.s), "rename one"}
			}
			p.params = append(p.params, sg.s)
		}
		p.segs = append(p.segs, sg)
	}
	return p, nil
}

// parseSegment parses one slash-free segment. last reports whether it is the
// final segment of the pattern. On error it returns a message and a hint.
func parseSegment(seg string, last bool) (_ segment, msg, hint string) {
	switch seg {
	case "":
		return segment{}, "empty segment", `remove the doubled "/"`
	case ".", "..":
		return segment{}, fmt.Sprintf("%q", seg), `"." and ".." never match a cleaned path`
	}
	lb := strings.IndexByte(seg, '{')
	rb := strings.IndexByte(seg, '}')
	switch {
	case lb < 0 && rb < 0:
		return segment{s: seg}, "", ""
	case lb < 0:
		return segment{}, `unmatched "}"`, "a wildcard looks like {name}"
	case lb > 0 || rb >= 0 && rb != len(seg)-1:
		return segment{}, "wildcard is not a whole segment", `write "/a/{x}", not "/a{x}"`
	case rb < 0:
		return segment{}, "missing closing brace", ""
	}
	name := seg[1 : len(seg)-1]
	if name == "$" {
		if !last {
			return segment{}, "{$} not at the end", "{$} must be the last segment"
		}
		return segment{s: "/"}, "", ""
	}
	name, multi := strings.CutSuffix(name, "...")
	if multi && !last {
		return segment{}, fmt.Sprintf("{%s...} not at the end", name), "a {name...} wildcard must be the last segment"
	}
	if name == "" {
		return segment{}, "empty wildcard name", "write {name} or {name...}"
	}
	if !isIdent(name) {
		return segment{}, fmt.Sprintf("bad wildcard name %q", name), "use a Go identifier"
	}
	return segment{s: name, wild: true, multi: multi}, "", ""
}

// isIdent reports whether s is a valid Go identifier, as net/http requires of
// wildcard names.
func isIdent(s string) bool {
	for i, c := range s {
		if !unicode.IsLetter(c) && c != '_' && (i == 0 || !unicode.IsDigit(c)) {
			return false
		}
	}
	return s != ""
}

// String returns the pattern as it was written.
func (p *Pattern) String() string { return p.str }

// Params returns the wildcard names in order of appearance ("{id}" -> "id",
// "{rest...}" -> "rest"). "{$}" and the anonymous wildcard of a trailing
// slash are not params. The caller owns the returned slice.
func (p *Pattern) Params() []string { return slices.Clone(p.params) }

// last returns the final segment; every parsed pattern has at least one.
func (p *Pattern) last() segment { return p.segs[len(p.segs)-1] }

// multiParam reports whether the pattern ends in a named {x...} wildcard,
// whose match is recorded as a param.
func (p *Pattern) multiParam() bool {
	l := p.last()
	return l.multi && l.s != ""
}
