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

// TestCleanURL checks the redirects of unclean paths, and that a dot
// segment inside a segment holding an escaped slash is left alone: the
// router matches such a path escaped, where "..%2F.." is data.
func TestCleanURL(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		target string
		want   string // the redirect's target; "" for none
	}{
		{"/a/../b", "/b"},
		{"/a/./b/?q=1", "/a/b/?q=1"},
		{"/menu/%2e%2e/%2e%2e/etc/passwd", "/etc/passwd"},
		{"/dishes/..%2F..%2Fdocs", ""},
		{"/dishes/..%2f..%2fdocs", ""},
		{"/files/a%2F../b", ""},
		{"/a%2Fb/../c", "/c"},
		{"/a/%2e%2e/b%2Fc", "/b%2Fc"},
		{"/a//b%2Fc", "/a/b%2Fc"},
		{"//evil.example%2F/x", "/evil.example%2F/x"},
	} {
		u, err := url.ParseRequestURI(tt.target)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if isUnclean(u.Path) {
			if c, ok := cleanURL(u); ok {
				got = c.RequestURI()
			}
		}
		if got != tt.want {
			t.Errorf("%s: got redirect %q, want %q", tt.target, got, tt.want)
		}
	}
}

// FuzzCleanURL checks that cleaning and routing agree: a path is either
// redirected, to a path that is not redirected again, or routed with no
// segment, as the router splits it, that is empty, "." or "..".
func FuzzCleanURL(f *testing.F) {
	for _, s := range []string{"/dishes/..%2F..%2Fdocs", "/a/../b", "/a/%2e%2e/b%2Fc", "/a%2Fb/../c", "//x", "/a/.%2E/"} {
		f.Add(s)
	}
	// redirect is what dispatch does first: the target of the redirect,
	// or "".
	redirect := func(u *url.URL) string {
		if isUnclean(u.Path) {
			if c, ok := cleanURL(u); ok {
				return c.RequestURI()
			}
		}
		return ""
	}
	f.Fuzz(func(t *testing.T, target string) {
		u, err := url.ParseRequestURI("/" + strings.TrimPrefix(target, "/"))
		if err != nil || u.Opaque != "" || u.Host != "" {
			t.Skip()
		}
		if to := redirect(u); to != "" {
			u2, err := url.ParseRequestURI(to)
			if err != nil {
				t.Fatalf("%s redirects to %q, which does not parse: %v", u.RequestURI(), to, err)
			}
			if again := redirect(u2); again != "" {
				t.Fatalf("%s redirects to %s, which redirects to %s", u.RequestURI(), to, again)
			}
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
