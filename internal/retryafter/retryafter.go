// Package retryafter parses the Retry-After header field (RFC 9110,
// section 10.2.3), for the code of roux that reads answers: the webhook
// sender and the typed client.
package retryafter

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Parse parses a Retry-After value, delay-seconds or an HTTP-date,
// relative to now. A date in the past is a delay of 0. It reports false
// for an empty or malformed value.
func Parse(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
