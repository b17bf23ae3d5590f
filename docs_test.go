package roux_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/docs"
	"github.com/roux-go/roux/openapi"
	"github.com/roux-go/roux/rouxtest"
)

// assetURLs returns the src and href URLs of a docs page.
func assetURLs(t *testing.T, page []byte) []string {
	t.Helper()
	var urls []string
	for _, m := range regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllSubmatch(page, -1) {
		urls = append(urls, html.UnescapeString(string(m[1])))
	}
	if len(urls) < 3 {
		t.Fatalf("got asset URLs %v in the page, want the stylesheet, the bundle and init.js", urls)
	}
	return urls
}

func TestDocsRoutes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		cfg      roux.Config
		page     string // "" when the page must be absent
		specURL  string
		notFound []string
	}{
		{"default", roux.Config{Title: "Kitchen <&>"}, "/docs", "/openapi.json", []string{"/docs/nope", "/docs/x/init.js"}},
		{"custom path", roux.Config{DocsPath: "/reference/", OpenAPIPath: "/spec"}, "/reference", "/spec.json", []string{"/docs"}},
		{"off", roux.Config{DocsPath: "-"}, "", "", []string{"/docs"}},
		{"off with the document", roux.Config{OpenAPIPath: "-"}, "", "", []string{"/docs"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := roux.New(tt.cfg)
			c := rouxtest.New(t, api)
			for _, p := range tt.notFound {
				if got := c.Get(p).Status; got != http.StatusNotFound {
					t.Errorf("GET %s: got %d, want 404", p, got)
				}
			}
			if tt.page == "" {
				return
			}
			page := c.Get(tt.page)
			if page.Status != http.StatusOK || page.Header.Get("Content-Type") != "text/html; charset=utf-8" {
				t.Fatalf("GET %s: got %s", tt.page, page)
			}
			for _, h := range []string{"Content-Security-Policy", "Cache-Control", "X-Content-Type-Options"} {
				want := map[string]string{"Content-Security-Policy": docs.CSP, "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}[h]
				if got := page.Header.Get(h); got != want {
					t.Errorf("%s: got %q, want %q", h, got, want)
				}
			}
			if !bytes.Contains(page.Body, []byte(`data-url="`+tt.specURL+`"`)) {
				t.Errorf("the page does not point at %s:\n%s", tt.specURL, page.Body)
			}
			if bytes.Contains(page.Body, []byte("<script>")) || bytes.Contains(page.Body, []byte("style=")) {
				t.Errorf("the page has an inline script or style, which its CSP forbids:\n%s", page.Body)
			}
			for _, u := range assetURLs(t, page.Body) {
				if u == tt.specURL {
					continue // the <noscript> link to the document
				}
				if !strings.HasPrefix(u, tt.page+"/") {
					t.Errorf("asset %s is not below %s", u, tt.page)
					continue
				}
				a := c.Get(u, "Accept-Encoding: gzip")
				if a.Status != http.StatusOK || len(a.Body) == 0 {
					t.Errorf("GET %s: got %d", u, a.Status)
				}
				if got := a.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
					t.Errorf("GET %s: got Cache-Control %q, want a year, immutable", u, got)
				}
				if strings.HasSuffix(u, ".js") && a.Header.Get("Content-Encoding") != "gzip" {
					t.Errorf("GET %s with Accept-Encoding gzip: got Content-Encoding %q", u, a.Header.Get("Content-Encoding"))
				}
			}
			if got := c.Request("POST", tt.page, nil).Status; got != http.StatusMethodNotAllowed {
				t.Errorf("POST %s: got %d, want 405", tt.page, got)
			}
			if paths := api.OpenAPI().Paths; len(paths) != 0 {
				t.Errorf("the docs routes are in the document: %v", paths)
			}
		})
	}
}

// TestDocsPathConflict checks that the docs page reports a clash with an
// operation as a registration error.
func TestDocsPathConflict(t *testing.T) {
	t.Parallel()
	api := roux.New(roux.Config{})
	defer func() {
		err, _ := recover().(error)
		if err == nil || !strings.Contains(err.Error(), "Config.DocsPath") {
			t.Errorf("got %v, want a registration error naming Config.DocsPath", err)
		}
	}()
	roux.Get(api, "/docs", func(context.Context, *struct{}) (*struct{}, error) { return nil, nil })
}

