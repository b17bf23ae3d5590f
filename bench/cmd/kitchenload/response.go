//go:build linux

package main

// A minimal HTTP/1.1 response parser for the generator: the status line,
// Content-Length, Transfer-Encoding: chunked, Connection: close and
// Retry-After, and the first bytes of the body (to tell refusals apart).
// It works on the bytes read so far from a connection, so that the
// generator's event loop can try it after each read, and allocates
// nothing; net/http's http.ReadResponse builds a header map and a body
// reader for each response.

import (
	"bytes"
	"errors"
	"fmt"
)

// keptBody is how much of a body a response keeps: enough for a problem's
// detail.
const keptBody = 1024

// maxHead is the longest response head parsed.
const maxHead = 8 << 10

// response is what the generator reads of a response.
type response struct {
	status        int
	contentLength int64 // -1 when there is none
	chunked       bool
	close         bool // the connection ends after this response
	retryAfter    bool // the response has a Retry-After
	// body is the body's first bytes, at most keptBody of them (of a
	// chunked body, of its first chunk): a slice of the parsed bytes.
	body []byte
}

var (
	// errIncomplete says the bytes hold only the start of a response.
	errIncomplete   = errors.New("incomplete response")
	errMalformed    = errors.New("malformed response")
	errHeadTooLarge = errors.New("response head too large")
)

var crlf = []byte("\r\n")

// parseResponse parses the response at the start of b and returns it and
// its length in b, or errIncomplete if b holds only a part of it. eof says
// that the connection has ended after b: a body without a length ends
// there (and only there).
func parseResponse(b []byte, eof bool) (response, int, error) {
	end := bytes.Index(b, []byte("\r\n\r\n"))
	if end < 0 {
		if len(b) > maxHead {
			return response{}, 0, errHeadTooLarge
		}
		return response{}, 0, errIncomplete
	}
	if end > maxHead {
		return response{}, 0, errHeadTooLarge
	}
	res, err := parseHead(b[:end+2])
	if err != nil {
		return res, 0, err
	}
	n := end + 4
	switch {
	case res.status < 200 || res.status == 204 || res.status == 304:
		if res.status < 200 {
			// The generator sends nothing that asks for an interim
			// response (Expect, Upgrade).
			return res, 0, fmt.Errorf("%w: interim response %d", errMalformed, res.status)
		}
		return res, n, nil
	case res.chunked:
		return parseChunked(b, n, res)
	case res.contentLength >= 0:
		if int64(len(b)-n) < res.contentLength {
			return res, 0, errIncomplete
		}
		res.body = b[n : n+int(min(res.contentLength, keptBody))]
		return res, n + int(res.contentLength), nil
	}
	// Delimited by the end of the connection.
	if !eof {
		return res, 0, errIncomplete
	}
	res.close = true
	res.body = b[n:min(len(b), n+keptBody)]
	return res, len(b), nil
}

// parseChunked parses the chunked body (RFC 9112 §7.1) and trailer that
// start at b[n:].
func parseChunked(b []byte, n int, res response) (response, int, error) {
	first := true
	for {
		i := bytes.Index(b[n:], crlf)
		if i < 0 {
			if len(b)-n > maxHead {
				return res, 0, errMalformed
			}
			return res, 0, errIncomplete
		}
		line := b[n : n+i]
		if j := bytes.IndexByte(line, ';'); j >= 0 {
			line = line[:j]
		}
		size, ok := parseHex(bytes.TrimRight(line, " \t"))
		if !ok {
			return res, 0, fmt.Errorf("%w: chunk size %q", errMalformed, line)
		}
		n += i + 2
		if size == 0 {
			for { // the trailer, up to its empty line
				i := bytes.Index(b[n:], crlf)
				if i < 0 {
					return res, 0, errIncomplete
				}
				n += i + 2
				if i == 0 {
					return res, n, nil
				}
			}
		}
		if int64(len(b)-n) < size+2 {
			return res, 0, errIncomplete
		}
		if first {
			res.body, first = b[n:n+int(min(size, keptBody))], false
		}
		n += int(size)
		if !bytes.HasPrefix(b[n:], crlf) {
			return res, 0, fmt.Errorf("%w: no CRLF after a chunk", errMalformed)
		}
		n += 2
	}
}

// parseHead parses a response head: the status line and the header
// lines, each ended by CRLF, without the empty line after them.
func parseHead(head []byte) (response, error) {
	res := response{contentLength: -1}
	line, rest, _ := bytes.Cut(head, crlf)
	// HTTP/1.x SP 3DIGIT [SP reason]
	if len(line) < 12 || bytes.ContainsAny(line, "\r\n\x00") || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' ||
		(len(line) > 12 && line[12] != ' ') {
		return res, fmt.Errorf("%w: status line %q", errMalformed, line)
	}
	for _, c := range line[9:12] {
		if c < '0' || c > '9' {
			return res, fmt.Errorf("%w: status line %q", errMalformed, line)
		}
		res.status = res.status*10 + int(c-'0')
	}
	if res.status < 100 {
		return res, fmt.Errorf("%w: status %d", errMalformed, res.status)
	}
	http10 := line[7] == '0'
	switch line[7] {
	case '1':
	case '0':
		res.close = true // HTTP/1.0 without keep-alive: the generator never asks for it
	default:
		return res, fmt.Errorf("%w: status line %q", errMalformed, line)
	}
	for len(rest) > 0 {
		line, rest, _ = bytes.Cut(rest, crlf)
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || !isToken(name) || bytes.ContainsAny(value, "\r\n\x00") {
			return res, fmt.Errorf("%w: header line %q", errMalformed, line)
		}
		value = bytes.Trim(value, " \t")
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			n, ok := parseDecimal(value)
			if !ok || (res.contentLength >= 0 && n != res.contentLength) {
				return res, fmt.Errorf("%w: Content-Length %q", errMalformed, value)
			}
			res.contentLength = n
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			// Only chunked is sent to a client that asks for no other
			// coding.
			if !bytes.EqualFold(value, []byte("chunked")) || res.chunked {
				return res, fmt.Errorf("%w: Transfer-Encoding %q", errMalformed, value)
			}
			res.chunked = true
		case bytes.EqualFold(name, []byte("Connection")):
			for tok := range bytes.SplitSeq(value, []byte(",")) {
				if bytes.EqualFold(bytes.Trim(tok, " \t"), []byte("close")) {
					res.close = true
				}
			}
		case bytes.EqualFold(name, []byte("Retry-After")):
			res.retryAfter = len(value) > 0
		}
	}
	// RFC 9112 §6.1 and §6.3: a response with both, or chunked in
	// HTTP/1.0, has faulty framing.
	if res.chunked && (res.contentLength >= 0 || http10) {
		return res, fmt.Errorf("%w: Transfer-Encoding with Content-Length or in HTTP/1.0", errMalformed)
	}
	return res, nil
}

// isToken reports whether b is a non-empty RFC 9110 token.
func isToken(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c <= ' ' || c >= 0x7f || bytes.IndexByte([]byte(`"(),/:;<=>?@[\]{}`), c) >= 0 {
			return false
		}
	}
	return true
}

// parseDecimal parses a Content-Length: 1 to 18 digits.
func parseDecimal(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// parseHex parses a chunk size: 1 to 15 hex digits.
func parseHex(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 15 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		n = n<<4 | int64(d)
	}
	return n, true
}
