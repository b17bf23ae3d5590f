package roux

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseRanges(t *testing.T) {
	t.Parallel()
	spaced := func(n, step int) string {
		specs := make([]string, n)
		for i := range specs {
			specs[i] = fmt.Sprintf("%d-%d", i*step, i*step)
		}
		return "bytes=" + strings.Join(specs, ",")
	}
	for _, tt := range []struct {
		name    string
		h       string
		size    int64
		want    []byteRange
		verdict rangeVerdict
	}{
		{"one", "bytes=10-19", 1000, []byteRange{{10, 19}}, rangeSatisfiable},
		{"open", "bytes=990-", 1000, []byteRange{{990, 999}}, rangeSatisfiable},
		{"suffix", "bytes=-10", 1000, []byteRange{{990, 999}}, rangeSatisfiable},
		{"suffix longer than the content", "bytes=-5000", 1000, []byteRange{{0, 999}}, rangeSatisfiable},
		{"end past the content", "bytes=900-5000", 1000, []byteRange{{900, 999}}, rangeSatisfiable},
		{"spaces", "bytes= 1-2 ,\t500-600", 1000, []byteRange{{1, 2}, {500, 600}}, rangeSatisfiable},
		{"overlapping, merged", "bytes=0-99,50-149", 1000, []byteRange{{0, 149}}, rangeSatisfiable},
		{"adjacent, merged", "bytes=0-99,100-199", 1000, []byteRange{{0, 199}}, rangeSatisfiable},
		{"79 bytes apart, merged", "bytes=0-0,80-80", 1000, []byteRange{{0, 80}}, rangeSatisfiable},
		{"80 bytes apart, kept", "bytes=0-0,81-81", 1000, []byteRange{{0, 0}, {81, 81}}, rangeSatisfiable},
		{"descending, near, merged", "bytes=200-200,150-150,100-100", 1000, []byteRange{{100, 200}}, rangeSatisfiable},
		{"order kept", "bytes=500-599,0-99", 1000, []byteRange{{500, 599}, {0, 99}}, rangeSatisfiable},
		{"the same range 5,000 times", "bytes=" + strings.Repeat("0-999,", 5000), 1000, []byteRange{{0, 999}}, rangeSatisfiable},
		{"5,000 one-byte ranges 20 bytes apart", spaced(5000, 20), 100 << 10, []byteRange{{0, 99980}}, rangeSatisfiable},
		{"100 far ranges", spaced(100, 100), 100 << 10, nil, rangeSatisfiable},
		{"101 far ranges", spaced(101, 100), 100 << 10, nil, rangeTooMany},
		{"unsatisfiable dropped", "bytes=5000-6000,0-1", 1000, []byteRange{{0, 1}}, rangeSatisfiable},
		{"none satisfiable", "bytes=1000-", 1000, nil, rangeNone},
		{"zero suffix", "bytes=-0", 1000, nil, rangeNone},
		{"empty content", "bytes=0-10,-5", 0, nil, rangeNone},
		{"empty specs", "bytes=,,", 1000, nil, rangeNone},
		{"other unit", "items=0-1", 1000, nil, rangeMalformed},
		{"no dash", "bytes=1", 1000, nil, rangeMalformed},
		{"last before first", "bytes=5-1", 1000, nil, rangeMalformed},
		{"not a number", "bytes=a-b", 1000, nil, rangeMalformed},
		{"bare dash", "bytes=-", 1000, nil, rangeMalformed},
		{"negative suffix", "bytes=--1", 1000, nil, rangeMalformed},
		{"malformed after many", "bytes=" + strings.Repeat("0-0,", 1000) + "x", 1000, nil, rangeMalformed},
	} {
		got, verdict := parseRanges(tt.h, tt.size)
		if verdict != tt.verdict {
			t.Errorf("%s: verdict %d, want %d", tt.name, verdict, tt.verdict)
			continue
		}
		if tt.want != nil || verdict != rangeSatisfiable {
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(byteRange{})); diff != "" {
				t.Errorf("%s: (-want +got):\n%s", tt.name, diff)
			}
		} else if len(got) != 100 {
			t.Errorf("%s: %d ranges, want 100", tt.name, len(got))
		}
	}
}

