package route

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// nopHandler is the handler under both routers, so that each benchmark
// measures routing plus one handler call.
var nopHandler = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})

// discard is a ResponseWriter that allocates nothing per request.
type discard struct{ h http.Header }

func newDiscard() discard                   { return discard{http.Header{}} }
func (d discard) Header() http.Header       { return d.h }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

// fillWildcards turns a pattern into a path by replacing each wildcard with
// its name.
func fillWildcards(pattern string) string {
	return strings.NewReplacer("{", "", "}", "").Replace(pattern)
}

// benchRequest is one request of a benchmark, prepared for both routers.
type benchRequest struct {
	method, path string
	req          *http.Request
}

// githubSetup registers the GitHub API routes on both routers and returns one
// request per route, with each wildcard filled with its own name
// ("/users/{user}" -> "/users/user"). It checks that both routers pick the
// route the request was made from.
func githubSetup(b *testing.B) (*Router[http.Handler], *http.ServeMux, []benchRequest) {
	b.Helper()
	r, mux := New[http.Handler](), http.NewServeMux()
	var reqs []benchRequest
	for _, rt := range loadGitHub(b) {
		method, pat, _ := strings.Cut(rt, " ")
		if err := r.Add(method, pat, nopHandler); err != nil {
			b.Fatal(err)
		}
		mux.Handle(rt, nopHandler)
		path := fillWildcards(pat)
		reqs = append(reqs, benchRequest{method, path, httptest.NewRequest(method, path, nil)})
	}
	for _, br := range reqs {
		var ps Params
		_, pat, _, ok := r.Lookup(br.method, br.path, &ps)
		_, muxPat := mux.Handler(br.req)
		if !ok || br.method+" "+pat.String() != muxPat {
			b.Fatalf("%s %s: router matched %v (ok=%v), ServeMux %q", br.method, br.path, pat, ok, muxPat)
		}
	}
	return r, mux, reqs
}

// benchRouters runs the requests on both routers as sub-benchmarks
// "roux" and "servemux"; one op serves every request once.
func benchRouters(b *testing.B, r *Router[http.Handler], mux *http.ServeMux, reqs []benchRequest) {
	b.Run("roux", func(b *testing.B) {
		w := newDiscard()
		var ps Params
		b.ReportAllocs()
		for b.Loop() {
			for _, br := range reqs {
				h, _, _, ok := r.Lookup(br.method, br.path, &ps)
				if !ok {
					b.Fatalf("%s %s: no match", br.method, br.path)
				}
				h.ServeHTTP(w, br.req)
			}
		}
	})
	b.Run("servemux", func(b *testing.B) {
		w := newDiscard()
		b.ReportAllocs()
		for b.Loop() {
			for _, br := range reqs {
				mux.ServeHTTP(w, br.req)
			}
		}
	})
}

// BenchmarkGitHub serves all 203 routes of the GitHub API per op.
func BenchmarkGitHub(b *testing.B) {
	r, mux, reqs := githubSetup(b)
	benchRouters(b, r, mux, reqs)
}

// BenchmarkStatic serves one static route of the GitHub API.
func BenchmarkStatic(b *testing.B) {
	r, mux, _ := githubSetup(b)
	benchRouters(b, r, mux, []benchRequest{{"GET", "/user/repos", httptest.NewRequest("GET", "/user/repos", nil)}})
}

// BenchmarkParam serves one route with a single wildcard.
func BenchmarkParam(b *testing.B) {
	r, mux, _ := githubSetup(b)
	benchRouters(b, r, mux, []benchRequest{{"GET", "/gists/12345", httptest.NewRequest("GET", "/gists/12345", nil)}})
}

// BenchmarkParam4 serves the GitHub route with the most wildcards (four).
func BenchmarkParam4(b *testing.B) {
	r, mux, _ := githubSetup(b)
	const path = "/legacy/issues/search/golang/go/open/router"
	benchRouters(b, r, mux, []benchRequest{{"GET", path, httptest.NewRequest("GET", path, nil)}})
}
