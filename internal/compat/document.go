package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// documentVersions are the documents an example prints: the arguments
// after `spec`, and the name the report gives each.
var documentVersions = []struct {
	args []string
	name string
}{
	{nil, "OpenAPI 3.1"},
	{[]string{"-version", "3.0"}, "OpenAPI 3.0"},
}

// compareExample compares the documents of the example service in dir
// with those of its tree at tag, with `roux diff`. Operations are named
// "EXAMPLE METHOD PATH", EXAMPLE being dir's last element.
func (g *gate) compareExample(dir, tag string) error {
	name := path.Base(dir)
	newDir := filepath.Join(g.cfg.repo, dir)
	if !exists(newDir) {
		return fmt.Errorf("-examples: %s does not exist", newDir)
	}
	old, err := g.tree(tag)
	if err != nil {
		return err
	}
	oldDir := filepath.Join(old, dir)
	if !exists(oldDir) {
		g.printf("compat: %s: not in %s, nothing to compare with\n", dir, tag)
		return nil
	}
	roux, err := g.rouxBinary()
	if err != nil {
		return err
	}
	for i, v := range documentVersions {
		start := time.Now()
		base := filepath.Join(g.tmp, fmt.Sprintf("%s-%d", name, i))
		oldDoc, err := spec(oldDir, v.args, base+"-old.json")
		if err != nil {
			return fmt.Errorf("%s at %s: %w", dir, tag, err)
		}
		newDoc, err := spec(newDir, v.args, base+"-new.json")
		if err != nil {
			return fmt.Errorf("%s: %w", dir, err)
		}
		changes, err := rouxDiff(roux, oldDoc, newDoc)
		if err != nil {
			return fmt.Errorf("%s %s: %w", dir, v.name, err)
		}
		breaking := 0
		for _, c := range changes {
			if c.compatible {
				if g.cfg.verbose {
					g.printf("    compatible  %s %s: %s\n", name, c.name, c.what)
				}
				continue
			}
			breaking++
			c.name = name + " " + c.name
			c.source = v.name
			g.findings = append(g.findings, c)
		}
		g.printf("compat: %s document (%s) against %s: %d breaking, %d other changes (%s)\n",
			name, v.name, tag, breaking, len(changes)-breaking, since(start))
	}
	return nil
}

// spec runs `go run . spec ARGS` in dir and writes what it prints to file.
func spec(dir string, args []string, file string) (string, error) {
	cmd := exec.Command("go", append([]string{"run", ".", "spec"}, args...)...)
	cmd.Dir = dir
	cmd.Env = childEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go run . spec %s: %v\n%s", strings.Join(args, " "), err, lastLines(stderr.String(), 20))
	}
	return file, os.WriteFile(file, out, 0o644)
}

// rouxDiff runs `roux diff old new` and reads its report: one change a
// line, "breaking  " or ten spaces, then "METHOD PATH: what".
func rouxDiff(roux, old, new string) ([]finding, error) {
	cmd := exec.Command(roux, "diff", old, new)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		return nil, fmt.Errorf("roux diff: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	var fs []finding
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		rest, breaking := strings.CutPrefix(line, "breaking  ")
		if !breaking {
			var ok bool
			if rest, ok = strings.CutPrefix(line, "          "); !ok {
				continue // the closing count
			}
		}
		where, what, ok := strings.Cut(rest, ": ")
		if !ok {
			return nil, fmt.Errorf("roux diff: unexpected line %q", line)
		}
		fs = append(fs, finding{name: where, what: what, compatible: !breaking})
	}
	return fs, nil
}

// rouxBinary returns the roux command that diffs documents: -roux, or
// cmd/roux of the tree under review, built once, so that the newest
// rules judge both documents.
func (g *gate) rouxBinary() (string, error) {
	if g.cfg.roux != "" {
		return g.cfg.roux, nil
	}
	bin := filepath.Join(g.tmp, "roux")
	if exists(bin) {
		return bin, nil
	}
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/roux")
	cmd.Dir = g.cfg.repo
	cmd.Env = childEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building cmd/roux: %v\n%s", err, out)
	}
	g.cfg.roux = bin
	return bin, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
