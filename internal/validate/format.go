package validate

// This file checks the "format" values roux enforces. Each checker is a
// plain function of the string; all but email and uri run without
// allocating. Other formats (int32, double, password, ...) are annotations.

import (
	"net/mail"
	"net/netip"
	"net/url"
)

// formatTest returns the checker of format name and the detail sentence
// of its failure; checked is false for formats that are not enforced.
func formatTest(name string) (ok func(string) bool, detail string, checked bool) {
	switch name {
	case "date-time":
		return isDateTime, "must be an RFC 3339 date-time, such as 2006-01-02T15:04:05Z", true
	case "date":
		return isDate, "must be an RFC 3339 full-date, such as 2006-01-02", true
	case "time":
		return isTime, "must be an RFC 3339 time with an offset, such as 15:04:05Z", true
	case "email":
		return isEmail, "must be a valid email address", true
	case "uuid":
		return isUUID, "must be a UUID, such as 123e4567-e89b-12d3-a456-426614174000", true
	case "uri":
		return isURI, "must be an absolute URI", true
	case "ipv4":
		return isIPv4, "must be an IPv4 address", true
	case "ipv6":
		return isIPv6, "must be an IPv6 address", true
	case "hostname":
		return isHostname, "must be a valid hostname", true
	}
	return nil, "", false
}

// twoDigits parses s[i:i+2] as a decimal number.
func twoDigits(s string, i int) (int, bool) {
	a, b := s[i]-'0', s[i+1]-'0'
	return int(a)*10 + int(b), a <= 9 && b <= 9
}

// isDate checks RFC 3339 full-date: YYYY-MM-DD, a day that exists.
func isDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	c, ok1 := twoDigits(s, 0)
	y, ok2 := twoDigits(s, 2)
	m, ok3 := twoDigits(s, 5)
	d, ok4 := twoDigits(s, 8)
	if !ok1 || !ok2 || !ok3 || !ok4 || m < 1 || m > 12 || d < 1 {
		return false
	}
	year := c*100 + y
	days := [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m-1]
	if m == 2 && year%4 == 0 && (year%100 != 0 || year%400 == 0) {
		days = 29
	}
	return d <= days
}

// isTime checks RFC 3339 full-time: HH:MM:SS, an optional fraction, and
// "Z" or a ±HH:MM offset. Second 60 is a leap second, valid only at
// 23:59 UTC.
func isTime(s string) bool {
	if len(s) < 9 || s[2] != ':' || s[5] != ':' {
		return false
	}
	h, ok1 := twoDigits(s, 0)
	m, ok2 := twoDigits(s, 3)
	sec, ok3 := twoDigits(s, 6)
	if !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || sec > 60 {
		return false
	}
	rest := s[8:]
	if rest[0] == '.' {
		i := 1
		for i < len(rest) && rest[i]-'0' <= 9 {
			i++
		}
		if i == 1 {
			return false
		}
		rest = rest[i:]
	}
	off := 0 // minutes east of UTC
	switch {
	case rest == "Z" || rest == "z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := twoDigits(rest, 1)
		om, ok2 := twoDigits(rest, 4)
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return false
		}
		if off = oh*60 + om; rest[0] == '-' {
			off = -off
		}
	default:
		return false
	}
	return sec < 60 || ((h*60+m-off)%1440+1440)%1440 == 23*60+59
}

// isDateTime checks RFC 3339 date-time: full-date "T" full-time (the T
// and Z may be lowercase, as RFC 3339 allows).
func isDateTime(s string) bool {
	return len(s) > 11 && isDate(s[:10]) && (s[10] == 'T' || s[10] == 't') && isTime(s[11:])
}

// isEmail accepts an RFC 5322 addr-spec ("local@domain"): what
// net/mail parses as an address without a display name, angle brackets or
// comments.
func isEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s
}

// isUUID checks the 8-4-4-4-12 hexadecimal form, in either case.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !isHex(c) {
				return false
			}
		}
	}
	return true
}

func isHex(c byte) bool { return c-'0' <= 9 || (c|0x20)-'a' <= 5 }

// isURI checks an absolute URI (RFC 3986): only the characters RFC 3986
// allows, well-formed percent escapes, a scheme, and a structure that
// net/url accepts.
func isURI(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return false
			}
		case c >= 0x80 || c <= ' ' || c == '"' || c == '<' || c == '>' || c == '\\' ||
			c == '^' || c == '`' || c == '{' || c == '|' || c == '}' || c == 0x7f:
			return false
		}
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme != ""
}

// isIPv4 accepts the dotted-quad form only (no leading zeros).
func isIPv4(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4()
}

// isIPv6 accepts RFC 4291 text forms, including an embedded IPv4 address,
// without a zone.
func isIPv6(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is6() && a.Zone() == ""
}

// isHostname checks RFC 1123: dot-separated labels of 1 to 63 letters,
// digits and hyphens, not starting or ending with a hyphen, 253 bytes in
// all. A trailing dot is not accepted.
func isHostname(s string) bool {
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != '.' {
			c := s[i] | 0x20
			if !(c >= 'a' && c <= 'z') && !(s[i] >= '0' && s[i] <= '9') && s[i] != '-' {
				return false
			}
			continue
		}
		label := s[start:i]
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		start = i + 1
	}
	return true
}