// FuzzParseRanges checks parseRanges against http.ServeContent, which
// reads the raw header: both refuse the same headers (416), the ranges
// kept are within the content, ordered as merged, at most maxRanges, and
// cover every byte ServeContent would have sent.
func FuzzParseRanges(f *testing.F) {
	for _, s := range []string{"bytes=0-1", "bytes=-5", "bytes=5-", "bytes=0-1,10-11,5-6", "bytes=100-", "bytes=x", "items=1-2", "bytes= 1 - 2 ,, 3-", "bytes=-0", "bytes=+1-2"} {
		f.Add(s, uint16(300))
	}
	f.Fuzz(func(t *testing.T, h string, size16 uint16) {
		if h == "" {
			return // no Range header: withRanges leaves the request alone
		}
		size := int64(size16 % 2048)
		ranges, verdict := parseRanges(h, size)
		for i, r := range ranges {
			if r.start < 0 || r.end < r.start || r.end >= size {
				t.Fatalf("%q, size %d: range %v outside the content", h, size, r)
			}
			if i > 0 && near(ranges[i-1], r) {
				t.Fatalf("%q, size %d: ranges %v and %v not merged", h, size, ranges[i-1], r)
			}
		}
		if len(ranges) > maxRanges || (verdict == rangeSatisfiable) != (len(ranges) > 0) {
			t.Fatalf("%q, size %d: verdict %d with %d ranges", h, size, verdict, len(ranges))
		}
		status, sent := serveContentRanges(t, h, size)
		switch {
		case status == http.StatusRequestedRangeNotSatisfiable:
			if verdict != rangeMalformed && verdict != rangeNone {
				t.Fatalf("%q, size %d: ServeContent refuses it, parseRanges says %d", h, size, verdict)
			}
			return
		case verdict == rangeMalformed:
			t.Fatalf("%q, size %d: malformed, but ServeContent answers %d", h, size, status)
		case status != http.StatusPartialContent || verdict == rangeTooMany:
			return // ServeContent sent everything (sent too many), or we will
		}
		covered := func(b int64) bool {
			for _, r := range ranges {
				if r.start <= b && b <= r.end {
					return true
				}
			}
			return false
		}
		for _, r := range sent {
			for b := r.start; b <= r.end; b++ {
				if !covered(b) {
					t.Fatalf("%q, size %d: ServeContent sends byte %d, the ranges %v do not", h, size, b, ranges)
				}
			}
		}
	})
}

// serveContentRanges serves size bytes with the Range header h through
// http.ServeContent and returns the status and the ranges sent (the
// ranges of zero bytes it makes of a zero suffix are left out).
func serveContentRanges(t *testing.T, h string, size int64) (int, []byteRange) {
	t.Helper()
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Range", h)
	rec := httptest.NewRecorder()
	http.ServeContent(rec, req, "f.bin", time.Time{}, bytes.NewReader(make([]byte, size)))
	if rec.Code != http.StatusPartialContent {
		return rec.Code, nil
	}
	parse := func(cr string) (byteRange, bool) {
		var r byteRange
		var total int64
		if _, err := fmt.Sscanf(cr, "bytes %d-%d/%d", &r.start, &r.end, &total); err != nil {
			return r, false
		}
		return r, r.end >= r.start
	}
	mt, params, _ := mime.ParseMediaType(rec.Header().Get("Content-Type"))
	if mt != "multipart/byteranges" {
		r, ok := parse(rec.Header().Get("Content-Range"))
		if !ok {
			return rec.Code, nil
		}
		return rec.Code, []byteRange{r}
	}
	var sent []byteRange
	mr := multipart.NewReader(rec.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return rec.Code, sent
		}
		if err != nil {
			t.Fatalf("ServeContent's multipart answer: %v", err)
		}
		if r, ok := parse(p.Header.Get("Content-Range")); ok {
			sent = append(sent, r)
		}
	}
}