// TestOpenAPI30Golden serves the 3.0.3 forms of every test API's document
// and compares them with golden files; the conformance module validates
// them with kin-openapi's 3.0 loader.
func TestOpenAPI30Golden(t *testing.T) {
	for _, tt := range []struct {
		name string
		api  *roux.API
	}{
		{"kitchen", kitchenAPI()},
		{"empty", roux.New(roux.Config{})},
		{"groups", groupsAPI(nil)},
		{"uploads", uploadAPI(t, roux.Config{}, "", nil)},
		{"features", newFeaturesAPI().api},
		{"webhooks", webhooksAPI()},
		{"metadata", metadataAPI()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := rouxtest.New(t, tt.api)
			js := c.Get("/openapi-3.0.json")
			if js.Status != http.StatusOK || js.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("got %s", js)
			}
			var head struct{ OpenAPI string }
			if err := json.Unmarshal(js.Body, &head); err != nil || head.OpenAPI != openapi.Version30 {
				t.Fatalf("got openapi %q (%v), want %s", head.OpenAPI, err, openapi.Version30)
			}
			golden(t, "openapi30/"+tt.name+".json", js.Body)
			ym := c.Get("/openapi-3.0.yaml")
			if ym.Status != http.StatusOK || ym.Header.Get("Content-Type") != "application/yaml" {
				t.Fatalf("got %s", ym)
			}
			golden(t, "openapi30/"+tt.name+".yaml", ym.Body)
			etag, etag31 := js.Header.Get("ETag"), c.Get("/openapi.json").Header.Get("ETag")
			if etag == "" || etag != ym.Header.Get("ETag") || etag == etag31 {
				t.Errorf("got ETags %q (JSON), %q (YAML), %q (3.1), want one for both 3.0 forms, unlike the 3.1 one", etag, ym.Header.Get("ETag"), etag31)
			}
			if again := c.Get("/openapi-3.0.yaml", "If-None-Match: "+etag); again.Status != http.StatusNotModified {
				t.Errorf("If-None-Match: got %d, want 304", again.Status)
			}
		})
	}
}

// TestDocsInChromium loads the docs page from a loopback server in
// headless Chromium and checks, in the rendered DOM, that Swagger UI shows
// every operation, without a Content-Security-Policy violation and
// without asking for anything the server does not have. It skips when
// chromium is not installed, except in CI (CI=true), where it fails.
func TestDocsInChromium(t *testing.T) {
	t.Parallel()
	bin := os.Getenv("CHROMIUM")
	if bin == "" {
		bin = "chromium"
	}
	bin, err := exec.LookPath(bin)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chromium is required in CI (.ci/steps/10-browser.sh installs it): %v", err)
		}
		t.Skipf("chromium not found (%v); install Debian's chromium package, or set CHROMIUM, to run this test", err)
	}

	api := kitchenAPI()
	var (
		mu       sync.Mutex
		requests []string
		missing  []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, r)
		mu.Lock()
		requests = append(requests, r.URL.Path)
		if rec.Code >= 400 && r.URL.Path != "/favicon.ico" {
			missing = append(missing, fmt.Sprintf("%s %s: %d", r.Method, r.URL.Path, rec.Code))
		}
		mu.Unlock()
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes()) //nolint:errcheck
	}))
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
		"--user-data-dir="+t.TempDir(), "--enable-logging=stderr", "--v=0",
		"--virtual-time-budget=30000", "--dump-dom", srv.URL+"/docs")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.Bytes())
	}
	t.Logf("chromium rendered the page in %v", time.Since(start).Round(time.Millisecond))
	dom := stdout.String()

	for line := range strings.SplitSeq(stderr.String(), "\n") {
		switch {
		case strings.Contains(line, "Content Security Policy") || strings.Contains(line, "Refused to"):
			t.Errorf("CSP violation: %s", line)
		case strings.Contains(line, ":CONSOLE"):
			t.Logf("console: %s", line)
		}
	}
	mu.Lock()
	for _, m := range missing {
		t.Errorf("the page asked for what the server does not have: %s", m)
	}
	if !slices.Contains(requests, "/openapi.json") {
		t.Errorf("the page did not fetch the document; requests: %v", requests)
	}
	mu.Unlock()

	if !strings.Contains(dom, `class="swagger-ui`) {
		t.Fatalf("Swagger UI did not render; DOM:\n%s\nchromium log:\n%s", dom, stderr.Bytes())
	}
	doc := api.OpenAPI()
	n := 0
	for path, item := range doc.Paths {
		for method, op := range map[string]*openapi.Operation{"get": item.Get, "post": item.Post, "put": item.Put, "delete": item.Delete} {
			if op == nil {
				continue
			}
			n++
			block := regexp.MustCompile(`opblock-summary-method">` + strings.ToUpper(method) + `</span>.{0,300}?data-path="` + regexp.QuoteMeta(path) + `"`)
			if !block.MatchString(dom) {
				t.Errorf("%s %s: no operation block in the page", strings.ToUpper(method), path)
			}
			if op.Summary != "" && !strings.Contains(dom, `opblock-summary-description">`+html.EscapeString(op.Summary)+"</div>") {
				t.Errorf("%s %s: summary %q not in the page", strings.ToUpper(method), path, op.Summary)
			}
		}
	}
	if n < 5 {
		t.Errorf("checked %d operations, want the whole kitchen API", n)
	}
	if t.Failed() {
		t.Logf("DOM:\n%s", dom)
	}
}
