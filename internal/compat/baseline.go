package main

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/mod/semver"
)

// listTags returns the repository's tags.
func listTags(repo string) ([]string, error) {
	out, err := gitOutput(repo, "tag", "--list")
	if err != nil {
		return nil, err
	}
	return strings.Fields(string(out)), nil
}

// newest returns the newest release tag of the module in dir ("." for the
// root module): the highest semantic version among the tags "vX.Y.Z" of
// the root module, or "dir/vX.Y.Z" of a nested one, prereleases
// included. It returns "" when the module has no such tag.
func newest(tags []string, dir string) string {
	prefix := ""
	if dir != "." {
		prefix = dir + "/"
	}
	best := ""
	for _, t := range tags {
		v, ok := strings.CutPrefix(t, prefix)
		if !ok || !semver.IsValid(v) {
			continue
		}
		if best == "" || semver.Compare(v, strings.TrimPrefix(best, prefix)) > 0 {
			best = t
		}
	}
	return best
}

// baseline returns the tag to compare the module or example in dir with:
// its own newest tag, or else the root module's, the release of the
// whole repository. It returns "" when there is neither.
func baseline(tags []string, dir string) string {
	if t := newest(tags, dir); t != "" {
		return t
	}
	return newest(tags, ".")
}

// extract writes the tree of tag in repo to dir, with git archive: the
// repository, its index and its work tree are left alone.
func extract(repo, tag, dir string) error {
	cmd := exec.Command("git", "-C", repo, "archive", "--format=tar", tag+"^{commit}")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("git archive %s: %w", tag, err)
	}
	untarErr := untar(out, dir)
	io.Copy(io.Discard, out) // let git finish if untar stopped early
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("git archive %s: %v: %s", tag, err, strings.TrimSpace(stderr.String()))
	}
	if untarErr != nil {
		return fmt.Errorf("extracting %s: %w", tag, untarErr)
	}
	return nil
}

func untar(r io.Reader, dir string) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if h.Typeflag == tar.TypeXGlobalHeader {
			continue // git's record of the commit
		}
		name := filepath.FromSlash(h.Name)
		if !filepath.IsLocal(name) {
			return fmt.Errorf("unexpected path %q in the archive", h.Name)
		}
		path := filepath.Join(dir, name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(path, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
			if err := writeFile(path, tr, h.FileInfo().Mode().Perm()); err != nil {
				return err
			}
		case tar.TypeSymlink:
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
			if err := os.Symlink(h.Linkname, path); err != nil {
				return err
			}
		}
	}
}

func writeFile(path string, r io.Reader, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm|0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, r)
	return errors.Join(err, f.Close())
}

// gitOutput runs git in repo and returns its standard output.
func gitOutput(repo string, args ...string) ([]byte, error) {
	cmd := exec.Command("git", append([]string{"-C", repo}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// describe returns "tag (abbreviated commit, date)" for the report.
func describe(repo, tag string) string {
	out, err := gitOutput(repo, "log", "-1", "--format=%h, %cs", tag+"^{commit}")
	if err != nil {
		return tag
	}
	return fmt.Sprintf("%s (%s)", tag, strings.TrimSpace(string(out)))
}
