package roux

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// Format is a response encoding other than JSON — CBOR, MessagePack, XML —
// that clients choose with the Accept header. Register formats in
// [Config].Formats; every operation whose response body is encoded (not
// a raw body, a file or a stream) then offers JSON first and the formats
// after it, publishes each in its document, and answers a request whose
// Accept header admits none of them with 406 Not Acceptable. Without
// Formats, JSON is sent whatever the Accept header says (RFC 9110 lets a
// server disregard it), and reading it costs nothing.
//
// Request bodies stay JSON: the strict decoder and its error reports are
// JSON's.
type Format struct {
	// MediaType is the format's media type, such as "application/cbor".
	MediaType string
	// Marshal writes v, a pointer to the output body, to w.
	Marshal func(w io.Writer, v any) error
}

// checkFormats validates Config.Formats.
func checkFormats(fs []Format) error {
	seen := map[string]bool{"application/json": true}
	for _, f := range fs {
		mt, params, err := mime.ParseMediaType(f.MediaType)
		switch {
		case err != nil:
			return fmt.Errorf("roux: Config.Formats: %q is not a media type: %v", f.MediaType, err)
		case len(params) > 0 || strings.Contains(mt, "*") || strings.Count(mt, "/") != 1:
			return fmt.Errorf("roux: Config.Formats: %q must be a plain type/subtype", f.MediaType)
		case seen[mt]:
			return fmt.Errorf("roux: Config.Formats: %q is offered twice (JSON is built in)", f.MediaType)
		case f.Marshal == nil:
			return fmt.Errorf("roux: Config.Formats: %q has no Marshal function", f.MediaType)
		}
		seen[mt] = true
	}
	return nil
}

// negotiate picks the offer the Accept header values prefer: the highest
// quality, ties going to the earlier offer. The quality of an offer is the
// one of the most specific range that matches it (type/subtype, then
// type/*, then */*). No Accept header accepts the first offer. It reports
// false when every offer is unacceptable (quality 0 or no matching range).
// It does not allocate.
func negotiate(accept []string, offers []string) (int, bool) {
	if len(accept) == 0 {
		return 0, true
	}
	if len(accept) == 1 {
		if a := accept[0]; a == "*/*" || a == offers[0] || a == "" {
			return 0, true
		}
	}
	// The ranges are parsed once; a header with more of them than fit
	// here is scanned again for each offer instead.
	var buf [16]mediaRange
	ranges, ok := parseAccept(accept, buf[:0])
	best, bestQ := -1, 0
	for i, offer := range offers {
		var q int
		if ok {
			q = rangesQuality(ranges, offer)
		} else {
			q = offerQuality(accept, offer)
		}
		if q > bestQ {
			best, bestQ = i, q
		}
	}
	return best, best >= 0
}

// mediaRange is one media range of an Accept header and its quality.
type mediaRange struct {
	typ, sub string
	q        int
}

// parseAccept appends the media ranges of the Accept values to dst,
// skipping items that are not media ranges. It reports false, with dst
// unusable, when they do not fit in dst's capacity.
func parseAccept(accept []string, dst []mediaRange) ([]mediaRange, bool) {
	for _, line := range accept {
		for len(line) > 0 {
			var item string
			item, line = nextListItem(line)
			mr, params, _ := strings.Cut(item, ";")
			typ, sub, ok := strings.Cut(strings.TrimSpace(mr), "/")
			if !ok {
				continue
			}
			if len(dst) == cap(dst) {
				return dst, false
			}
			dst = append(dst, mediaRange{typ, sub, qualityParam(params)})
		}
	}
	return dst, true
}

// rangesQuality is offerQuality over parsed ranges.
func rangesQuality(ranges []mediaRange, offer string) int {
	otype, osub, _ := strings.Cut(offer, "/")
	spec, q := -1, 0
	for _, r := range ranges {
		s := 0
		switch {
		case r.typ == "*" && r.sub == "*":
			s = 0
		case strings.EqualFold(r.typ, otype) && r.sub == "*":
			s = 1
		case strings.EqualFold(r.typ, otype) && strings.EqualFold(r.sub, osub):
			s = 2
		default:
			continue
		}
		if s > spec {
			spec, q = s, r.q
		}
	}
	return q
}

