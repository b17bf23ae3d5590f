package route

import (
	"path"
	"strings"
	"testing"
)

func TestCleanEscaped(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"/", "/"},
		{"", "/"},
		{"/a/b", "/a/b"},
		{"/a/b/", "/a/b/"},
		{"/a//b", "/a/b"},
		{"/a/./b", "/a/b"},
		{"/a/../b", "/b"},
		{"/../a", "/a"},
		{"/a/..", "/"},
		{"/a/b/../", "/a/"},
		// An escaped slash is data: no dot segment here.
		{"/dishes/..%2F..%2Fdocs", "/dishes/..%2F..%2Fdocs"},
		{"/a/..%2f", "/a/..%2f"},
		{"/a%2Fb/../c", "/c"},
		{"/a%2Fb/./c", "/a%2Fb/c"},
		// An escaped dot is a dot.
		{"/a/%2e%2E/b%2Fc", "/b%2Fc"},
		{"/a/%2e/b%2Fc", "/a/b%2Fc"},
		{"/a/.%2e/b", "/b"},
		{"/a/%2e%2e%2e/b", "/a/%2e%2e%2e/b"},
		{"/a/%2ex/b", "/a/%2ex/b"},
		{"/a/%2/b", "/a/%2/b"},
		{"//evil.example%2F", "/evil.example%2F"},
	} {
		if got := CleanEscaped(tt.in); got != tt.want {
			t.Errorf("CleanEscaped(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzCleanEscaped checks that the clean form is stable, has no segment
// the router would see as a dot or empty, and is what ServeMux's cleaning
// gives for paths without escapes.
func FuzzCleanEscaped(f *testing.F) {
	for _, s := range []string{"/a/../b", "/dishes/..%2F..%2Fdocs", "/a/%2e%2e/b", "//", "/a/./b/", "/a%2Fb/../c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if !strings.HasPrefix(p, "/") {
			p = "/" + p
		}
		c := CleanEscaped(p)
		if again := CleanEscaped(c); again != c {
			t.Fatalf("CleanEscaped(%q) = %q, but that cleans to %q", p, c, again)
		}
		segs := strings.Split(strings.TrimSuffix(c[1:], "/"), "/")
		for i, s := range segs {
			if s == "" && !(i == 0 && len(segs) == 1) || dots(s) > 0 {
				t.Fatalf("CleanEscaped(%q) = %q has segment %d %q", p, c, i, s)
			}
		}
		if !strings.Contains(p, "%") {
			want := path.Clean(p)
			if strings.HasSuffix(p, "/") && want != "/" {
				want += "/"
			}
			if c != want {
				t.Fatalf("CleanEscaped(%q) = %q, want %q as ServeMux cleans it", p, c, want)
			}
		}
	})
}
