// Package route is roux's HTTP router: a method-aware tree that maps a
// request's method and path to a registered value, using the path syntax and
// precedence rules of net/http's ServeMux (Go 1.22+), with conflict detection
// at registration and zero allocations per match.
//
//	r := route.New[http.Handler]()
//	err := r.Add("GET", "/dishes/{id}", h)
//	...
//	var ps route.Params
//	h, pat, allow, ok := r.Lookup(req.Method, req.URL.Path, &ps)
//	// pat.Params()[i] names ps.Value(i)
//
// # Patterns
//
// A pattern starts with "/" and is a sequence of "/"-separated segments.
// It names no host and no method (the method is a separate argument of
// [Router.Add]). Each segment is one of:
//
//	literal    matches itself, byte for byte (case-sensitive)
//	{name}     matches any one non-empty segment; name is a Go identifier
//	{name...}  last segment only: matches the rest of the path, which may be
//	           empty or contain slashes
//	{$}        last segment only: matches only the path ending in that
//	           trailing slash ("/a/{$}" matches "/a/" and nothing below it)
//
// A pattern ending in "/" matches that path and every path below it, exactly
// as with net/http: "/static/" behaves like "/static/{rest...}" without
// recording a value. The pattern "/" therefore matches every path that no
// more specific pattern matches. Use "/{$}" for the root alone.
//
// Wildcards must be whole segments ("/a{x}" is an error), names must be unique
// within a pattern, and braces may not appear anywhere else. Empty segments
// ("//") and "." or ".." segments are rejected because they never match a
// cleaned path. [ParsePattern] reports errors with the segment number and a
// hint, e.g.
//
//	route: pattern "/a/{id": missing closing brace in segment 2
//
// # Matching
//
// The router does not clean or unescape paths; the caller passes r.URL.Path
// (or r.URL.RawPath when set), redirects unclean paths if it wants to, and
// unescapes wildcard values. A {name} wildcard never matches an empty segment
// or the trailing slash, so "/a/{x}" does not match "/a/" or "/a//b".
// "/a/{x...}" matches "/a/" (with x empty) but not "/a".
//
// A GET route also answers HEAD requests, unless a HEAD route matches the path.
// When the path matches routes of other methods only, [Router.Lookup] reports
// the Allow list (always including OPTIONS, and HEAD with GET) so the caller
// can answer 405, or 204 to an OPTIONS request.
//
// # Precedence and conflicts
//
// When several patterns of a method match a path, the most specific one wins:
// pattern P1 is more specific than P2 if P1 matches a strict subset of P2's
// paths. So a literal segment beats a wildcard in the same position, {x}
// beats {x...}, and "/a/b/" beats "/a/". The decision is made segment by
// segment from the left, backtracking when needed: with "/a/b/c" and
// "/a/{x}/d", the path "/a/b/d" matches the second.
//
// Two patterns of the same method conflict if some path matches both and
// neither is more specific, such as "/a/{x}" and "/{y}/b" (both match
// "/a/b"). [Router.Add] rejects the later one with a *[ConflictError], as
// ServeMux would panic; equivalent patterns ("/a/{x}" and "/a/{y}") are
// rejected as duplicates. As in net/http, a HEAD route also conflicts with a
// GET route whose path is more specific or overlapping. "/a/b" and "/a/{x}",
// or "/{x}" and "/{x...}", do not conflict: the first of each pair is more
// specific.
package route
