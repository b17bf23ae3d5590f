//go:build linux

package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// parsed is what a test compares of a parsed response.
type parsed struct {
	Status                int
	ContentLength         int64
	Chunked, Close, Retry bool
	Body                  string
	Len                   int
}

func parse(b []byte, eof bool) (parsed, error) {
	res, n, err := parseResponse(b, eof)
	return parsed{res.status, res.contentLength, res.chunked, res.close, res.retryAfter, string(res.body), n}, err
}

func TestParseResponse(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 3000)
	for _, tt := range []struct {
		name string
		in   string
		eof  bool
		want parsed // Len 0: all of in
	}{
		{"content length", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]",
			false, parsed{Status: 200, ContentLength: 2, Body: "[]"}},
		{"the next response is not this one's", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]HTTP/1.1 200 OK\r\n",
			false, parsed{Status: 200, ContentLength: 2, Body: "[]", Len: 40}},
		{"a shed request", "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\ncontent-length: 5\r\n\r\nbusy!",
			false, parsed{Status: 503, ContentLength: 5, Retry: true, Body: "busy!"}},
		{"connection close among tokens", "HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 0\r\n\r\n",
			false, parsed{Status: 200, ContentLength: 0, Close: true, Body: ""}},
		{"HTTP/1.0 closes", "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx",
			false, parsed{Status: 200, ContentLength: 1, Close: true, Body: "x"}},
		{"no reason phrase", "HTTP/1.1 204\r\n\r\n",
			false, parsed{Status: 204, ContentLength: -1}},
		{"no body for 304", "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
			false, parsed{Status: 304, ContentLength: 10}},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
			false, parsed{Status: 200, ContentLength: -1, Chunked: true, Body: "hello"}},
		{"chunked with a trailer", "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\nA\r\n0123456789\r\n0\r\nX-Sum: 1\r\n\r\n",
			false, parsed{Status: 200, ContentLength: -1, Chunked: true, Body: "0123456789"}},
		{"the kept body is cut", "HTTP/1.1 500 Oops\r\nContent-Length: 3000\r\n\r\n" + long,
			false, parsed{Status: 500, ContentLength: 3000, Body: long[:keptBody]}},
		{"delimited by the end of the connection", "HTTP/1.1 200 OK\r\n\r\nall of it",
			true, parsed{Status: 200, ContentLength: -1, Close: true, Body: "all of it"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.want.Len == 0 {
				tt.want.Len = len(tt.in) // all of it
			}
			got, err := parse([]byte(tt.in), tt.eof)
			if err != nil {
				t.Fatalf("parseResponse: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseResponse (-want +got):\n%s", diff)
			}
			// Every part of it is incomplete, nothing more.
			for i := range got.Len {
				if _, err := parse([]byte(tt.in[:i]), false); !errors.Is(err, errIncomplete) {
					t.Fatalf("its first %d bytes: got %v, want errIncomplete", i, err)
				}
			}
		})
	}
}

func TestParseResponseRefuses(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, in string
		want     error
	}{
		{"not HTTP", "SSH-2.0-OpenSSH\r\n\r\n", errMalformed},
		{"HTTP/2 status line", "HTTP/2 200 OK\r\n\r\n", errMalformed},
		{"status not digits", "HTTP/1.1 2x0 OK\r\n\r\n", errMalformed},
		{"status too long", "HTTP/1.1 2000 OK\r\n\r\n", errMalformed},
		{"status under 100", "HTTP/1.1 099 OK\r\n\r\n", errMalformed},
		{"an interim response", "HTTP/1.1 100 Continue\r\n\r\n", errMalformed},
		{"a header without a colon", "HTTP/1.1 200 OK\r\nContent-Length 2\r\n\r\n[]", errMalformed},
		{"a space in a header name", "HTTP/1.1 200 OK\r\nContent Length: 2\r\n\r\n[]", errMalformed},
		{"a bare LF in the status line", "HTTP/1.0 200 \n\r\n\r\n0", errMalformed},
		{"a bare CR in a header", "HTTP/1.1 200 OK\r\nX-A: 1\r2\r\nContent-Length: 0\r\n\r\n", errMalformed},
		{"a folded header", "HTTP/1.1 200 OK\r\nX-A: 1\r\n  2\r\nContent-Length: 0\r\n\r\n", errMalformed},
		{"a negative length", "HTTP/1.1 200 OK\r\nContent-Length: -2\r\n\r\n[]", errMalformed},
		{"two lengths", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n[]", errMalformed},
		{"a length too long", "HTTP/1.1 200 OK\r\nContent-Length: 9999999999999999999\r\n\r\n", errMalformed},
		{"chunked and a length", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", errMalformed},
		{"chunked in HTTP/1.0", "HTTP/1.0 200\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", errMalformed},
		{"another coding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", errMalformed},
		{"a chunk size not hex", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", errMalformed},
		{"a chunk size too long", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n", errMalformed},
		{"a chunk longer than said", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n", errMalformed},
		{"a head too large", "HTTP/1.1 200 OK\r\nX-A: " + strings.Repeat("a", maxHead) + "\r\n\r\n", errHeadTooLarge},
		{"a head too large, unfinished", "HTTP/1.1 200 OK\r\nX-A: " + strings.Repeat("a", maxHead), errHeadTooLarge},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, n, err := parseResponse([]byte(tt.in), false); !errors.Is(err, tt.want) {
				t.Errorf("got length %d, error %v; want %v", n, err, tt.want)
			}
		})
	}
}

// FuzzParseResponse checks parseResponse on any input: no panic, a length
// within the input, every prefix of a response incomplete, and where
// net/http reads the same bytes too, the same status, body and framing.
func FuzzParseResponse(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]",
		"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: 4\r\n\r\nbusy",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nA: b\r\n\r\n",
		"HTTP/1.0 204 No Content\r\n\r\n",
		"HTTP/1.1 200 OK\r\n\r\nuntil the end",
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, b []byte, eof bool) {
		res, n, err := parseResponse(b, eof)
		if err != nil {
			return
		}
		if n <= 0 || n > len(b) {
			t.Fatalf("length %d of %d bytes", n, len(b))
		}
		for i := range n {
			if _, _, err := parseResponse(b[:i], false); !errors.Is(err, errIncomplete) && !errors.Is(err, errMalformed) && !errors.Is(err, errHeadTooLarge) {
				t.Fatalf("its first %d bytes parsed (%v), the whole is %d", i, err, n)
			} else if err == nil {
				t.Fatalf("its first %d bytes parsed as a response, the whole is %d", i, n)
			}
		}
		hr, herr := http.ReadResponse(bufio.NewReader(bytes.NewReader(b[:n])), nil)
		if herr != nil {
			return // net/http is stricter about some headers
		}
		body, herr := io.ReadAll(hr.Body)
		if herr != nil {
			return
		}
		if hr.StatusCode != res.status {
			t.Fatalf("status %d, net/http read %d", res.status, hr.StatusCode)
		}
		if !res.chunked && !bytes.HasPrefix(body, res.body) {
			t.Fatalf("body %q, net/http read %q", res.body, body)
		}
		if res.chunked != (len(hr.TransferEncoding) > 0) {
			t.Fatalf("chunked %v, net/http read Transfer-Encoding %q", res.chunked, hr.TransferEncoding)
		}
	})
}
