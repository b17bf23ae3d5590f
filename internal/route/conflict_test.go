package route

import (
	"errors"
	"strings"
	"testing"
)

func TestAddConflicts(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		existing string // "METHOD /pattern"
		method   string
		pattern  string
		want     string // error text; "" if the route is accepted
		dup      bool
	}{
		// Duplicates.
		{"same", "GET /a", "GET", "/a", `route: GET /a conflicts with /a: both match exactly the same paths (wildcard names do not count); remove one`, true},
		{"renamed wildcard", "GET /a/{x}", "GET", "/a/{y}", `route: GET /a/{y} conflicts with /a/{x}: both match exactly the same paths (wildcard names do not count); remove one`, true},
		{"slash vs rest", "GET /a/", "GET", "/a/{rest...}", `route: GET /a/{rest...} conflicts with /a/: both match exactly the same paths (wildcard names do not count); remove one`, true},
		{"root vs rest", "PUT /{p...}", "PUT", "/", `route: PUT / conflicts with /{p...}: both match exactly the same paths (wildcard names do not count); remove one`, true},
		{"custom method", "PURGE /c/{k}", "PURGE", "/c/{j}", `route: PURGE /c/{j} conflicts with /c/{k}: both match exactly the same paths (wildcard names do not count); remove one`, true},

		// Overlaps: a common path and neither more specific.
		{"crossed wildcards", "GET /{y}/b", "GET", "/a/{x}", `route: GET /a/{x} conflicts with /{y}/b: both match "/a/b" and neither is more specific; add a route for the paths they share or make one of them more specific`, false},
		{"crossed wildcards reversed", "GET /a/{x}", "GET", "/{y}/b", `route: GET /{y}/b conflicts with /a/{x}: both match "/a/b" and neither is more specific; add a route for the paths they share or make one of them more specific`, false},
		{"rest vs wildcard", "POST /{y}/b", "POST", "/a/{x...}", `route: POST /a/{x...} conflicts with /{y}/b: both match "/a/b" and neither is more specific; add a route for the paths they share or make one of them more specific`, false},
		{"prefix vs wildcard", "GET /{x}/c", "GET", "/a/", `route: GET /a/ conflicts with /{x}/c: both match "/a/c" and neither is more specific; add a route for the paths they share or make one of them more specific`, false},
		{"three segments", "GET /a/{x}/c", "GET", "/{y}/b/{z}", `route: GET /{y}/b/{z} conflicts with /a/{x}/c: both match "/a/b/c" and neither is more specific; add a route for the paths they share or make one of them more specific`, false},

		// GET also answers HEAD, so it must not be more specific than a HEAD route.
		{"head vs more specific get", "GET /x", "HEAD", "/{y}", `route: HEAD /{y} conflicts with GET /x: GET routes also answer HEAD, and GET /x is more specific than HEAD /{y}; both match "/x"`, false},
		{"get vs more general head", "HEAD /{y}", "GET", "/x", `route: GET /x conflicts with HEAD /{y}: GET routes also answer HEAD, and GET /x is more specific than HEAD /{y}; both match "/x"`, false},
		{"head vs overlapping get", "GET /{y}/b", "HEAD", "/a/{x}", `route: HEAD /a/{x} conflicts with GET /{y}/b: both match "/a/b" and neither is more specific; add a route for the paths they share or make one of them more specific`, false},

		// Accepted.
		{"literal vs wildcard", "GET /a/{x}", "GET", "/a/b", "", false},
		{"wildcard vs literal", "GET /a/b", "GET", "/a/{x}", "", false},
		{"wildcard vs rest", "GET /{x...}", "GET", "/{x}", "", false},
		{"rest vs wildcard", "GET /{x}", "GET", "/{x...}", "", false},
		{"nested prefixes", "GET /a/", "GET", "/a/b/", "", false},
		{"dollar vs prefix", "GET /a/", "GET", "/a/{$}", "", false},
		{"dollar vs wildcard", "GET /a/{x}", "GET", "/a/{$}", "", false},
		{"no slash vs slash", "GET /a", "GET", "/a/", "", false},
		{"different lengths", "GET /a/{x}", "GET", "/a/{x}/{y}", "", false},
		{"other method", "GET /{y}/b", "POST", "/a/{x}", "", false},
		{"head more specific than get", "GET /{y}", "HEAD", "/x", "", false},
		{"head same path as get", "GET /a/{x}", "HEAD", "/a/{x}", "", false},
		{"disjoint literals", "GET /a/{x}", "GET", "/b/{x}", "", false},
		{"more specific both ways", "GET /{x}/{y}", "GET", "/a/b", "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newTestRouter(t, tt.existing)
			err := r.Add(tt.method, tt.pattern, "new")
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("got nil, want %q", tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			var ce *ConflictError
			if !errors.As(err, &ce) {
				t.Fatalf("got %T, want *ConflictError", err)
			}
			em, ep, _ := strings.Cut(tt.existing, " ")
			if ce.Method != tt.method || ce.Pattern != tt.pattern || ce.Existing != ep || ce.ExistingMethod != em {
				t.Errorf("got %+v, want %s %s vs %s", *ce, tt.method, tt.pattern, tt.existing)
			}
			if got := errors.Is(err, ErrDuplicate); got != tt.dup {
				t.Errorf("errors.Is(err, ErrDuplicate): got %v, want %v", got, tt.dup)
			}
			if got := len(r.Routes()); got != 1 {
				t.Errorf("routes after failed Add: got %d, want 1", got)
			}
		})
	}
}

func TestComparePaths(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		p1, p2 string
		want   relationship
	}{
		{"/a", "/a", equivalent},
		{"/a", "/b", disjoint},
		{"/a", "/{x}", moreSpecific},
		{"/{x}", "/a", moreGeneral},
		{"/{x}", "/{x...}", moreSpecific},
		{"/", "/a/b", moreGeneral},
		{"/a/{x}", "/{y}/b", overlaps},
		{"/a/{$}", "/a/{x}", disjoint},
		{"/a/{$}", "/a/", moreSpecific},
		{"/a", "/a/", disjoint},
		{"/a/b/", "/a/{x...}", moreSpecific},
		{"/{x}/", "/a/{y...}", moreGeneral},
		{"/{x}/b", "/a/{y...}", overlaps},
	} {
		t.Run(tt.p1+" "+tt.p2, func(t *testing.T) {
			t.Parallel()
			p1, err1 := ParsePattern(tt.p1)
			p2, err2 := ParsePattern(tt.p2)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if got := p1.comparePaths(p2); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if got, want := p2.comparePaths(p1), inverseRelationship(tt.want); got != want {
				t.Errorf("reversed: got %v, want %v", got, want)
			}
		})
	}
}
