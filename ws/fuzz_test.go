package ws

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
	"unsafe"

	"github.com/go-json-experiment/json"
	"github.com/roux-go/roux/internal/wire"
)

type fuzzInner struct {
	B bool   `json:"b"`
	E string `json:"e" enum:"x,y"`
}

type fuzzMsg struct {
	Text  string     `json:"text" minLength:"1" maxLength:"20"`
	N     int        `json:"n" minimum:"0" maximum:"100"`
	Tags  []string   `json:"tags" maxItems:"3"`
	Inner *fuzzInner `json:"inner,omitempty"`
}

func checkReason(t *testing.T, reason string) {
	t.Helper()
	if !utf8.ValidString(reason) || len(reason) > MaxReasonLen {
		t.Fatalf("close reason %q: %d bytes, valid UTF-8 %v", reason, len(reason), utf8.ValidString(reason))
	}
}

// FuzzDecode feeds Receive's decoding arbitrary messages: each either
// decodes to a valid value, which encodes and decodes again the same, or
// gets a close reason that fits a close frame.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"text":"a","n":1,"tags":[]}`,
		`{"text":"a","n":1,"tags":["x"],"inner":{"b":true,"e":"x"}}`,
		`{"text":"","n":-1,"tags":null}`,
		`{"text":"a","text":"b"}`,
		`{"text":"a","n":1e400,"tags":[]}`,
		`{"text":"` + strings.Repeat("é", 200) + `","n":1,"tags":[]}`,
		`null`, ``, `[`, "\xff", `{"inner":{"e":"z"}}`,
	} {
		f.Add([]byte(s))
	}
	p, err := planFor(reflect.TypeFor[fuzzMsg](), nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v fuzzMsg
		reason := p.decode(data, unsafe.Pointer(&v))
		checkReason(t, reason)
		if reason != "" {
			return
		}
		again, err := json.Marshal(&v, wire.JSON)
		if err != nil {
			t.Fatalf("encoding %+v: %v", v, err)
		}
		var w fuzzMsg
		if r := p.decode(again, unsafe.Pointer(&w)); r != "" {
			t.Fatalf("%s decoded, but its encoding %s is refused: %s", data, again, r)
		}
		if !reflect.DeepEqual(v, w) {
			t.Fatalf("got %+v after a round trip, want %+v", w, v)
		}
	})
}

func FuzzTruncateReason(f *testing.F) {
	for _, s := range []string{"", "short", strings.Repeat("a", 123), strings.Repeat("a", 124), strings.Repeat("€", 50), "bad \xff utf-8"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := truncateReason(s)
		checkReason(t, got)
		switch {
		case !utf8.ValidString(s):
		case len(s) <= MaxReasonLen:
			if got != s {
				t.Fatalf("got %q, want %q unchanged", got, s)
			}
		default:
			if !strings.HasSuffix(got, "...") || !strings.HasPrefix(s, strings.TrimSuffix(got, "...")) {
				t.Fatalf("got %q, want a prefix of %q ending with ...", got, s)
			}
		}
	})
}

func FuzzOriginAllowed(f *testing.F) {
	f.Add("https://chat.example.com", "api.example.com", "*.example.com")
	f.Add("http://localhost:5173", "localhost:8080", "http://localhost:*")
	f.Add("null", "x", "*")
	f.Add("", "x", "[")
	f.Fuzz(func(t *testing.T, origin, host, pattern string) {
		allowed := originAllowed(origin, host, []string{pattern})
		if origin == "" && !allowed {
			t.Fatal("a request without Origin was refused")
		}
		u, err := url.Parse(origin)
		if origin != "" && (err != nil || u.Host == "" || u.Scheme == "") && allowed {
			t.Fatalf("origin %q without a scheme and host was allowed", origin)
		}
		if err == nil && u.Host != "" && u.Scheme != "" && !originAllowed(origin, strings.ToUpper(u.Host), nil) {
			t.Fatalf("origin %q refused on its own host", origin)
		}
	})
}

// FuzzHandshake checks a handshake's headers: any values get no problem
// or one of the documented ones.
func FuzzHandshake(f *testing.F) {
	f.Add("Upgrade", "websocket", "13", "dGhlIHNhbXBsZSBub25jZQ==", "")
	f.Add("keep-alive, Upgrade", "WebSocket", " 13 ", "dGhlIHNhbXBsZSBub25jZQ==", "http://evil.test")
	f.Add("close", "h2c", "8", "", "null")
	f.Fuzz(func(t *testing.T, connection, upgrade, version, key, origin string) {
		r := &http.Request{Method: http.MethodGet, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Host: "api.test", Header: http.Header{
			"Connection": {connection}, "Upgrade": {upgrade}, "Sec-Websocket-Version": {version},
			"Sec-Websocket-Key": {key}, "Origin": {origin},
		}}
		p := handshakeProblem(r, []string{"*.example.com"})
		if p == nil {
			if !hasToken(r.Header, "Connection", "upgrade") || !hasToken(r.Header, "Upgrade", "websocket") || strings.TrimSpace(version) != "13" {
				t.Fatalf("accepted %v", r.Header)
			}
			return
		}
		switch p.Status {
		case http.StatusBadRequest, http.StatusForbidden, http.StatusUpgradeRequired:
		default:
			t.Fatalf("got status %d", p.Status)
		}
	})
}
