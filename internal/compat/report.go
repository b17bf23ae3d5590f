package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// A finding is one change compat found.
type finding struct {
	name       string // "roux.API.Handle", "kitchen GET /dishes/{id}"
	alt        string // the Go name with the import path, or ""
	what       string // "removed", "response 304 removed"
	source     string // "Go API", "OpenAPI 3.1", "OpenAPI 3.0"
	compatible bool
}

// merged is a breaking change as the report lists it: the same name and
// message found in several sources (both documents) once.
type merged struct {
	finding
	sources []string
}

func mergeFindings(fs []finding) []merged {
	var out []merged
	index := map[[2]string]int{}
	for _, f := range fs {
		key := [2]string{f.name, f.what}
		if i, ok := index[key]; ok {
			out[i].sources = append(out[i].sources, f.source)
			continue
		}
		index[key] = len(out)
		out = append(out, merged{finding: f, sources: []string{f.source}})
	}
	return out
}

// verdict matches the breaking changes with the changelog's declarations,
// prints the list and, for those not declared, how to declare them. It
// returns whether every breaking change is declared.
func (g *gate) verdict() (bool, error) {
	file := g.cfg.changelog
	text, err := os.ReadFile(filepath.Join(g.cfg.repo, file))
	missing := errors.Is(err, fs.ErrNotExist)
	if err != nil && !missing {
		return false, err
	}
	cl := parseChangelog(string(text))
	for _, w := range cl.warnings {
		g.printf("compat: warning: %s:%s\n", file, w)
	}

	changes := mergeFindings(g.findings)
	used := map[declaration]bool{}
	var undeclared []merged
	if len(changes) > 0 {
		g.printf("\nBreaking changes (%d):\n", len(changes))
	}
	for _, c := range changes {
		where := strings.Join(c.sources, ", ")
		if d, ok := cl.declaredBy(c.finding); ok {
			used[d] = true
			g.printf("  declared      %s: %s  [%s; %s:%d]\n", c.name, c.what, where, file, d.line)
			continue
		}
		undeclared = append(undeclared, c)
		g.printf("  NOT DECLARED  %s: %s  [%s]\n", c.name, c.what, where)
	}
	var unused []declaration
	for _, d := range cl.declarations {
		if !used[d] {
			unused = append(unused, d)
		}
	}
	if len(unused) > 0 {
		g.printf("compat: note: declared, but no comparison finds it broken (right for a change of behaviour; otherwise a typo, or a change since undone):\n")
		for _, d := range unused {
			g.printf("  `%s`  [%s:%d]\n", d.name, file, d.line)
		}
	}
	if len(undeclared) == 0 {
		if len(changes) == 0 {
			g.printf("compat: no breaking change; pass\n")
		} else {
			g.printf("compat: every breaking change is declared in %s; pass\n", file)
		}
		return true, nil
	}

	g.printf("\ncompat: FAIL: %d breaking %s not declared in %s.\n", len(undeclared), plural(len(undeclared), "change is", "changes are"), file)
	switch {
	case missing:
		g.printf("%s does not exist: create it (Keep a Changelog style) with a \"## [Unreleased]\" section.\n", file)
	case !cl.unreleased:
		g.printf("%s has no \"## [Unreleased]\" section: add one above the newest release.\n", file)
	case !cl.breaking:
		g.printf("%s's \"## [Unreleased]\" section has no \"### Breaking\" subsection: add one.\n", file)
	}
	g.printf(`If the change is meant, declare it under "## [Unreleased]", "### Breaking" in %s: one bullet per
change, starting with the names it covers in backquotes (comma-separated), then a colon and what
users do now. A name also covers what is under it: `+"`roux.Config`"+` covers `+"`roux.Config.Logger`"+`.
If it is not meant, undo it. Lines to paste, each to finish with what users do instead:

`, file)
	for _, line := range suggestions(undeclared) {
		g.printf("%s\n", line)
	}
	return false, nil
}

// suggestions returns a changelog bullet for each undeclared name, its
// messages joined.
func suggestions(undeclared []merged) []string {
	var names []string
	whats := map[string][]string{}
	for _, c := range undeclared {
		if whats[c.name] == nil {
			names = append(names, c.name)
		}
		whats[c.name] = append(whats[c.name], c.what)
	}
	lines := make([]string, len(names))
	for i, n := range names {
		lines[i] = fmt.Sprintf("- `%s`: %s.", n, strings.Join(whats[n], "; "))
	}
	return lines
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
