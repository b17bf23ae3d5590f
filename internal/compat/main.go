// Command compat is roux's compatibility gate: it compares the tree under
// review with the newest release tag and fails on a breaking change that
// CHANGELOG.md does not declare.
//
// It compares two kinds of contract:
//
//   - the exported Go API of each public module (-modules: the root
//     module and otel), package by package, with golang.org/x/exp/apidiff;
//   - the OpenAPI documents of the example services (-examples: hello and
//     kitchen), 3.1 and 3.0, each printed by `go run . spec` in the old
//     and the new tree, with the project's own `roux diff`.
//
// A module's baseline is its newest tag: "vX.Y.Z" for the root module,
// "DIR/vX.Y.Z" for a nested module (the go command's convention), or the
// root module's newest tag when the nested module has none of its own. With
// no tag at all there is nothing to compare with: compat says so and passes.
// The baseline's tree is extracted with git archive; nothing in the
// repository is changed.
//
// # Declaring a breaking change
//
// Every breaking change has a name: a Go symbol as package name, type and
// member ("roux.Config.Logger", "rouxotel.Middleware", a removed package
// by its name, "sse"), or an operation as example, method and path
// ("kitchen GET /dishes/{id}"). It is declared by a bullet under
// "### Breaking" in the "## [Unreleased]" section of CHANGELOG.md that
// starts with that name in backquotes, then a colon and what users do now:
//
//	## [Unreleased]
//
//	### Breaking
//	- `roux.Register`, `roux.Get`: return the operation's declaration; ...
//	- `kitchen GET /dishes/{id}`: answers 400 to a malformed If-None-Match.
//
// A name declares itself and everything under it: `roux.Config` covers
// `roux.Config.Logger`, `kitchen GET /dishes/{id}` that operation in both
// documents. A Go name may also be written with the package's import path
// ("github.com/roux-go/roux/otel.Middleware").
//
// Usage, from the repository root (the module is outside go.work, like
// bench/, so that apidiff's dependencies stay out of roux's builds):
//
//	(cd internal/compat && GOWORK=off go run . -repo ../..)
//
// Exit status: 0 when every breaking change is declared (or there is no
// baseline), 1 when one is not, 2 when the comparison itself failed.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// config is what the command line says.
type config struct {
	repo      string   // the repository root: the new tree and its tags
	changelog string   // path of the changelog, relative to repo
	modules   []string // directories of the public Go modules, relative to repo
	examples  []string // directories of the example services, relative to repo
	roux      string   // a roux binary for `roux diff`; empty: build repo/cmd/roux
	verbose   bool     // also list compatible changes
}

func run(args []string, stdout, stderr io.Writer) int {
	var cfg config
	var modules, examples string
	fs := flag.NewFlagSet("compat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.repo, "repo", ".", "repository root")
	fs.StringVar(&cfg.changelog, "changelog", "CHANGELOG.md", "changelog, relative to -repo")
	fs.StringVar(&modules, "modules", ".,otel", "comma-separated directories of the public Go modules")
	fs.StringVar(&examples, "examples", "examples/hello,examples/kitchen", "comma-separated directories of the example services, whose `spec` documents are contracts")
	fs.StringVar(&cfg.roux, "roux", "", "roux binary for `roux diff` (default: built from -repo's cmd/roux)")
	fs.BoolVar(&cfg.verbose, "v", false, "also list compatible changes")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "compat: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	cfg.modules = splitList(modules)
	cfg.examples = splitList(examples)
	repo, err := filepath.Abs(cfg.repo)
	if err != nil {
		fmt.Fprintln(stderr, "compat:", err)
		return 2
	}
	cfg.repo = repo
	g := &gate{cfg: cfg, out: stdout}
	defer g.cleanup()
	ok, err := g.run()
	if err != nil {
		fmt.Fprintln(stderr, "compat:", err)
		return 2
	}
	if !ok {
		return 1
	}
	return 0
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, filepath.ToSlash(filepath.Clean(f)))
		}
	}
	return out
}

// gate is one run: the baselines it extracted and the breaking changes it
// found.
type gate struct {
	cfg      config
	out      io.Writer
	trees    map[string]string // tag -> extracted tree
	tmp      string            // holds the trees, the documents and the roux binary
	findings []finding
}

func (g *gate) cleanup() {
	if g.tmp != "" {
		os.RemoveAll(g.tmp)
	}
}

func (g *gate) printf(format string, args ...any) {
	fmt.Fprintf(g.out, format, args...)
}

// run compares every module and example with its baseline and reports.
// It returns whether the gate passes.
func (g *gate) run() (bool, error) {
	tags, err := listTags(g.cfg.repo)
	if err != nil {
		return false, err
	}
	tagged := false
	for _, dir := range append(slices.Clone(g.cfg.modules), g.cfg.examples...) {
		tagged = tagged || baseline(tags, dir) != ""
	}
	if !tagged {
		g.printf("compat: no release tag (v*) in %s: nothing to compare with, so nothing can break; pass\n", g.cfg.repo)
		return true, nil
	}
	tmp, err := os.MkdirTemp("", "roux-compat-")
	if err != nil {
		return false, err
	}
	g.tmp = tmp
	g.trees = map[string]string{}

	for _, dir := range g.cfg.modules {
		tag := baseline(tags, dir)
		if tag == "" {
			g.printf("compat: Go module %s: no release tag, nothing to compare with\n", dir)
			continue
		}
		if err := g.compareModule(dir, tag); err != nil {
			return false, err
		}
	}
	for _, dir := range g.cfg.examples {
		tag := baseline(tags, dir)
		if tag == "" {
			g.printf("compat: %s: no release tag, nothing to compare with\n", dir)
			continue
		}
		if err := g.compareExample(dir, tag); err != nil {
			return false, err
		}
	}
	return g.verdict()
}

// tree returns the directory holding tag's tree, extracting it once.
func (g *gate) tree(tag string) (string, error) {
	if dir, ok := g.trees[tag]; ok {
		return dir, nil
	}
	dir := filepath.Join(g.tmp, "tree-"+strings.ReplaceAll(tag, "/", "_"))
	start := time.Now()
	if err := extract(g.cfg.repo, tag, dir); err != nil {
		return "", err
	}
	g.printf("compat: extracted %s in %s\n", tag, since(start))
	g.trees[tag] = dir
	return dir, nil
}

func since(t time.Time) string {
	return time.Since(t).Round(100 * time.Millisecond).String()
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
