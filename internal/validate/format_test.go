package validate

import (
	"strings"
	"testing"
)

func TestFormats(t *testing.T) {
	t.Parallel()
	label63 := strings.Repeat("a", 63)
	long := strings.Repeat(label63+".", 4)[:254]
	for _, tt := range []struct {
		format  string
		valid   []string
		invalid []string
	}{
		{"date-time",
			[]string{"2006-01-02T15:04:05Z", "2006-01-02T15:04:05.999+07:00", "2006-01-02t15:04:05z", "2024-02-29T00:00:00-00:00",
				"1998-12-31T23:59:60Z", "1998-12-31T15:59:60.123-08:00"},
			[]string{"", "2006-01-02", "2006-01-02T15:04:05", "2006-01-02 15:04:05Z", "2006-13-02T15:04:05Z", "2023-02-29T00:00:00Z",
				"2006-01-02T24:00:00Z", "1998-12-31T22:59:60Z", "2006-01-02T15:04:05.Z", "2006-01-02T15:04:05+0700", "2006-01-02T15:04:05+07:00 ",
				"２006-01-02T15:04:05Z", "2006-01-02T15:04:05+07:60"}},
		{"date",
			[]string{"2024-02-29", "2000-02-29", "1900-02-28", "0000-01-01", "9999-12-31"},
			[]string{"", "1900-02-29", "2024-2-29", "2024-02-30", "2024-04-31", "20240229", "2024-02-29T00:00:00Z", "2024-00-10", "2024-01-00"}},
		{"time",
			[]string{"15:04:05Z", "15:04:05.123-07:30", "23:59:60Z", "00:00:00+00:00"},
			[]string{"", "15:04:05", "25:00:00Z", "15:60:00Z", "15:04Z", "15:04:05+24:00", "15:04:61Z", "12:00:60Z", "1:04:05Z"}},
		{"email",
			[]string{"joe@example.com", "a.b+c@d.co", "x@localhost", "o'neil@example.org"},
			[]string{"", "joe", "joe@", "@example.com", "Joe <joe@example.com>", "<joe@example.com>", "joe@example.com (Joe)",
				" joe@example.com", "joe@@example.com", "joe.@example.com"}},
		{"uuid",
			[]string{"123e4567-e89b-12d3-a456-426614174000", "123E4567-E89B-12D3-A456-426614174000", "00000000-0000-0000-0000-000000000000"},
			[]string{"", "123e4567e89b12d3a456426614174000", "123e4567-e89b-12d3-a456-42661417400g", "{123e4567-e89b-12d3-a456-426614174000}",
				"123e4567-e89b-12d3-a456-4266141740000", "123e4567-e89b-12d3-a4564-26614174000"}},
		{"uri",
			[]string{"https://example.com/a?b=c#d", "urn:isbn:0451450523", "mailto:joe@example.com", "http://[::1]:8080/", "http://x/%20", "file:///etc/hosts"},
			[]string{"", "/relative/path", "example.com", "//example.com/a", "http://exa mple.com", "http://x/a b", "http://x/%zz", "http://x/%2",
				"https://例え.jp", "http://x/<a>", ":no-scheme"}},
		{"ipv4",
			[]string{"192.168.0.1", "0.0.0.0", "255.255.255.255"},
			[]string{"", "256.0.0.1", "1.2.3", "01.2.3.4", "::1", "1.2.3.4 ", "::ffff:1.2.3.4", "1.2.3.4/8"}},
		{"ipv6",
			[]string{"::1", "2001:db8::1", "::ffff:192.0.2.1", "fe80::1", "1:2:3:4:5:6:7:8"},
			[]string{"", "fe80::1%eth0", "1.2.3.4", "2001:db8:::1", "12345::", "[::1]", "1:2:3:4:5:6:7:8:9"}},
		{"hostname",
			[]string{"example.com", "a", "xn--bcher-kva.example", "1host.com", label63 + ".com", "A-B.example"},
			[]string{"", "-a.com", "a-.com", "a..com", "example.com.", ".example.com", "a_b.com", label63 + "a.com", long, "exa mple.com", "ex@mple"}},
	} {
		t.Run(tt.format, func(t *testing.T) {
			t.Parallel()
			ok, _, checked := formatTest(tt.format)
			if !checked {
				t.Fatalf("format %s is not checked", tt.format)
			}
			for _, s := range tt.valid {
				if !ok(s) {
					t.Errorf("%s %q: got invalid, want valid", tt.format, s)
				}
			}
			for _, s := range tt.invalid {
				if ok(s) {
					t.Errorf("%s %q: got valid, want invalid", tt.format, s)
				}
			}
		})
	}
}

func TestAnnotationFormats(t *testing.T) {
	t.Parallel()
	for _, f := range []string{"", "int32", "int64", "float", "double", "byte", "binary", "password", "uri-reference", "duration", "regex"} {
		if _, _, checked := formatTest(f); checked {
			t.Errorf("format %q: got checked, want an annotation", f)
		}
	}
}
