package main

import (
	"fmt"
	"regexp"
	"strings"
)

// changelog is what compat reads in CHANGELOG.md: the breaking changes
// the "## [Unreleased]" section declares under "### Breaking".
type changelog struct {
	unreleased   bool          // the file has an Unreleased section
	breaking     bool          // which has a Breaking subsection
	declarations []declaration // in the order written
	warnings     []string      // "line N: ..." for entries that declare nothing
}

// A declaration is one name a Breaking entry declares.
type declaration struct {
	name string
	line int
}

var (
	unreleasedHeading = regexp.MustCompile(`(?i)^##\s+\[?unreleased\]?\s*$`)
	breakingHeading   = regexp.MustCompile(`(?i)^###\s+breaking(\s+changes)?\s*$`)
	bullet            = regexp.MustCompile(`^ ?[-*+]\s+(.*)$`)
)

// parseChangelog reads the declarations of text, a Keep a Changelog
// document. An entry under "### Breaking" in "## [Unreleased]" is a
// bullet that starts with the names it declares, each in backquotes and
// separated by commas, then a colon and what users do now:
//
//   - `roux.API.Handle`, `roux.API.HandleFunc`: removed; attach handlers with `roux.Handle`.
//
// Lines indented under a bullet continue it. A bullet that does not start
// that way declares nothing and earns a warning.
func parseChangelog(text string) changelog {
	var cl changelog
	inUnreleased, inBreaking := false, false
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
		line = strings.TrimRight(line, " \t\r")
		switch {
		case strings.HasPrefix(line, "## ") || line == "##":
			inUnreleased = unreleasedHeading.MatchString(line)
			inBreaking = false
			cl.unreleased = cl.unreleased || inUnreleased
			continue
		case strings.HasPrefix(line, "### ") || strings.HasPrefix(line, "# "):
			inBreaking = inUnreleased && breakingHeading.MatchString(line)
			cl.breaking = cl.breaking || inBreaking
			continue
		}
		if !inBreaking {
			continue
		}
		m := bullet.FindStringSubmatch(line)
		if m == nil {
			continue // a continuation line, or text between entries
		}
		names, why, err := entryNames(m[1])
		if err != "" {
			cl.warnings = append(cl.warnings, fmt.Sprintf("line %d: %s", n, err))
			continue
		}
		if why == "" {
			cl.warnings = append(cl.warnings, fmt.Sprintf("line %d: after the colon, say what users do now", n))
		}
		for _, name := range names {
			cl.declarations = append(cl.declarations, declaration{name: name, line: n})
		}
	}
	return cl
}

// entryNames splits an entry's text into the backquoted names before its
// colon and what follows the colon. err says what is wrong with an entry
// that declares nothing.
func entryNames(s string) (names []string, why string, err string) {
	const form = "a Breaking entry starts with the names it declares in backquotes, then a colon: - `roux.Config.Logger`: ..."
	rest := strings.TrimSpace(s)
	for {
		if !strings.HasPrefix(rest, "`") {
			return nil, "", "declares nothing: " + form
		}
		end := strings.Index(rest[1:], "`")
		if end < 0 {
			return nil, "", "unclosed backquote: " + form
		}
		if name := normalizeName(rest[1 : 1+end]); name != "" {
			names = append(names, name)
		}
		rest = strings.TrimSpace(rest[end+2:])
		switch {
		case strings.HasPrefix(rest, ","):
			rest = strings.TrimSpace(rest[1:])
		case strings.HasPrefix(rest, ":"):
			return names, strings.TrimSpace(rest[1:]), ""
		default:
			return nil, "", "no colon after the names: " + form
		}
	}
}

// normalizeName makes a declared name comparable with compat's names:
// spaces collapse, and a Go name is written as [symbolName] writes it
// (`roux.(*API).Handle`, `roux.API.Handle()` and
// `roux.Operation[In, Out].ID` become `roux.API.Handle` and
// `roux.Operation.ID`).
func normalizeName(s string) string {
	fields := strings.Fields(s)
	if len(fields) >= 2 && isMethod(fields[1]) {
		return strings.Join(fields, " ") // an operation: "kitchen GET /dishes/{id}"
	}
	return symbolName(strings.TrimSuffix(strings.Join(fields, ""), "()"))
}

func isMethod(s string) bool {
	return s != "" && strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == ""
}

// covers reports whether a declared name declares the change named name:
// the same name, or one below it (`roux.Config` covers
// `roux.Config.Logger`, `kitchen GET /x` both documents' GET /x).
func covers(declared, name string) bool {
	rest, ok := strings.CutPrefix(name, declared)
	return ok && (rest == "" || rest[0] == '.' || rest[0] == ' ')
}

// declaredBy returns the first declaration covering f, if any.
func (cl changelog) declaredBy(f finding) (declaration, bool) {
	for _, d := range cl.declarations {
		if covers(d.name, f.name) || (f.alt != "" && covers(d.name, f.alt)) {
			return d, true
		}
	}
	return declaration{}, false
}
