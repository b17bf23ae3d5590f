// Package router compares roux's router (internal/route) with
// http.ServeMux, julienschmidt/httprouter and gin's tree on the 203-route
// GitHub API set. Every router serves a no-op handler, so one op is
// "route the request and call its handler".
//
//	go test -run '^$' -bench . -count 10 ./router | tee router.txt
//	benchstat -col /router router.txt
package router

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/julienschmidt/httprouter"

	"github.com/roux-go/roux/internal/route"
)

// githubFile is roux's copy of the GitHub route set (read-only).
const githubFile = "../../internal/route/testdata/github.txt"

var nop = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})

type discard struct{ h http.Header }

func (d discard) Header() http.Header       { return d.h }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

type request struct {
	method, path string
	req          *http.Request
}

type routers struct {
	roux  *route.Router[http.Handler]
	mux   *http.ServeMux
	httpr *httprouter.Router
	gin   *gin.Engine
	reqs  []request
}

func loadRoutes(tb testing.TB) []string {
	tb.Helper()
	b, err := os.ReadFile(githubFile)
	if err != nil {
		tb.Fatal(err)
	}
	var rs []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			rs = append(rs, l)
		}
	}
	if len(rs) != 203 {
		tb.Fatalf("%d routes, want 203", len(rs))
	}
	return rs
}

func setup(tb testing.TB) *routers {
	tb.Helper()
	gin.SetMode(gin.ReleaseMode)
	rs := &routers{roux: route.New[http.Handler](), mux: http.NewServeMux(), httpr: httprouter.New(), gin: gin.New()}
	colon := strings.NewReplacer("{", ":", "}", "")
	fill := strings.NewReplacer("{", "", "}", "")
	for _, l := range loadRoutes(tb) {
		method, pat, _ := strings.Cut(l, " ")
		if err := rs.roux.Add(method, pat, nop); err != nil {
			tb.Fatal(err)
		}
		rs.mux.Handle(l, nop)
		rs.httpr.Handler(method, colon.Replace(pat), nop)
		rs.gin.Handle(method, colon.Replace(pat), func(*gin.Context) {})
		path := fill.Replace(pat)
		rs.reqs = append(rs.reqs, request{method, path, httptest.NewRequest(method, path, nil)})
	}
	return rs
}

func one(method, path string) []request {
	return []request{{method, path, httptest.NewRequest(method, path, nil)}}
}

func (rs *routers) bench(b *testing.B, reqs []request) {
	w := discard{http.Header{}}
	b.Run("router=roux", func(b *testing.B) {
		var ps route.Params
		b.ReportAllocs()
		for b.Loop() {
			for _, r := range reqs {
				h, _, _, ok := rs.roux.Lookup(r.method, r.path, &ps)
				if !ok {
					b.Fatalf("%s %s: no match", r.method, r.path)
				}
				h.ServeHTTP(w, r.req)
			}
		}
	})
	for _, x := range []struct {
		name string
		h    http.Handler
	}{{"servemux", rs.mux}, {"httprouter", rs.httpr}, {"gin", rs.gin}} {
		b.Run("router="+x.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, r := range reqs {
					x.h.ServeHTTP(w, r.req)
				}
			}
		})
	}
}

// BenchmarkGitHubAll serves all 203 routes per op.
func BenchmarkGitHubAll(b *testing.B) { rs := setup(b); rs.bench(b, rs.reqs) }

// BenchmarkGitHubStatic serves one static route.
func BenchmarkGitHubStatic(b *testing.B) { rs := setup(b); rs.bench(b, one("GET", "/user/repos")) }

// BenchmarkGitHubParam serves one route with one wildcard.
func BenchmarkGitHubParam(b *testing.B) { rs := setup(b); rs.bench(b, one("GET", "/gists/12345")) }

// BenchmarkGitHubParam4 serves the route with four wildcards.
func BenchmarkGitHubParam4(b *testing.B) {
	rs := setup(b)
	rs.bench(b, one("GET", "/legacy/issues/search/golang/go/open/router"))
}

// TestZeroAllocs asserts that roux matches every GitHub route without
// allocating, and picks the same pattern as ServeMux.
func TestZeroAllocs(t *testing.T) {
	rs := setup(t)
	var ps route.Params
	for _, r := range rs.reqs {
		_, pat, _, ok := rs.roux.Lookup(r.method, r.path, &ps)
		_, muxPat := rs.mux.Handler(r.req)
		if !ok || r.method+" "+pat.String() != muxPat {
			t.Fatalf("%s %s: roux matched %v (ok=%v), ServeMux %q", r.method, r.path, pat, ok, muxPat)
		}
		if n := testing.AllocsPerRun(100, func() { rs.roux.Lookup(r.method, r.path, &ps) }); n != 0 {
			t.Errorf("%s %s: got %v allocs, want 0", r.method, r.path, n)
		}
	}
}
