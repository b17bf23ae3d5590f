package kitchen

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/roux-go/roux"
)

// Entity tags. A dish's or an order's ETag is its version in quotes —
// "3" — a strong validator: the JSON of a record is a function of its
// version, so equal tags mean byte-for-byte equal representations.

// etag returns the entity tag of version.
func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// errBadETag is returned for an If-Match or If-None-Match value that is
// not a list of entity tags (RFC 9110, section 8.8.3).
var errBadETag = errors.New("not a list of entity tags")

// etagList is a parsed If-Match or If-None-Match value.
type etagList struct {
	any  bool     // "*"
	tags []string // opaque tags with their quotes; weak ones keep "W/"
}

// parseETags parses a comma-separated list of entity tags, or "*".
// Empty list members are allowed, as RFC 9110's list rule says.
func parseETags(s string) (etagList, error) {
	var l etagList
	if strings.TrimSpace(s) == "*" {
		l.any = true
		return l, nil
	}
	rest := s
	for {
		rest = strings.TrimLeft(rest, " \t,")
		if rest == "" {
			break
		}
		start := 0
		if strings.HasPrefix(rest, "W/") {
			start = 2
		}
		if len(rest) < start+2 || rest[start] != '"' {
			return etagList{}, errBadETag
		}
		end := strings.IndexByte(rest[start+1:], '"')
		if end < 0 {
			return etagList{}, errBadETag
		}
		tag := rest[:start+end+2]
		for _, c := range []byte(tag[start+1 : len(tag)-1]) {
			// etagc = %x21 / %x23-7E / obs-text
			if c < 0x21 || c == '"' || c == 0x7f {
				return etagList{}, errBadETag
			}
		}
		l.tags = append(l.tags, tag)
		rest = strings.TrimLeft(rest[len(tag):], " \t")
		if rest != "" && rest[0] != ',' {
			return etagList{}, errBadETag
		}
	}
	if len(l.tags) == 0 {
		return etagList{}, errBadETag
	}
	return l, nil
}

// matchWeak reports whether current is in the list by the weak comparison
// of If-None-Match: tags match whether or not either is weak.
func (l etagList) matchWeak(current string) bool {
	if l.any {
		return true
	}
	current = strings.TrimPrefix(current, "W/")
	for _, t := range l.tags {
		if strings.TrimPrefix(t, "W/") == current {
			return true
		}
	}
	return false
}

// versions returns the versions named by the strong tags of the list —
// what If-Match may match; weak tags never match it.
func (l etagList) versions() []int64 {
	var vs []int64
	for _, t := range l.tags {
		if strings.HasPrefix(t, "W/") {
			continue
		}
		// Tags are opaque: only the exact text etag wrote names a
		// version ("01" is not "1").
		v, err := strconv.ParseInt(t[1:len(t)-1], 10, 64)
		if err == nil && v > 0 && etag(v) == t {
			vs = append(vs, v)
		}
	}
	return vs
}

// notModified answers a GET's If-None-Match against the current etag:
// 304 when one of its tags matches (weak comparison, RFC 9110 §13.1.2),
// 0 (the operation's own status) otherwise or without the header, and a
// 400 problem for a malformed header.
func notModified(ifNoneMatch, etag string) (int, error) {
	if ifNoneMatch == "" {
		return 0, nil
	}
	l, err := parseETags(ifNoneMatch)
	if err != nil {
		return 0, roux.Errorf(http.StatusBadRequest, "If-None-Match: %v", err)
	}
	if l.matchWeak(etag) {
		return http.StatusNotModified, nil
	}
	return 0, nil
}
