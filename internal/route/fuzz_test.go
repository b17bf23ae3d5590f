package route

import (
	"slices"
	"strings"
	"testing"
)

func FuzzParsePattern(f *testing.F) {
	for _, s := range []string{
		"/", "/{$}", "/a/b", "/a/", "/a/{x}", "/{x}/b/{y...}", "/a/{$}", "/{x}/", "/{é_1}",
		"", "a", "//", "/a/{", "/{}", "/{x...}/a", "/{$}/", "/a{b}", "/}", "/{x}/{x}", "/./..", "/%7B/{x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePattern(s)
		if err != nil {
			if p != nil {
				t.Fatalf("got pattern %v with error %v", p, err)
			}
			if !strings.HasPrefix(err.Error(), "route: pattern ") {
				t.Fatalf("error %q lacks the package prefix", err)
			}
			return
		}
		if got := p.String(); got != s {
			t.Fatalf("String: got %q, want %q", got, s)
		}
		if got := renderSegments(p.segs); got != s {
			t.Fatalf("segments render as %q, want %q", got, s)
		}
		p2, err := ParsePattern(p.String())
		if err != nil || !slices.Equal(p2.segs, p.segs) || !slices.Equal(p2.Params(), p.Params()) {
			t.Fatalf("reparse of %q: got %v %v, want %v", s, p2, err, p.segs)
		}
		if got := p.comparePaths(p2); got != equivalent {
			t.Fatalf("comparePaths with itself: got %v, want %v", got, equivalent)
		}
	})
}

// renderSegments writes segments back in pattern syntax.
func renderSegments(segs []segment) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteByte('/')
		switch {
		case s.multi && s.s != "":
			b.WriteString("{" + s.s + "...}")
		case s.multi:
		case s.wild:
			b.WriteString("{" + s.s + "}")
		case s.s == "/":
			b.WriteString("{$}")
		default:
			b.WriteString(s.s)
		}
	}
	return b.String()
}

// refMatch is a naive matcher for one pattern, the oracle for FuzzLookup.
func refMatch(p *Pattern, path string) (vals []string, ok bool) {
	if path == "" || path[0] != '/' {
		return nil, false
	}
	for _, s := range p.segs {
		if s.multi {
			if path == "" {
				return nil, false
			}
			if s.s != "" {
				vals = append(vals, path[1:])
			}
			return vals, true
		}
		if path == "" {
			return nil, false
		}
		seg, rest := "/", ""
		if path != "/" {
			seg = path[1:]
			if i := strings.IndexByte(seg, '/'); i >= 0 {
				seg, rest = seg[:i], seg[i:]
			}
		}
		switch {
		case s.wild && (seg == "" || seg == "/"):
			return nil, false
		case !s.wild && seg != s.s:
			return nil, false
		case s.wild:
			vals = append(vals, seg)
		}
		path = rest
	}
	return vals, path == ""
}

var fuzzRoutes = []string{
	"GET /", "GET /{$}", "GET /a", "GET /a/", "GET /a/{$}", "GET /a/b/c", "GET /a/{x}/d",
	"POST /a/{x}", "GET /b/{x...}", "GET /b/{x}", "GET /b/c/{$}", "PUT /b/{x}/c/",
	"DELETE /c/{x}/{y}/", "GET /c/{x}/{y}/{z}", "HEAD /d/{x}", "GET /d/{x}", "OPTIONS /e/",
	"GET /e/{x}", "PATCH /{x}/{y}/{z}", "PATCH /a/b/{z}", "PATCH /a/{y}/", "GET /a/b/c/{$}",
	"GET /{x}/{y}/c/{z...}", "PURGE /{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}/{j}", "PURGE /{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i...}",
}

func FuzzLookup(f *testing.F) {
	r := New[string]()
	var routes []Route
	for _, rt := range fuzzRoutes {
		method, pat, _ := strings.Cut(rt, " ")
		if r.Add(method, pat, rt) == nil {
			routes = r.Routes()
		}
	}
	for _, s := range []struct{ method, path string }{
		{"GET", "/"}, {"GET", "/a/b/d"}, {"HEAD", "/d/1"}, {"POST", "/a/"}, {"DELETE", "/c/1/2/"},
		{"GET", "/b/c/"}, {"PURGE", "/1/2/3/4/5/6/7/8/9/10"}, {"OPTIONS", "/e/x"}, {"GET", "//a//"},
		{"GET", ""}, {"GET", "*"}, {"BREW", "/a/b"}, {"GET", "/x/y/c/"},
	} {
		f.Add(s.method, s.path)
	}
	f.Fuzz(func(t *testing.T, method, path string) {
		var ps Params
		v, pat, allow, ok := r.Lookup(method, path, &ps)
		// The oracle: among the routes of the method (or GET, for HEAD without
		// a matching HEAD route) that match, the result is more specific than
		// all others.
		want, wantVals := refLookup(routes, method, path)
		if want == nil && method == "HEAD" {
			want, wantVals = refLookup(routes, "GET", path)
		}
		if ok != (want != nil) {
			t.Fatalf("%s %q: got %q ok=%v, want %v", method, path, v, ok, want)
		}
		if !ok {
			if ps.Len() != 0 {
				t.Fatalf("%s %q: got %d params on a miss, want 0", method, path, ps.Len())
			}
			if want := refAllow(routes, path); allow != want {
				t.Fatalf("%s %q: got allow %q, want %q", method, path, allow, want)
			}
			return
		}
		if pat != want.Pattern || !strings.HasSuffix(v, " "+pat.String()) {
			t.Fatalf("%s %q: got %q (%v), want %v", method, path, v, pat, want.Pattern)
		}
		if got := paramValues(&ps); !slices.Equal(got, wantVals) {
			t.Fatalf("%s %q: got params %q, want %q", method, path, got, wantVals)
		}
	})
}

// refLookup returns the most specific route of method matching path by brute
// force, and its wildcard values.
func refLookup(routes []Route, method, path string) (*Route, []string) {
	var best *Route
	var bestVals []string
	for i, rt := range routes {
		if rt.Method != method {
			continue
		}
		vals, ok := refMatch(rt.Pattern, path)
		if !ok {
			continue
		}
		if best == nil || rt.Pattern.comparePaths(best.Pattern) == moreSpecific {
			best, bestVals = &routes[i], vals
		}
	}
	return best, bestVals
}

// refAllow returns the Allow list for path by brute force.
func refAllow(routes []Route, path string) string {
	var methods []string
	for _, rt := range routes {
		if _, ok := refMatch(rt.Pattern, path); ok {
			methods = append(methods, rt.Method)
			if rt.Method == "GET" {
				methods = append(methods, "HEAD")
			}
		}
	}
	if len(methods) == 0 {
		return ""
	}
	methods = append(methods, "OPTIONS")
	slices.Sort(methods)
	return strings.Join(slices.Compact(methods), ", ")
}
