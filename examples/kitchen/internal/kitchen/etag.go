package kitchen

import (
	"strconv"
	"strings"

	"github.com/roux-go/roux"
)

// Entity tags. A dish's or an order's ETag is its version in quotes —
// "3" — a strong validator: the JSON of a record is a function of its
// version, so equal tags mean byte-for-byte equal representations. roux
// answers If-None-Match (304) and requires If-Match (428); the handlers
// compare If-Match with the stored version.

// etag returns the entity tag of version.
func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// versions returns the versions named by the strong tags of l — what
// If-Match may match; weak tags never match it. Tags are opaque: only
// the exact text etag writes names a version ("01" is not "1").
func versions(l roux.ETags) []int64 {
	var vs []int64
	for _, t := range l.Tags() {
		if strings.HasPrefix(t, "W/") {
			continue
		}
		v, err := strconv.ParseInt(t[1:len(t)-1], 10, 64)
		if err == nil && v > 0 && etag(v) == t {
			vs = append(vs, v)
		}
	}
	return vs
}
