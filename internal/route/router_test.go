package route

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
)

// newTestRouter registers routes written as "METHOD /pattern", each with
// itself as the value.
func newTestRouter(t testing.TB, routes ...string) *Router[string] {
	t.Helper()
	r := New[string]()
	for _, rt := range routes {
		method, pat, _ := strings.Cut(rt, " ")
		if err := r.Add(method, pat, rt); err != nil {
			t.Fatalf("Add(%q, %q): %v", method, pat, err)
		}
	}
	return r
}

func paramValues(ps *Params) []string {
	var vals []string
	for i := range ps.Len() {
		vals = append(vals, ps.Value(i))
	}
	return vals
}

func TestLookup(t *testing.T) {
	t.Parallel()
	many := []string{"GET /users/{id}"}
	for i := range 20 {
		many = append(many, fmt.Sprintf("GET /k%d", i), fmt.Sprintf("GET /k%d/{x}", i))
	}
	for _, tt := range []struct {
		name         string
		routes       []string
		method, path string
		want         string // value of the matched route, "" for none
		params       []string
		allow        string
	}{
		{"literal", []string{"GET /a/b"}, "GET", "/a/b", "GET /a/b", nil, ""},
		{"literal is case-sensitive", []string{"GET /a/b"}, "GET", "/A/b", "", nil, ""},
		{"literal prefix only", []string{"GET /a/b"}, "GET", "/a", "", nil, ""},
		{"literal no trailing slash", []string{"GET /a/b"}, "GET", "/a/b/", "", nil, ""},
		{"param", []string{"GET /users/{id}"}, "GET", "/users/42", "GET /users/{id}", []string{"42"}, ""},
		{"param not empty", []string{"GET /users/{id}"}, "GET", "/users/", "", nil, ""},
		{"param not empty segment", []string{"GET /a/{x}/b"}, "GET", "/a//b", "", nil, ""},
		{"two params", []string{"GET /r/{owner}/{repo}/x"}, "GET", "/r/go/net/x", "GET /r/{owner}/{repo}/x", []string{"go", "net"}, ""},
		{"params are not unescaped", []string{"GET /f/{name}"}, "GET", "/f/a%2Fb", "GET /f/{name}", []string{"a%2Fb"}, ""},
		{"rest empty", []string{"GET /files/{p...}"}, "GET", "/files/", "GET /files/{p...}", []string{""}, ""},
		{"rest one", []string{"GET /files/{p...}"}, "GET", "/files/a", "GET /files/{p...}", []string{"a"}, ""},
		{"rest multi", []string{"GET /files/{p...}"}, "GET", "/files/a/b/c/", "GET /files/{p...}", []string{"a/b/c/"}, ""},
		{"rest needs slash", []string{"GET /files/{p...}"}, "GET", "/files", "", nil, ""},
		{"rest keeps empty segments", []string{"GET /files/{p...}"}, "GET", "/files//x", "GET /files/{p...}", []string{"/x"}, ""},
		{"dollar", []string{"GET /a/{$}"}, "GET", "/a/", "GET /a/{$}", nil, ""},
		{"dollar not below", []string{"GET /a/{$}"}, "GET", "/a/b", "", nil, ""},
		{"dollar not without slash", []string{"GET /a/{$}"}, "GET", "/a", "", nil, ""},
		{"root dollar", []string{"GET /{$}", "GET /"}, "GET", "/", "GET /{$}", nil, ""},
		{"root catch-all", []string{"GET /{$}", "GET /"}, "GET", "/x/y", "GET /", nil, ""},
		{"prefix itself", []string{"GET /static/"}, "GET", "/static/", "GET /static/", nil, ""},
		{"prefix below", []string{"GET /static/"}, "GET", "/static/css/a.css", "GET /static/", nil, ""},
		{"prefix needs slash", []string{"GET /static/"}, "GET", "/static", "", nil, ""},
		{"param then prefix", []string{"GET /{x}/"}, "GET", "/a/b", "GET /{x}/", []string{"a"}, ""},
		{"literal beats param", []string{"GET /a/{x}", "GET /a/b"}, "GET", "/a/b", "GET /a/b", nil, ""},
		{"param after literal miss", []string{"GET /a/{x}", "GET /a/b"}, "GET", "/a/c", "GET /a/{x}", []string{"c"}, ""},
		{"param beats rest", []string{"GET /{x...}", "GET /{x}"}, "GET", "/a", "GET /{x}", []string{"a"}, ""},
		{"rest after param miss", []string{"GET /{x...}", "GET /{x}"}, "GET", "/a/b", "GET /{x...}", []string{"a/b"}, ""},
		{"longer prefix wins", []string{"GET /a/", "GET /a/b/"}, "GET", "/a/b/c", "GET /a/b/", nil, ""},
		{"shorter prefix", []string{"GET /a/", "GET /a/b/"}, "GET", "/a/c/d", "GET /a/", nil, ""},
		{"dollar beats prefix", []string{"GET /a/", "GET /a/{$}"}, "GET", "/a/", "GET /a/{$}", nil, ""},
		{"backtrack", []string{"GET /a/b/c", "GET /a/{x}/d"}, "GET", "/a/b/d", "GET /a/{x}/d", []string{"b"}, ""},
		{"no backtrack needed", []string{"GET /a/b/c", "GET /a/{x}/d"}, "GET", "/a/b/c", "GET /a/b/c", nil, ""},
		{"backtrack under param", []string{"GET /{x}/b/c", "GET /{x}/{y}/d"}, "GET", "/1/b/d", "GET /{x}/{y}/d", []string{"1", "b"}, ""},
		{"backtrack drops params", []string{"GET /a/{x}/{y}/z", "GET /a/{p...}"}, "GET", "/a/1/2/w", "GET /a/{p...}", []string{"1/2/w"}, ""},
		{"backtrack to prefix", []string{"GET /a/b/c", "GET /a/"}, "GET", "/a/b/x", "GET /a/", nil, ""},
		{"per-method precedence", []string{"GET /a/b", "POST /a/{x}"}, "POST", "/a/b", "POST /a/{x}", []string{"b"}, ""},
		{"head uses get", []string{"GET /a"}, "HEAD", "/a", "GET /a", nil, ""},
		{"head route first", []string{"GET /a", "HEAD /a"}, "HEAD", "/a", "HEAD /a", nil, ""},
		{"head falls back to get", []string{"GET /a/{x}", "HEAD /b"}, "HEAD", "/a/1", "GET /a/{x}", []string{"1"}, ""},
		{"405", []string{"GET /a", "POST /a", "PUT /a/{x}"}, "DELETE", "/a", "", nil, "GET, HEAD, OPTIONS, POST"},
		{"405 union of patterns", []string{"GET /a/b", "POST /a/{x}", "PATCH /a/"}, "DELETE", "/a/b", "", nil, "GET, HEAD, OPTIONS, PATCH, POST"},
		{"405 fewer", []string{"GET /a/b", "POST /a/{x}", "PATCH /a/"}, "DELETE", "/a/c", "", nil, "OPTIONS, PATCH, POST"},
		{"405 head without get", []string{"POST /a"}, "HEAD", "/a", "", nil, "OPTIONS, POST"},
		{"405 head route", []string{"HEAD /a", "PUT /a"}, "GET", "/a", "", nil, "HEAD, OPTIONS, PUT"},
		{"405 unknown method", []string{"GET /a"}, "BREW", "/a", "", nil, "GET, HEAD, OPTIONS"},
		{"options implicit", []string{"GET /a", "DELETE /a"}, "OPTIONS", "/a", "", nil, "DELETE, GET, HEAD, OPTIONS"},
		{"options route", []string{"GET /a", "OPTIONS /a"}, "OPTIONS", "/a", "OPTIONS /a", nil, ""},
		{"options route elsewhere", []string{"GET /a", "OPTIONS /b"}, "OPTIONS", "/a", "", nil, "GET, HEAD, OPTIONS"},
		{"custom method", []string{"GET /a", "PURGE /cache/{k...}"}, "PURGE", "/cache/x/y", "PURGE /cache/{k...}", []string{"x/y"}, ""},
		{"custom method allow", []string{"PURGE /cache/{k...}", "BREW /cache/"}, "GET", "/cache/x", "", nil, "BREW, OPTIONS, PURGE"},
		{"404", []string{"GET /a", "POST /b/{x}"}, "GET", "/c", "", nil, ""},
		{"404 options", []string{"GET /a"}, "OPTIONS", "/b", "", nil, ""},
		{"404 empty path", []string{"GET /"}, "GET", "", "", nil, ""},
		{"404 relative path", []string{"GET /"}, "GET", "a", "", nil, ""},
		{"404 asterisk", []string{"OPTIONS /"}, "OPTIONS", "*", "", nil, ""},
		{"many children", many, "GET", "/k17/v", "GET /k17/{x}", []string{"v"}, ""},
		{"many children param", many, "GET", "/users/1", "GET /users/{id}", []string{"1"}, ""},
		{"many children miss", many, "GET", "/k20/v", "", nil, ""},
		{"spill", []string{"GET /{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}/{j...}"}, "GET", "/1/2/3/4/5/6/7/8/9/10/11",
			"GET /{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}/{j...}", []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10/11"}, ""},
		{"spill backtrack", []string{"GET /{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}/{j}/x", "GET /{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}/{j}/{k}"},
			"GET", "/1/2/3/4/5/6/7/8/9/10/11", "GET /{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}/{j}/{k}",
			[]string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newTestRouter(t, tt.routes...)
			var ps Params
			ps.push("stale") // Lookup must start from empty params
			v, pat, allow, ok := r.Lookup(tt.method, tt.path, &ps)
			if got, want := ok, tt.want != ""; got != want {
				t.Fatalf("ok: got %v, want %v (value %q)", got, want, v)
			}
			if v != tt.want {
				t.Errorf("value: got %q, want %q", v, tt.want)
			}
			if ok {
				if _, wantPat, _ := strings.Cut(tt.want, " "); pat == nil || pat.String() != wantPat {
					t.Errorf("pattern: got %v, want %v", pat, wantPat)
				}
				if n := len(pat.Params()); n != ps.Len() {
					t.Errorf("params: got %d values, want %d (pattern names)", ps.Len(), n)
				}
			}
			if got := paramValues(&ps); !slices.Equal(got, tt.params) {
				t.Errorf("params: got %q, want %q", got, tt.params)
			}
			if allow != tt.allow {
				t.Errorf("allow: got %q, want %q", allow, tt.allow)
			}
		})
	}
}

