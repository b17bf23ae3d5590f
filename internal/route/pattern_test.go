package route

import (
	"slices"
	"testing"
)

func TestParsePattern(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in     string
		segs   []segment
		params []string
	}{
		{"/", []segment{{wild: true, multi: true}}, nil},
		{"/{$}", []segment{{s: "/"}}, nil},
		{"/a", []segment{{s: "a"}}, nil},
		{"/a/", []segment{{s: "a"}, {wild: true, multi: true}}, nil},
		{"/a/{$}", []segment{{s: "a"}, {s: "/"}}, nil},
		{"/a/{id}", []segment{{s: "a"}, {s: "id", wild: true}}, []string{"id"}},
		{"/{x}/b/{y}", []segment{{s: "x", wild: true}, {s: "b"}, {s: "y", wild: true}}, []string{"x", "y"}},
		{"/{x}/", []segment{{s: "x", wild: true}, {wild: true, multi: true}}, []string{"x"}},
		{"/files/{path...}", []segment{{s: "files"}, {s: "path", wild: true, multi: true}}, []string{"path"}},
		{"/{_x1}/{é}", []segment{{s: "_x1", wild: true}, {s: "é", wild: true}}, []string{"_x1", "é"}},
		{"/a b/%7B/Caf\u00e9", []segment{{s: "a b"}, {s: "%7B"}, {s: "Café"}}, nil},
		{"/a/.x/...", []segment{{s: "a"}, {s: ".x"}, {s: "..."}}, nil},
	} {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			p, err := ParsePattern(tt.in)
			if err != nil {
				t.Fatalf("got error %v, want nil", err)
			}
			if !slices.Equal(p.segs, tt.segs) {
				t.Errorf("segments: got %v, want %v", p.segs, tt.segs)
			}
			if got := p.Params(); !slices.Equal(got, tt.params) {
				t.Errorf("Params: got %q, want %q", got, tt.params)
			}
			if got := p.String(); got != tt.in {
				t.Errorf("String: got %q, want %q", got, tt.in)
			}
		})
	}
}

func TestParsePatternErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in, want string
	}{
		{"", `route: pattern "": empty pattern (use "/" to match every path)`},
		{"a/b", `route: pattern "a/b": must start with "/"`},
		{"GET /a", `route: pattern "GET /a": must start with "/"`},
		{"/a/{id", `route: pattern "/a/{id": missing closing brace in segment 2`},
		{"/a/id}", `route: pattern "/a/id}": unmatched "}" in segment 2 (a wildcard looks like {name})`},
		{"/a{x}", `route: pattern "/a{x}": wildcard is not a whole segment in segment 1 (write "/a/{x}", not "/a{x}")`},
		{"/{x}a", `route: pattern "/{x}a": wildcard is not a whole segment in segment 1 (write "/a/{x}", not "/a{x}")`},
		{"/{{x}}", `route: pattern "/{{x}}": wildcard is not a whole segment in segment 1 (write "/a/{x}", not "/a{x}")`},
		{"/{}", `route: pattern "/{}": empty wildcard name in segment 1 (write {name} or {name...})`},
		{"/{...}", `route: pattern "/{...}": empty wildcard name in segment 1 (write {name} or {name...})`},
		{"/{1x}", `route: pattern "/{1x}": bad wildcard name "1x" in segment 1 (use a Go identifier)`},
		{"/{a-b}", `route: pattern "/{a-b}": bad wildcard name "a-b" in segment 1 (use a Go identifier)`},
		{"/{x}/{x}", `route: pattern "/{x}/{x}": duplicate wildcard name "x" in segment 2 (rename one)`},
		{"/{x}/{x...}", `route: pattern "/{x}/{x...}": duplicate wildcard name "x" in segment 2 (rename one)`},
		{"/{x...}/a", `route: pattern "/{x...}/a": {x...} not at the end in segment 1 (a {name...} wildcard must be the last segment)`},
		{"/{x...}/", `route: pattern "/{x...}/": {x...} not at the end in segment 1 (a {name...} wildcard must be the last segment)`},
		{"/{$}/a", `route: pattern "/{$}/a": {$} not at the end in segment 1 ({$} must be the last segment)`},
		{"/a//b", `route: pattern "/a//b": empty segment in segment 2 (remove the doubled "/")`},
		{"//", `route: pattern "//": empty segment in segment 1 (remove the doubled "/")`},
		{"/a/../b", `route: pattern "/a/../b": ".." in segment 2 ("." and ".." never match a cleaned path)`},
		{"/./b", `route: pattern "/./b": "." in segment 1 ("." and ".." never match a cleaned path)`},
	} {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			p, err := ParsePattern(tt.in)
			if err == nil {
				t.Fatalf("got %v, want error %q", p, tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
