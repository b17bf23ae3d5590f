package docs

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// knownHosts are the hosts named in the embedded bundle, none of which the
// page contacts: XML and JSON Schema namespace identifiers, links in
// error messages and comments, and linkify's example patterns. The
// validator badge (validator.swagger.io) is turned off by init.js. A
// refresh that brings a new host fails here until it has been checked.
var knownHosts = map[string]bool{
	"www.w3.org": true, "datatracker.ietf.org": true, "www.rfc-editor.org": true,
	"spec.openapis.org": true, "json-schema.org": true, "validator.swagger.io": true,
	"www.tiktok.com": true, "www.facebook.com": true, "twitter.com": true, "instagram.com": true,
	"soundcloud.com": true, "vladimirgorej.com": true, "swagger.io": true, "spdx.org": true,
	"redux.js.org": true, "reactjs.org": true, "github.com": true, "example.com": true,
	"base": true, "fb.me": true,
}

func TestBundleNamesNoOtherHost(t *testing.T) {
	t.Parallel()
	for i := range assets {
		name := assets[i].name
		for _, m := range regexp.MustCompile(`(?:https?:)?//[a-zA-Z0-9.-]+\.[a-z]{2,}|https?://[a-zA-Z0-9.-]+`).FindAllString(*assets[i].body, -1) {
			s := string(m)
			if !strings.HasPrefix(s, "http") {
				continue // "//" also starts comments; protocol-relative URLs appear in no asset
			}
			u, err := url.Parse(s)
			if err != nil || !knownHosts[u.Host] {
				t.Errorf("%s names %s: check that the page never contacts it, then add it to knownHosts", name, s)
			}
		}
	}
	if !strings.Contains(*assetNamed("init.js").body, "validatorUrl: null") {
		t.Error("init.js must turn the validator badge off")
	}
	css := *assetNamed("swagger-ui.css").body
	for _, m := range regexp.MustCompile(`url\(\s*["']?([^"')]{0,16})`).FindAllStringSubmatch(css, -1) {
		if !strings.HasPrefix(m[1], "data:") {
			t.Errorf("the stylesheet loads %s; only data: URLs work under the CSP", m[1])
		}
	}
	if strings.Contains(css, "@import") || strings.Contains(css, "@font-face") {
		t.Error("the stylesheet imports a stylesheet or a font")
	}
}

func TestHandler(t *testing.T) {
	t.Parallel()
	h := New("/spec.json?v=1&x=<y>", Title(`A "B"`))
	paths := h.Paths()
	if paths[0] != "/docs" || len(paths) != 1+len(assets) {
		t.Fatalf("got paths %v", paths)
	}
	bundle := paths[1+0]
	for _, tt := range []struct {
		name, method, path, accept string
		status                     int
		contentType, encoding      string
		cache                      string
	}{
		{"page", "GET", "/docs", "gzip", 200, "text/html; charset=utf-8", "", "no-cache"},
		{"page with slash", "GET", "/docs/", "", 200, "text/html; charset=utf-8", "", "no-cache"},
		{"page HEAD", "HEAD", "/docs", "", 200, "text/html; charset=utf-8", "", "no-cache"},
		{"bundle", "GET", bundle, "", 200, "text/javascript; charset=utf-8", "", "public, max-age=31536000, immutable"},
		{"bundle gzip", "GET", bundle, "br, gzip;q=0.8", 200, "text/javascript; charset=utf-8", "gzip", "public, max-age=31536000, immutable"},
		{"bundle gzip refused", "GET", bundle, "gzip;q=0", 200, "text/javascript; charset=utf-8", "", "public, max-age=31536000, immutable"},
		{"png never gzipped", "GET", "/docs/" + assetDir() + "/favicon-32x32.png", "gzip", 200, "image/png", "", "public, max-age=31536000, immutable"},
		{"old version", "GET", "/docs/swagger-ui-0.0.1-000000000000/init.js", "", 404, "text/plain; charset=utf-8", "", ""},
		{"unknown asset", "GET", "/docs/" + assetDir() + "/index.html", "", 404, "text/plain; charset=utf-8", "", ""},
		{"post", "POST", "/docs", "", 405, "text/plain; charset=utf-8", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(tt.method, tt.path, nil)
			if tt.accept != "" {
				r.Header.Set("Accept-Encoding", tt.accept)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			res := w.Result()
			for _, c := range []struct{ what, got, want string }{
				{"Content-Type", res.Header.Get("Content-Type"), tt.contentType},
				{"Content-Encoding", res.Header.Get("Content-Encoding"), tt.encoding},
				{"Cache-Control", res.Header.Get("Cache-Control"), tt.cache},
				{"Content-Security-Policy", res.Header.Get("Content-Security-Policy"), CSP},
			} {
				if c.got != c.want {
					t.Errorf("%s: got %q, want %q", c.what, c.got, c.want)
				}
			}
			if res.StatusCode != tt.status {
				t.Fatalf("got status %d, want %d", res.StatusCode, tt.status)
			}
			if a := assetNamed(strings.TrimPrefix(tt.path, "/docs/"+assetDir()+"/")); a != nil && tt.encoding == "" && tt.status == 200 {
				body, _ := io.ReadAll(res.Body)
				if string(body) != *a.body || res.ContentLength != int64(len(*a.body)) {
					t.Errorf("got %d bytes (Content-Length %d), want the %d of %s", len(body), res.ContentLength, len(*a.body), a.name)
				}
			}
			if tt.encoding == "gzip" {
				zr, err := gzip.NewReader(res.Body)
				if err != nil {
					t.Fatal(err)
				}
				plain, err := io.ReadAll(zr)
				if err != nil || string(plain) != bundleJS {
					t.Errorf("the gzipped bundle does not decompress to the bundle (%v)", err)
				}
			}
		})
	}
}

func TestPageEscapes(t *testing.T) {
	t.Parallel()
	w := httptest.NewRecorder()
	New(`/a.json?x="><script>`, Path("/ref/"), Title("<T&>")).ServeHTTP(w, httptest.NewRequest("GET", "/ref", nil))
	page := w.Body.String()
	for _, want := range []string{`data-url="/a.json?x=&#34;&gt;&lt;script&gt;"`, "<title>&lt;T&amp;&gt;</title>", `src="/ref/` + assetDir() + `/init.js"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s:\n%s", want, page)
		}
	}
	if w.Code != http.StatusOK {
		t.Errorf("got %d", w.Code)
	}
}

func TestAcceptsGzip(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		header string
		want   bool
	}{
		{"", false}, {"gzip", true}, {"GZIP", true}, {"deflate, gzip;q=1.0", true}, {"gzip;q=0", false},
		{"gzip; q=0.000", false}, {"*", true}, {"br", false}, {"x-gzip", false},
	} {
		if got := acceptsGzip(tt.header); got != tt.want {
			t.Errorf("acceptsGzip(%q): got %v, want %v", tt.header, got, tt.want)
		}
	}
}
