package main

import (
	"go/types"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/exp/apidiff"
)

func TestParseChangelog(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		text  string
		want  []declaration
		warns []string
	}{
		{
			name: "names before the colon, several per entry",
			text: "# Changelog\n\n## [Unreleased]\n\n### Breaking\n" +
				"- `roux.Get`, `roux.(*API).Handle`: return the declaration.\n" +
				"  A continuation line with `roux.Other`: not a declaration.\n" +
				"* `kitchen  GET /dishes/{id}`: answers 400 to a malformed If-None-Match.\n",
			want: []declaration{{"roux.Get", 6}, {"roux.API.Handle", 6}, {"kitchen GET /dishes/{id}", 8}},
		},
		{
			name: "only the Unreleased section's Breaking subsection counts",
			text: "## [Unreleased]\n### Added\n- `roux.New`: not breaking.\n### Breaking\n- `roux.A`: gone.\n" +
				"### Fixed\n- `roux.B`: fixed.\n## [0.1.0] - 2026-12-01\n### Breaking\n- `roux.C`: an old release.\n",
			want: []declaration{{"roux.A", 5}},
		},
		{
			name: "heading variants",
			text: "## Unreleased\n### Breaking changes\n- `schema.Hook`: renamed.\n",
			want: []declaration{{"schema.Hook", 3}},
		},
		{
			name: "Go names written as in code",
			text: "## [Unreleased]\n### Breaking\n- `roux.Operation[In, Out].ID`, `client.Call()`, `github.com/roux-go/roux/otel.Middleware`: changed.\n",
			want: []declaration{{"roux.Operation.ID", 3}, {"client.Call", 3}, {"github.com/roux-go/roux/otel.Middleware", 3}},
		},
		{
			name: "entries that declare nothing",
			text: "## [Unreleased]\n### Breaking\n- The declaration change, see below.\n- `roux.A` is gone.\n- `roux.B\n- `roux.C`:\n",
			want: []declaration{{"roux.C", 6}},
			warns: []string{
				"line 3: declares nothing: a Breaking entry starts with the names it declares in backquotes, then a colon: - `roux.Config.Logger`: ...",
				"line 4: no colon after the names: a Breaking entry starts with the names it declares in backquotes, then a colon: - `roux.Config.Logger`: ...",
				"line 5: unclosed backquote: a Breaking entry starts with the names it declares in backquotes, then a colon: - `roux.Config.Logger`: ...",
				"line 6: after the colon, say what users do now",
			},
		},
		{
			name: "no Unreleased section",
			text: "# Changelog\n## [0.1.0]\n### Breaking\n- `roux.A`: gone.\n",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cl := parseChangelog(tt.text)
			if diff := cmp.Diff(tt.want, cl.declarations, cmp.AllowUnexported(declaration{})); diff != "" {
				t.Errorf("declarations (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.warns, cl.warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCovers(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		declared, name string
		want           bool
	}{
		{"roux.Get", "roux.Get", true},
		{"roux.Config", "roux.Config.Logger", true},
		{"roux.Get", "roux.GetX", false},
		{"roux.Config.Logger", "roux.Config", false},
		{"kitchen GET /dishes/{id}", "kitchen GET /dishes/{id}", true},
		{"kitchen GET /dishes", "kitchen GET /dishes/{id}", false},
		{"kitchen", "kitchen GET /dishes/{id}", true},
		{"kitchen", "kitchenapi.Order", false},
	} {
		if got := covers(tt.declared, tt.name); got != tt.want {
			t.Errorf("covers(%q, %q) = %v, want %v", tt.declared, tt.name, got, tt.want)
		}
	}
}

func TestGoFinding(t *testing.T) {
	t.Parallel()
	pkg := types.NewPackage("github.com/roux-go/roux", "roux")
	for _, tt := range []struct {
		message string
		want    finding
	}{
		{"Get: removed", finding{name: "roux.Get", alt: "github.com/roux-go/roux.Get", what: "removed"}},
		{"(*API).Handle: removed", finding{name: "roux.API.Handle", alt: "github.com/roux-go/roux.API.Handle", what: "removed"}},
		{"(*Operation[In, Out]).ID: changed from func() string to func() int", finding{name: "roux.Operation.ID", alt: "github.com/roux-go/roux.Operation.ID", what: "changed from func() string to func() int"}},
		{"Config.Logger: removed", finding{name: "roux.Config.Logger", alt: "github.com/roux-go/roux.Config.Logger", what: "removed"}},
		{"(*Inner).M, method set of Outer: removed", finding{name: "roux.Inner.M", alt: "github.com/roux-go/roux.Inner.M", what: "method set of Outer: removed"}},
		{"Ch, element type: changed from int to string", finding{name: "roux.Ch", alt: "github.com/roux-go/roux.Ch", what: "element type: changed from int to string"}},
	} {
		got := goFinding(pkg, apidiff.Change{Message: tt.message})
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(finding{})); diff != "" {
			t.Errorf("goFinding(%q) (-want +got):\n%s", tt.message, diff)
		}
	}
}

func TestBaseline(t *testing.T) {
	t.Parallel()
	tags := []string{"v0.1.0", "v0.10.0", "v0.9.0", "v1.0.0-rc.1", "not-a-version", "vfoo",
		"otel/v0.2.0", "otel/v0.11.0", "examples/kitchen/v0.3.0"}
	for _, tt := range []struct {
		dir, want string
	}{
		{".", "v1.0.0-rc.1"},
		{"otel", "otel/v0.11.0"},
		{"examples/kitchen", "examples/kitchen/v0.3.0"},
		{"examples/hello", "v1.0.0-rc.1"}, // no tag of its own: the repository's release
	} {
		if got := baseline(tags, tt.dir); got != tt.want {
			t.Errorf("baseline(%q) = %q, want %q", tt.dir, got, tt.want)
		}
	}
	if got := baseline([]string{"otel/v0.1.0", "release-1"}, "."); got != "" {
		t.Errorf("baseline of a root module without tags = %q, want none", got)
	}
}
