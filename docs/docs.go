// Package docs serves an interactive API reference for an OpenAPI
// document: Swagger UI (the swagger-ui-dist package, version in
// assets/VERSION, Apache-2.0), embedded in the binary so the page works
// with no network access beyond the server itself.
//
// The page is a small HTML file with no inline script or style; it loads
// Swagger UI's bundle, its stylesheet and a start-up script from below
// its own path, under versioned URLs served with a year-long immutable
// Cache-Control. Every response carries a strict Content-Security-Policy
// that allows scripts, styles, fonts and fetches from the server's own
// origin only, and images from it or data: URLs. The document is
// therefore fetched from the same origin, and "Try it out" sends requests
// to it alone.
//
// Package roux serves this page at /docs (see roux.Config.DocsPath); the
// package stands on net/http alone and can serve the page for any
// OpenAPI 3.x document.
//
// The assets are refreshed from the npm registry with docs/refresh.sh.
package docs

import (
	"bytes"
	"compress/gzip"
	_ "embed" // the assets
	"encoding/hex"
	"hash/crc32"
	"html"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// The files are embedded as strings: their bytes stay in the binary's
// read-only data and nothing is copied, hashed or compressed until the
// first [New] or the first request needs it, so importing the package
// costs nothing at init.
var (
	//go:embed assets/swagger-ui-bundle.js
	bundleJS string
	//go:embed assets/swagger-ui.css
	bundleCSS string
	//go:embed assets/favicon-32x32.png
	favicon string
	//go:embed init.js
	initJS string
	//go:embed assets/VERSION
	versionFile string
)

// CSP is the Content-Security-Policy of the page and its assets.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// asset is one embedded file, served below the versioned directory.
type asset struct {
	name        string
	body        *string
	contentType string
	gzipOnce    sync.Once
	gzipped     []byte // compressed on first use
}

// gzip returns the asset compressed, compressing it on first use.
func (a *asset) gzip() []byte {
	a.gzipOnce.Do(func() {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		io.WriteString(zw, *a.body) //nolint:errcheck // writes to a bytes.Buffer do not fail
		zw.Close()                  //nolint:errcheck
		a.gzipped = b.Bytes()
	})
	return a.gzipped
}

// assets are the files below the versioned directory, in the order
// [Handler.Paths] lists them.
var assets = [...]asset{
	{name: "swagger-ui-bundle.js", body: &bundleJS, contentType: "text/javascript; charset=utf-8"},
	{name: "swagger-ui.css", body: &bundleCSS, contentType: "text/css; charset=utf-8"},
	{name: "favicon-32x32.png", body: &favicon, contentType: "image/png"},
	{name: "init.js", body: &initJS, contentType: "text/javascript; charset=utf-8"},
}

// assetNamed returns the asset called name, or nil.
func assetNamed(name string) *asset {
	for i := range assets {
		if assets[i].name == name {
			return &assets[i]
		}
	}
	return nil
}

// version is the version of swagger-ui-dist that the page embeds.
func version() string { return strings.TrimSpace(versionFile) }

// assetDir returns the versioned directory name of the assets: the
// swagger-ui version and a CRC-32C of every file, so that a changed file
// is a new URL and cached copies never go stale. It is computed on first
// use (0.15 ms for the 1.9 MB of assets; SHA-256 took 2 ms).
var assetDir = sync.OnceValue(func() string {
	h := crc32.New(crc32.MakeTable(crc32.Castagnoli))
	for i := range assets {
		io.WriteString(h, *assets[i].body) //nolint:errcheck // a hash.Hash never fails
	}
	return "swagger-ui-" + version() + "-" + hex.EncodeToString(h.Sum(nil))
})

// Option configures a [Handler] (given to [New]). The interface is
// sealed: build options with the constructors below.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// config is what the options of a Handler add up to.
type config struct {
	path, title string
}

// Path sets the URL path the page is served at. Its assets are served
// below it, at path+"/swagger-ui-<version>-<hash>/<file>", so a router
// must send path and everything under path+"/" (or exactly
// [Handler.Paths]) to the handler. It defaults to "/docs", which ""
// keeps; a trailing slash is ignored.
func Path(path string) Option {
	return optionFunc(func(c *config) {
		if path != "" {
			c.path = path
		}
	})
}

// Title sets the page's title. It defaults to "API reference", which ""
// keeps.
func Title(title string) Option {
	return optionFunc(func(c *config) {
		if title != "" {
			c.title = title
		}
	})
}

// Handler serves the docs page and its assets. Create it with [New]; it
// is safe for concurrent use.
type Handler struct {
	path   string // the page, without a trailing slash
	prefix string // path + "/" + assetDir + "/"
	page   []byte
}

// New returns the handler for the page of the OpenAPI document at
// specURL, such as "/openapi.json", configured by opts. specURL must be
// on the page's own origin: the Content-Security-Policy allows no other.
func New(specURL string, opts ...Option) *Handler {
	c := config{path: "/docs", title: "API reference"}
	for _, o := range opts {
		o.apply(&c)
	}
	path := strings.TrimSuffix(c.path, "/")
	h := &Handler{path: path, prefix: path + "/" + assetDir() + "/"}
	h.page = []byte(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>` + html.EscapeString(c.title) + `</title>
<link rel="stylesheet" href="` + html.EscapeString(h.prefix) + `swagger-ui.css">
<link rel="icon" type="image/png" href="` + html.EscapeString(h.prefix) + `favicon-32x32.png">
<script defer src="` + html.EscapeString(h.prefix) + `swagger-ui-bundle.js"></script>
<script defer src="` + html.EscapeString(h.prefix) + `init.js"></script>
</head>
<body>
<div id="swagger-ui" data-url="` + html.EscapeString(specURL) + `"></div>
<noscript>This API reference needs JavaScript. The OpenAPI document is at <a href="` +
		html.EscapeString(specURL) + `">` + html.EscapeString(specURL) + `</a>.</noscript>
</body>
</html>
`)
	return h
}

// Paths returns the URL paths the handler serves: the page first, then
// each asset. A router can route exactly these to the handler instead of
// everything under the page's path.
func (h *Handler) Paths() []string {
	paths := []string{h.path}
	for i := range assets {
		paths = append(paths, h.prefix+assets[i].name)
	}
	return paths
}

// ServeHTTP answers GET and HEAD for the page (Cache-Control: no-cache)
// and its versioned assets (cached for a year, immutable, gzip-encoded
// when the client accepts it); anything else is 404, or 405 for other
// methods.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", CSP)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hd.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	if p == h.path || p == h.path+"/" {
		hd.Set("Cache-Control", "no-cache")
		write(w, "text/html; charset=utf-8", h.page)
		return
	}
	name, ok := strings.CutPrefix(p, h.prefix)
	a := assetNamed(name)
	if !ok || a == nil {
		http.NotFound(w, r)
		return
	}
	hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	hd.Set("Vary", "Accept-Encoding")
	if acceptsGzip(r.Header.Get("Accept-Encoding")) && a.contentType != "image/png" {
		hd.Set("Content-Encoding", "gzip")
		write(w, a.contentType, a.gzip())
		return
	}
	w.Header().Set("Content-Type", a.contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(*a.body)))
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, *a.body) //nolint:errcheck // the client went away; nothing to do
}

func write(w http.ResponseWriter, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body) //nolint:errcheck // the client went away; nothing to do
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip.
func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") || strings.TrimSpace(coding) == "*" {
			q := strings.ReplaceAll(params, " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}
