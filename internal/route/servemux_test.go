package route

// Differential tests: for the same routes, the router must accept and reject
// the same registrations as http.ServeMux and pick the same pattern, wildcard
// values and Allow list for every path ServeMux does not redirect.

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
)

// loadGitHub reads testdata/github.txt as "METHOD /pattern" lines.
func loadGitHub(tb testing.TB) []string {
	tb.Helper()
	f, err := os.Open("testdata/github.txt")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var routes []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			routes = append(routes, line)
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return routes
}

// pair holds a router and a ServeMux with the same routes.
type pair struct {
	r   *Router[string]
	mux *http.ServeMux
}

// addBoth registers rt ("METHOD /pattern") on both and reports whether each
// accepted it. ServeMux reports a conflict by panicking.
func (p *pair) addBoth(rt string) (routerOK, muxOK bool) {
	method, pat, _ := strings.Cut(rt, " ")
	routerOK = p.r.Add(method, pat, rt) == nil
	muxOK = func() (ok bool) {
		defer func() {
			if recover() != nil {
				ok = false
			}
		}()
		parsed, err := ParsePattern(pat)
		if err != nil {
			panic(err)
		}
		names := parsed.Params()
		p.mux.HandleFunc(rt, func(w http.ResponseWriter, req *http.Request) {
			vals := []string{rt}
			for _, n := range names {
				vals = append(vals, req.PathValue(n))
			}
			fmt.Fprint(w, strings.Join(vals, "\x00"))
		})
		return true
	}()
	return routerOK, muxOK
}

// compare checks one request. It returns false if ServeMux redirected, in
// which case there is nothing to compare.
func (p *pair) compare(t *testing.T, method, path string) bool {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	rec := httptest.NewRecorder()
	p.mux.ServeHTTP(rec, req)
	var want, wantAllow string
	var wantParams []string
	switch rec.Code {
	case http.StatusOK:
		vals := strings.Split(rec.Body.String(), "\x00")
		want, wantParams = vals[0], vals[1:]
	case http.StatusMethodNotAllowed:
		methods := strings.Split(rec.Header().Get("Allow"), ", ")
		if !slices.Contains(methods, "OPTIONS") {
			methods = append(methods, "OPTIONS")
		}
		slices.Sort(methods)
		wantAllow = strings.Join(methods, ", ")
	case http.StatusNotFound:
	case http.StatusMovedPermanently, http.StatusTemporaryRedirect:
		return false
	default:
		t.Fatalf("%s %s: unexpected ServeMux status %d", method, path, rec.Code)
	}
	var ps Params
	got, _, allow, _ := p.r.Lookup(method, path, &ps)
	gotAllow := allow
	if wantAllow != "" && !strings.HasSuffix(path, "/") {
		// ServeMux's Allow also lists the methods that match after its
		// trailing-slash redirect; the router leaves redirects to the caller.
		gotAllow = mergeAllow(allow, p.r.allowed(path+"/"))
	}
	if got != want || gotAllow != wantAllow {
		t.Errorf("%s %s: got route %q allow %q, want route %q allow %q (ServeMux)", method, path, got, gotAllow, want, wantAllow)
	}
	if gotParams := paramValues(&ps); len(gotParams)+len(wantParams) > 0 && !slices.Equal(gotParams, wantParams) {
		t.Errorf("%s %s: got params %q, want %q (ServeMux)", method, path, gotParams, wantParams)
	}
	return true
}

// mergeAllow returns the union of two Allow lists.
func mergeAllow(a, b string) string {
	var methods []string
	for _, s := range []string{a, b} {
		if s != "" {
			methods = append(methods, strings.Split(s, ", ")...)
		}
	}
	slices.Sort(methods)
	return strings.Join(slices.Compact(methods), ", ")
}

// segmentPaths returns every path of up to depth segments drawn from alphabet,
// with and without a trailing slash.
func segmentPaths(alphabet []string, depth int) []string {
	paths := []string{"/"}
	level := []string{""}
	for range depth {
		var next []string
		for _, prefix := range level {
			for _, s := range alphabet {
				p := prefix + "/" + s
				next = append(next, p)
				paths = append(paths, p, p+"/")
			}
		}
		level = next
	}
	return paths
}