// offerQuality returns the quality, in thousandths, that the Accept values
// give offer: the quality of the most specific matching range, 0 for none.
func offerQuality(accept []string, offer string) int {
	otype, osub, _ := strings.Cut(offer, "/")
	spec, q := -1, 0
	for _, line := range accept {
		for len(line) > 0 {
			var item string
			item, line = nextListItem(line)
			mr, params, _ := strings.Cut(item, ";")
			mr = strings.TrimSpace(mr)
			typ, sub, ok := strings.Cut(mr, "/")
			if !ok {
				continue // not a media range; ignored, as RFC 9110 lets us
			}
			s := 0
			switch {
			case typ == "*" && sub == "*":
				s = 0
			case strings.EqualFold(typ, otype) && sub == "*":
				s = 1
			case strings.EqualFold(typ, otype) && strings.EqualFold(sub, osub):
				s = 2
			default:
				continue
			}
			if s > spec {
				spec, q = s, qualityParam(params)
			}
		}
	}
	return q
}

// nextListItem splits the first item off a comma-separated header list,
// honouring quoted strings in parameters.
func nextListItem(s string) (item, rest string) {
	inQuote := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && inQuote:
			i++
		case c == '"':
			inQuote = !inQuote
		case c == ',' && !inQuote:
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

// qualityParam returns the q parameter among params (";"-separated), in
// thousandths: 1000 when absent, 0 when malformed (RFC 9110 §12.4.2 allows
// at most three decimals).
func qualityParam(params string) int {
	for len(params) > 0 {
		var p string
		p, params, _ = strings.Cut(params, ";")
		k, v, ok := strings.Cut(p, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		return parseQuality(strings.TrimSpace(v))
	}
	return 1000
}

func parseQuality(v string) int {
	if v == "" || len(v) > 5 {
		return 0
	}
	whole, frac, _ := strings.Cut(v, ".")
	if len(frac) > 3 {
		return 0
	}
	switch whole {
	case "1":
		for _, c := range frac {
			if c != '0' {
				return 0
			}
		}
		return 1000
	case "0":
	default:
		return 0
	}
	q, scale := 0, 100
	for _, c := range frac {
		if c < '0' || c > '9' {
			return 0
		}
		q += int(c-'0') * scale
		scale /= 10
	}
	return q
}

// notAcceptable is the 406 of a request whose Accept header admits none
// of the operation's media types.
func notAcceptable(offers []string) *Error {
	return &Error{Status: http.StatusNotAcceptable, Detail: "the Accept header admits none of the media types this operation sends: " + strings.Join(offers, ", ")}
}

// accepts reports whether the Content-Type ct names a media type the
// body is published under: application/json, and
// application/merge-patch+json when the operation declares [MergePatch].
// Parameters (charset) are ignored, names compared without regard to
// case. Other +json types are refused (415), though their content is
// JSON: each names a format with its own meaning (a JSON Patch, a
// problem, a JSON-LD document) that the operation does not take, and
// reading it as the operation's body would misread it; and a type the
// document does not publish is one that no client generated from it
// sends.
func (b *bodyPlan) accepts(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.TrimSpace(mt)
	return strings.EqualFold(mt, "application/json") || b.mergePatch && strings.EqualFold(mt, MergePatchType)
}

// mediaTypes returns the media types op reads its body as, in the order
// its document lists them.
func (op *operation) mediaTypes() []string {
	switch {
	case op.body != nil && op.body.mergePatch:
		return []string{"application/json", MergePatchType}
	case op.body != nil:
		return []string{"application/json"}
	case len(op.form.files) > 0:
		return []string{"multipart/form-data"}
	}
	return []string{"application/x-www-form-urlencoded", "multipart/form-data"}
}

// unsupportedMedia is the 415 of a body sent as ct, a media type op does
// not read. Its detail names the types op reads, and so does its Accept
// header (RFC 9110 §15.5.16) and, on PATCH, its Accept-Patch (RFC 5789
// §2.2).
func (op *operation) unsupportedMedia(ct string) *Error {
	types := op.mediaTypes()
	h := http.Header{"Accept": {strings.Join(types, ", ")}}
	if op.method == http.MethodPatch {
		h["Accept-Patch"] = h["Accept"]
	}
	return &Error{Status: http.StatusUnsupportedMediaType, Detail: "the body must be sent as " + strings.Join(types, " or ") + ", not " + echo(ct), headers: h}
}
