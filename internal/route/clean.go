package route

import (
	"path"
	"strings"
)

// CleanEscaped returns the clean form of an escaped path (a URL's RawPath)
// in which the router matches, segment by segment: "." and ".." segments
// resolved and empty segments dropped, as path.Clean does, keeping a
// trailing slash, as net/http's ServeMux does. Only a literal "/"
// separates segments, as in [Router.Lookup], so an escaped slash is data:
// "..%2F.." is one segment, and no dot segment. An escaped dot is a dot
// ("%2e%2E" is ".."): RFC 3986 §6.2.2.2 makes an escaped unreserved
// character the character itself.
//
// The result is p itself when p is clean.
func CleanEscaped(p string) string {
	if p == "" {
		return "/"
	}
	var b strings.Builder
	b.Grow(len(p))
	for i, seg := range strings.Split(p, "/") {
		if i > 0 {
			b.WriteByte('/')
		}
		switch dots(seg) {
		case 1:
			b.WriteByte('.')
		case 2:
			b.WriteString("..")
		default:
			b.WriteString(seg)
		}
	}
	c := path.Clean(b.String())
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	if c == p {
		return p
	}
	return c
}

// dots returns 1 when seg is a dot, plain or escaped, 2 when it is two,
// and 0 otherwise.
func dots(seg string) int {
	n := 0
	for seg != "" {
		switch {
		case seg[0] == '.':
			seg = seg[1:]
		case len(seg) >= 3 && seg[0] == '%' && seg[1] == '2' && (seg[2] == 'e' || seg[2] == 'E'):
			seg = seg[3:]
		default:
			return 0
		}
		if n++; n > 2 {
			return 0
		}
	}
	return n
}
