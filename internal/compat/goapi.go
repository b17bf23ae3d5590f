package main

import (
	"errors"
	"fmt"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/exp/apidiff"
	"golang.org/x/tools/go/packages"
)

// compareModule compares the exported API of the Go module in dir with
// its tree at tag.
func (g *gate) compareModule(dir, tag string) error {
	start := time.Now()
	newDir := filepath.Join(g.cfg.repo, dir)
	if !exists(filepath.Join(newDir, "go.mod")) {
		return fmt.Errorf("-modules: %s has no go.mod", newDir)
	}
	old, err := g.tree(tag)
	if err != nil {
		return err
	}
	oldDir := filepath.Join(old, dir)
	if !exists(filepath.Join(oldDir, "go.mod")) {
		g.printf("compat: Go module %s: not in %s, nothing to compare with\n", dir, tag)
		return nil
	}
	oldPkgs, err := loadPublic(oldDir)
	if err != nil {
		return fmt.Errorf("loading %s at %s: %w", dir, tag, err)
	}
	newPkgs, err := loadPublic(newDir)
	if err != nil {
		return fmt.Errorf("loading %s: %w", dir, err)
	}
	fs := goAPIChanges(oldPkgs, newPkgs)
	breaking, compatible := 0, 0
	for _, f := range fs {
		if f.compatible {
			compatible++
			if g.cfg.verbose {
				g.printf("    compatible  %s: %s\n", f.name, f.what)
			}
			continue
		}
		breaking++
		f.source = "Go API"
		g.findings = append(g.findings, f)
	}
	g.printf("compat: Go API of module %s (%d %s) against %s: %d breaking, %d compatible changes (%s)\n",
		modulePath(newPkgs, dir), len(newPkgs), plural(len(newPkgs), "package", "packages"), describe(g.cfg.repo, tag), breaking, compatible, since(start))
	return nil
}

func modulePath(pkgs []*packages.Package, dir string) string {
	for _, p := range pkgs {
		if p.Module != nil {
			return p.Module.Path
		}
	}
	return dir
}

// loadPublic loads the type information of the module in dir's public
// packages: every package but commands, tests and internal packages. The
// module is loaded as its own tree would build it (its go.work, if any,
// applies).
func loadPublic(dir string) ([]*packages.Package, error) {
	cfg := &packages.Config{
		Mode: packages.NeedName | packages.NeedTypes | packages.NeedModule,
		Dir:  dir,
		Env:  childEnv(),
		Fset: token.NewFileSet(),
	}
	pkgs, err := packages.Load(cfg, "./...")
	if err != nil {
		return nil, err
	}
	var public []*packages.Package
	var errs []error
	for _, p := range pkgs {
		if p.Name == "main" || isInternal(p.PkgPath) {
			continue
		}
		for _, e := range p.Errors {
			errs = append(errs, e)
		}
		public = append(public, p)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return public, nil
}

func isInternal(path string) bool {
	return path == "internal" || strings.HasPrefix(path, "internal/") ||
		strings.HasSuffix(path, "/internal") || strings.Contains(path, "/internal/")
}

// goAPIChanges compares old and new package by package (matched by import
// path) and names each change by its package's name.
func goAPIChanges(old, new []*packages.Package) []finding {
	newByPath := map[string]*packages.Package{}
	for _, p := range new {
		newByPath[p.PkgPath] = p
	}
	var fs []finding
	for _, op := range old {
		np, ok := newByPath[op.PkgPath]
		if !ok {
			fs = append(fs, finding{name: op.Name, alt: op.PkgPath, what: "package removed (" + op.PkgPath + ")"})
			continue
		}
		for _, c := range apidiff.Changes(op.Types, np.Types).Changes {
			fs = append(fs, goFinding(op.Types, c))
		}
	}
	oldPaths := map[string]bool{}
	for _, p := range old {
		oldPaths[p.PkgPath] = true
	}
	for _, np := range new {
		if !oldPaths[np.PkgPath] {
			fs = append(fs, finding{name: np.Name, alt: np.PkgPath, what: "package added", compatible: true})
		}
	}
	slices.SortFunc(fs, func(a, b finding) int { return strings.Compare(a.name+a.what, b.name+b.what) })
	return fs
}

// goFinding names an apidiff change by package name and symbol:
// "(*API).Handle: removed" in package roux becomes "roux.API.Handle".
func goFinding(pkg *types.Package, c apidiff.Change) finding {
	symbol, what, ok := strings.Cut(c.Message, ": ")
	if !ok {
		symbol, what = "", c.Message
	}
	// apidiff adds a part to some names ("T.M, method set of U",
	// "C, element type"): it goes to the message, not the name.
	for _, part := range []string{", method set of ", ", element type"} {
		if i := strings.Index(symbol, part); i >= 0 {
			symbol, what = symbol[:i], symbol[i+2:]+": "+what
			break
		}
	}
	f := finding{name: pkg.Name(), alt: pkg.Path(), what: what, compatible: c.Compatible}
	if sym := symbolName(symbol); sym != "" {
		f.name += "." + sym
		f.alt += "." + sym
	}
	return f
}

// symbolName turns apidiff's name of an object into a doc-style one:
// receivers lose their parentheses and star, and type parameters go.
//
//	(*API).Handle               -> API.Handle
//	(*Operation[In, Out]).ID    -> Operation.ID
//	Config.Logger               -> Config.Logger
func symbolName(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '[':
			depth++
		case r == ']':
			depth--
		case depth > 0, r == '(', r == ')', r == '*':
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

// childEnv is the environment of the go commands compat runs: its own,
// without GOWORK, so that each tree's go.work applies as it would in that
// tree (compat itself runs with GOWORK=off, being outside the workspace).
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GOWORK=") {
			env = append(env, kv)
		}
	}
	return env
}