func TestServeMuxGitHub(t *testing.T) {
	t.Parallel()
	p := pair{New[string](), http.NewServeMux()}
	routes := loadGitHub(t)
	for _, rt := range routes {
		if rok, mok := p.addBoth(rt); !rok || !mok {
			t.Fatalf("%s: router accepted %v, ServeMux accepted %v; want both true", rt, rok, mok)
		}
	}
	// Every route with its wildcards filled in, plus variants that miss or
	// match other routes.
	var paths []string
	for _, rt := range routes {
		_, pat, _ := strings.Cut(rt, " ")
		for _, fill := range []string{"x", "public", "orgs", "events"} {
			path := pat
			for strings.Contains(path, "{") {
				i := strings.IndexByte(path, '{')
				j := strings.IndexByte(path, '}')
				path = path[:i] + fill + path[j+1:]
			}
			paths = append(paths, path, path+"/", path+"/extra")
		}
	}
	compared := 0
	for _, path := range paths {
		for _, m := range []string{"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"} {
			if p.compare(t, m, path) {
				compared++
			}
		}
	}
	if compared < len(paths)*5 {
		t.Errorf("compared only %d of %d requests", compared, len(paths)*7)
	}
}

func TestServeMuxFixed(t *testing.T) {
	t.Parallel()
	p := pair{New[string](), http.NewServeMux()}
	for _, rt := range []string{
		"GET /", "GET /{$}", "GET /a", "GET /a/", "GET /a/{$}", "GET /a/b/c", "GET /a/{x}/d",
		"GET /{x}/b/{y}", "POST /a/{x}", "POST /{x}/b", "GET /b/{x...}", "GET /b/{x}", "GET /b/c/{$}",
		"PUT /b/{x}/c/", "DELETE /c/{x}/{y}/", "GET /c/{x}/{y}/{z}", "HEAD /c/{p...}", "HEAD /d/{x}",
		"GET /d/e", "GET /d/{x}", "OPTIONS /e/", "GET /e/{x}", "PATCH /{x}/{y}/{z}", "PATCH /a/b/{z}",
		"PATCH /a/{y}/c", "PATCH /a/{y}/", "GET /a/b/c/{$}", "GET /{x}/{y}/c/{z...}",
	} {
		if rok, mok := p.addBoth(rt); rok != mok {
			t.Errorf("%s: router accepted %v, ServeMux accepted %v", rt, rok, mok)
		}
	}
	for _, path := range segmentPaths([]string{"a", "b", "c", "d", "e"}, 4) {
		for _, m := range []string{"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"} {
			p.compare(t, m, path)
		}
	}
}

// TestServeMuxRandom registers random route sets and compares registration
// and matching.
func TestServeMuxRandom(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	paths := segmentPaths([]string{"a", "b", "c"}, 4)
	var accepted, rejected, compared int
	for trial := range 40 {
		p := pair{New[string](), http.NewServeMux()}
		for range 25 {
			rt := randomRoute(rng)
			rok, mok := p.addBoth(rt)
			if rok != mok {
				t.Errorf("trial %d: %s: router accepted %v, ServeMux accepted %v", trial, rt, rok, mok)
			}
			if rok {
				accepted++
			} else {
				rejected++
			}
		}
		for _, path := range paths {
			for _, m := range []string{"GET", "HEAD", "POST"} {
				if p.compare(t, m, path) {
					compared++
				}
			}
		}
		if t.Failed() {
			t.Fatalf("trial %d routes: %q", trial, p.r.Routes())
		}
	}
	// Guard against a generator that stops exercising either side.
	if accepted < 200 || rejected < 100 || compared < 10000 {
		t.Errorf("got %d accepted, %d rejected routes and %d requests compared; want more of each", accepted, rejected, compared)
	}
	t.Logf("%d routes accepted, %d rejected, %d requests compared", accepted, rejected, compared)
}

func randomRoute(rng *rand.Rand) string {
	var b strings.Builder
	b.WriteString([]string{"GET", "HEAD", "POST"}[rng.IntN(3)] + " ")
	n := 1 + rng.IntN(3)
	for i := range n {
		b.WriteByte('/')
		switch k := rng.IntN(10); {
		case k < 5:
			b.WriteString([]string{"a", "b", "c"}[rng.IntN(3)])
		case k < 8:
			fmt.Fprintf(&b, "{w%d}", i)
		case i == n-1 && k == 8:
			fmt.Fprintf(&b, "{w%d...}", i)
		case i == n-1:
			b.WriteString("{$}")
		default:
			b.WriteString("a")
		}
	}
	if rng.IntN(4) == 0 && !strings.HasSuffix(b.String(), "}") || strings.HasSuffix(b.String(), "{w0}") && rng.IntN(3) == 0 {
		b.WriteByte('/')
	}
	return b.String()
}
