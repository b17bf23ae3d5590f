package roux

// This file reads the Range header of a request for a File before
// http.ServeContent does, to bound what one request can make it send.
//
// ServeContent sends every range asked for, each as a part of a
// multipart/byteranges answer with some 100 bytes of part headers, and
// only ignores the header when the ranges add up to more than the
// content: 5,000 one-byte ranges of a 100 KB file made a 754 KB answer.
// RFC 9110 §14.2 lets a server coalesce ranges that overlap or are
// separated by less than the overhead of a part, and ignore a header of
// many small ranges; mature servers do both (Apache's MaxRanges, 200 by
// default, serves the whole file past it). So the ranges are parsed as
// ServeContent parses them, each range is merged into the one before it
// when they overlap or fewer than rangeGap bytes lie between them (and
// that one into the one before it, when it then reaches it), and
// more than maxRanges ranges after that are answered with the whole file
// (200). What is left is handed to ServeContent as a rewritten Range
// header, so that it still decides everything else (If-Range, the
// preconditions, the multipart answer). Merging only with the range
// before keeps the parts in the order the client asked for them, as RFC
// 9110 asks; ranges that overlap out of order still count against
// maxRanges, and ServeContent serves the whole file when they add up to
// more than it.

import (
	"maps"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
)

// maxRanges is the most ranges a File answer has, after merging.
const maxRanges = 100

// rangeGap is the distance under which two ranges are merged: less than
// the headers of a part of a multipart/byteranges answer, so that merging
// never makes an answer longer.
const rangeGap = 80

// byteRange is the range of bytes from start to end, both included.
type byteRange struct{ start, end int64 }

// rangeVerdict is what to do with a Range header.
type rangeVerdict uint8

const (
	rangeMalformed   rangeVerdict = iota // 416: the header is malformed
	rangeNone                            // 416: no range is within the content
	rangeTooMany                         // 200: the whole content
	rangeSatisfiable                     // 206: the ranges returned
)

// parseRanges reads a Range header against content of size bytes, with
// ServeContent's syntax (a "bytes=" unit, comma-separated first-last,
// first- and -suffix specs; a spec with its last before its first is
// malformed). A range that starts past the content or a suffix of zero is
// not satisfiable and is dropped, and a range that ends past the content
// ends with it. It stops reading as soon as the verdict is known, and
// never holds more than maxRanges ranges.
func parseRanges(h string, size int64) ([]byteRange, rangeVerdict) {
	const unit = "bytes="
	if !strings.HasPrefix(h, unit) {
		return nil, rangeMalformed
	}
	var out []byteRange
	for spec := range strings.SplitSeq(h[len(unit):], ",") {
		spec = textproto.TrimString(spec)
		if spec == "" {
			continue
		}
		first, last, ok := strings.Cut(spec, "-")
		if !ok {
			return nil, rangeMalformed
		}
		first, last = textproto.TrimString(first), textproto.TrimString(last)
		var r byteRange
		if first == "" {
			// A suffix: the last n bytes.
			if last == "" || last[0] == '-' {
				return nil, rangeMalformed
			}
			n, err := strconv.ParseInt(last, 10, 64)
			if err != nil || n < 0 {
				return nil, rangeMalformed
			}
			if n == 0 || size == 0 {
				continue
			}
			r = byteRange{max(size-n, 0), size - 1}
		} else {
			start, err := strconv.ParseInt(first, 10, 64)
			if err != nil || start < 0 {
				return nil, rangeMalformed
			}
			if start >= size {
				continue // its last is not read, as ServeContent does not
			}
			r = byteRange{start, size - 1}
			if last != "" {
				end, err := strconv.ParseInt(last, 10, 64)
				if err != nil || end < start {
					return nil, rangeMalformed
				}
				r.end = min(end, size-1)
			}
		}
		if n := len(out); n > 0 && near(out[n-1], r) {
			// Merged, the last range may now reach the one before it.
			out[n-1] = merge(out[n-1], r)
			for n = len(out); n > 1 && near(out[n-2], out[n-1]); n-- {
				out[n-2] = merge(out[n-2], out[n-1])
				out = out[:n-1]
			}
			continue
		}
		if len(out) == maxRanges {
			return nil, rangeTooMany
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, rangeNone
	}
	return out, rangeSatisfiable
}

// near reports whether a and b overlap or lie fewer than rangeGap bytes
// apart.
func near(a, b byteRange) bool {
	return b.start <= a.end+rangeGap && a.start <= b.end+rangeGap
}

// merge returns the range that spans a and b.
func merge(a, b byteRange) byteRange {
	return byteRange{min(a.start, b.start), max(a.end, b.end)}
}

// rangeHeader writes ranges as a Range header value.
func rangeHeader(ranges []byteRange) string {
	b := []byte("bytes=")
	for i, r := range ranges {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, r.start, 10)
		b = append(b, '-')
		b = strconv.AppendInt(b, r.end, 10)
	}
	return string(b)
}

// withRanges returns r, or a copy of r whose Range header is the one
// ServeContent should act on for content of size bytes, and the detail of
// a 416 for it. The copy's header map is new; its values are shared.
func withRanges(r *http.Request, size int64) (*http.Request, string) {
	h := r.Header.Get("Range")
	if h == "" {
		return r, ""
	}
	ranges, verdict := parseRanges(h, size)
	detail := "the requested range is outside the content"
	var rewritten string
	switch verdict {
	case rangeMalformed:
		// A short malformed header: ServeContent answers 416 without
		// parsing a long one again.
		rewritten, detail = "bytes=?", "the Range header is malformed"
	case rangeNone:
		rewritten = "bytes=" + strconv.FormatInt(size, 10) + "-"
	case rangeSatisfiable:
		rewritten = rangeHeader(ranges)
	}
	c := *r
	c.Header = maps.Clone(r.Header)
	if verdict == rangeTooMany {
		delete(c.Header, "Range")
	} else {
		c.Header["Range"] = []string{rewritten}
	}
	return &c, detail
}
