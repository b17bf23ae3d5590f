package rouxotel

import (
	"net"
	"strconv"
	"testing"
)

func TestSplitHostPort(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		host string
		port int
	}{
		{"", "", 0},
		{"example.com", "example.com", 0},
		{"example.com:8080", "example.com", 8080},
		{"127.0.0.1:80", "127.0.0.1", 80},
		{"[::1]:443", "::1", 443},
		{"[::1]", "::1", 0},
		{"::1", "::1", 0},
		{"host:", "host", 0},
		{"host:99999", "host", 0},
		{"host:0", "host", 0},
		{"host:x", "host", 0},
		{"[::1", "", 0},
	} {
		host, port := splitHostPort(tt.in)
		if host != tt.host || port != tt.port {
			t.Errorf("splitHostPort(%q): got %q, %d, want %q, %d", tt.in, host, port, tt.host, tt.port)
		}
	}
}

// FuzzSplitHostPort checks that splitHostPort agrees with
// net.SplitHostPort wherever the latter accepts its input.
func FuzzSplitHostPort(f *testing.F) {
	for _, s := range []string{"", "a:1", "[::1]:80", "[::1]", "h:", "a:b:c", "[a]b:80", ":80", "h:+80", "h:065535"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, hp string) {
		host, port := splitHostPort(hp)
		if port < 0 || port > 65535 {
			t.Fatalf("splitHostPort(%q): port %d out of range", hp, port)
		}
		wantHost, p, err := net.SplitHostPort(hp)
		if err != nil {
			return
		}
		n, _ := strconv.Atoi(p)
		if host != wantHost || port != validPort(n) {
			t.Errorf("splitHostPort(%q): got %q, %d; net.SplitHostPort: %q, %q", hp, host, port, wantHost, p)
		}
	})
}
