package roux

import (
	"net/url"
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

// TestUncleanAsRouted checks which paths dispatch refuses as unclean,
// and that a dot segment inside a segment holding an escaped slash is
// left alone: the router matches such a path escaped, where "..%2F.." is
// data.
func TestUncleanAsRouted(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		target  string
		refused bool
	}{
		{"/a/../b", true},
		{"/a/./b/?q=1", true},
		{"/menu/%2e%2e/%2e%2e/etc/passwd", true},
		{"/dishes/..%2F..%2Fdocs", false},
		{"/dishes/..%2f..%2fdocs", false},
		{"/files/a%2F../b", false},
		{"/a%2F/b", false},
		{"/a%2Fb/../c", true},
		{"/a/%2e%2e/b%2Fc", true},
		{"/a//b%2Fc", true},
		{"//evil.example%2F/x", true},
		{"/dishes/", false},
		{"/dishes/7", false},
	} {
		u, err := url.ParseRequestURI(tt.target)
		if err != nil {
			t.Fatal(err)
		}
		if got := refused(u); got != tt.refused {
			t.Errorf("%s: got refused %v, want %v", tt.target, got, tt.refused)
		}
	}
}

// refused is dispatch's first test.
func refused(u *url.URL) bool { return isUnclean(u.Path) && uncleanAsRouted(u) }

// FuzzUncleanAsRouted checks that refusing and routing agree: a path is
// either refused, or routed with no segment, as the router splits it,
// that is empty, "." or "..".
func FuzzUncleanAsRouted(f *testing.F) {
	for _, s := range []string{"/dishes/..%2F..%2Fdocs", "/a/../b", "/a/%2e%2e/b%2Fc", "/a%2Fb/../c", "//x", "/a/.%2E/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, target string) {
		u, err := url.ParseRequestURI("/" + strings.TrimPrefix(target, "/"))
		if err != nil || u.Opaque != "" || u.Host != "" {
			t.Skip()
		}
		if refused(u) {
			return
		}
		routed := u.Path
		if raw := u.RawPath; strings.Contains(raw, "%2F") || strings.Contains(raw, "%2f") {
			routed = raw
		}
		segs := strings.Split(routed[1:], "/")
		for i, s := range segs {
			if i == len(segs)-1 && s == "" {
				break // a trailing slash
			}
			if d, err := url.PathUnescape(s); s == "" || err == nil && (d == "." || d == "..") {
				t.Fatalf("%s is routed as %q, with segment %q", u.RequestURI(), routed, s)
			}
		}
	})
}