func TestLookupAllowCached(t *testing.T) {
	// Not parallel: AllocsPerRun measures the whole process.
	r := newTestRouter(t, "GET /a/{x}", "POST /a/{x}")
	var ps Params
	want := "GET, HEAD, OPTIONS, POST"
	for range 2 {
		if _, _, allow, _ := r.Lookup("DELETE", "/a/1", &ps); allow != want {
			t.Fatalf("got %q, want %q", allow, want)
		}
	}
	allocs := testing.AllocsPerRun(100, func() { r.Lookup("OPTIONS", "/a/1", &ps) })
	if allocs != 0 {
		t.Errorf("allocs for a cached Allow: got %v, want 0", allocs)
	}
}

func TestLookupConcurrent(t *testing.T) {
	t.Parallel()
	r := newTestRouter(t, "GET /a/{x}", "POST /a/{x}", "PUT /b/{y...}")
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			var ps Params
			for j := range 200 {
				path := fmt.Sprintf("/a/%d", i*1000+j)
				if v, _, _, ok := r.Lookup("GET", path, &ps); !ok || v != "GET /a/{x}" || ps.Value(0) != path[3:] {
					t.Errorf("Lookup(GET, %s): got %q %v %q", path, v, ok, paramValues(&ps))
					return
				}
				if _, _, allow, _ := r.Lookup("DELETE", "/b/x", &ps); allow != "OPTIONS, PUT" {
					t.Errorf("allow: got %q, want %q", allow, "OPTIONS, PUT")
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestLookupAllocs(t *testing.T) {
	// Not parallel: AllocsPerRun measures the whole process.
	r := newTestRouter(t, "GET /repos/{owner}/{repo}/issues/{number}", "GET /repos/{owner}/{repo}/issues/x/y",
		"GET /files/{path...}", "GET /a/b/c", "GET /a/{x}/d")
	var ps Params
	for _, tt := range []struct{ method, path string }{
		{"GET", "/repos/golang/go/issues/1"},
		{"HEAD", "/repos/golang/go/issues/1"},
		{"GET", "/files/a/b/c"},
		{"GET", "/a/b/d"},
	} {
		allocs := testing.AllocsPerRun(100, func() {
			if _, _, _, ok := r.Lookup(tt.method, tt.path, &ps); !ok {
				t.Fatalf("Lookup(%s, %s) failed", tt.method, tt.path)
			}
		})
		if allocs != 0 {
			t.Errorf("Lookup(%s, %s): got %v allocs, want 0", tt.method, tt.path, allocs)
		}
	}
}

func TestAddErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		method, pattern, want string
	}{
		{"GET", "/a{x}", `route: pattern "/a{x}": wildcard is not a whole segment in segment 1 (write "/a/{x}", not "/a{x}")`},
		{"", "/a", `route: empty method`},
		{"get", "/a", `route: method "get" must be upper case (write "GET")`},
		{"GET /", "/a", `route: method "GET /" is not an HTTP token (invalid byte ' ')`},
	} {
		t.Run(tt.method+" "+tt.pattern, func(t *testing.T) {
			t.Parallel()
			err := New[int]().Add(tt.method, tt.pattern, 1)
			if err == nil || err.Error() != tt.want {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
	var pe *PatternError
	if err := New[int]().Add("GET", "/{", 1); !errors.As(err, &pe) || pe.Seg != 1 {
		t.Errorf("got %#v, want a *PatternError for segment 1", err)
	}
}

func TestAddTooManyMethods(t *testing.T) {
	t.Parallel()
	r := New[int]()
	for i := range 64 - nKnown {
		if err := r.Add(fmt.Sprintf("M%d", i), "/", i); err != nil {
			t.Fatalf("method %d: %v", i, err)
		}
	}
	err := r.Add("ONEMORE", "/", 0)
	if want := "route: too many distinct methods (at most 64), cannot add ONEMORE"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %v", err, want)
	}
	// The last custom method occupies bit 63.
	var ps Params
	if v, _, _, ok := r.Lookup(fmt.Sprintf("M%d", 63-nKnown), "/x", &ps); !ok || v != 63-nKnown {
		t.Errorf("got %v %v, want %v true", v, ok, 63-nKnown)
	}
	if _, _, allow, _ := r.Lookup("GET", "/x", &ps); !strings.HasPrefix(allow, "M0, M1, M10, ") {
		t.Errorf("allow: got %q, want sorted custom methods", allow)
	}
}

func TestRoutes(t *testing.T) {
	t.Parallel()
	r := newTestRouter(t, "GET /b", "POST /a/{x}", "GET /a/")
	var got []string
	for _, rt := range r.Routes() {
		got = append(got, rt.Method+" "+rt.Pattern.String())
	}
	if want := []string{"GET /b", "POST /a/{x}", "GET /a/"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
