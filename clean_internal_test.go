package roux

import (
	"strings"
	"testing"
)

func TestIsUnclean(t *testing.T) {
	t.Parallel()
	slow := func(p string) bool {
		return strings.Contains(p, "//") || strings.Contains(p, "/./") || strings.Contains(p, "/../") ||
			strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..")
	}
	for _, p := range []string{
		"/", "/a", "/a/", "/a/b", "//", "/a//b", "/.", "/..", "/./a", "/../a", "/a/.", "/a/..", "/a/./b",
		"/a/../b", "/.a", "/..a", "/a.", "/a..", "/a/.b/", "/a/..b", "/...", "/a/.../b", "", "a/../b", "/a/b/",
	} {
		if got, want := isUnclean(p), slow(p); got != want {
			t.Errorf("isUnclean(%q) = %v, want %v", p, got, want)
		}
	}
}

func FuzzIsUnclean(f *testing.F) {
	for _, s := range []string{"/a/../b", "//", "/.", "/a/b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		slow := strings.Contains(p, "//") || strings.Contains(p, "/./") || strings.Contains(p, "/../") ||
			strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..")
		if got := isUnclean(p); got != slow {
			t.Errorf("isUnclean(%q) = %v, want %v", p, got, slow)
		}
	})
}
