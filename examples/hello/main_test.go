package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/cli"
)

var update = flag.Bool("update", false, "rewrite testdata/openapi.json and .yaml")

// server starts the hello API on a real loopback listener.
func server(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(NewAPI(NewStore(), roux.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	t.Cleanup(srv.Close)
	return srv
}

func do(t *testing.T, method, url, body string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header, b
}

func TestMenuOverLoopback(t *testing.T) {
	srv := server(t)
	status, h, body := do(t, "POST", srv.URL+"/dishes", `{"name":"Gazpacho","price":7.5,"tags":["vegan"]}`)
	if status != 201 || h.Get("Location") != "/dishes/3" {
		t.Fatalf("create: got %d %s %s", status, h.Get("Location"), body)
	}
	status, _, body = do(t, "GET", srv.URL+"/dishes/3", "")
	var d Dish
	if err := json.Unmarshal(body, &d); err != nil || status != 200 || d.Name != "Gazpacho" || d.Price != 7.5 {
		t.Fatalf("get: got %d %s", status, body)
	}
	status, _, body = do(t, "GET", srv.URL+"/dishes?tag=vegan&limit=1", "")
	var list []Dish
	if err := json.Unmarshal(body, &list); err != nil || status != 200 || len(list) != 1 || list[0].ID != 1 {
		t.Fatalf("list: got %d %s", status, body)
	}
	status, _, body = do(t, "PUT", srv.URL+"/dishes/3", `{"name":"Cold soup","price":8}`)
	if status != 200 || !bytes.Contains(body, []byte(`"Cold soup"`)) {
		t.Fatalf("put: got %d %s", status, body)
	}
	if status, _, body = do(t, "DELETE", srv.URL+"/dishes/3", ""); status != 204 || len(body) != 0 {
		t.Fatalf("delete: got %d %s", status, body)
	}
	if status, h, _ = do(t, "GET", srv.URL+"/dishes/3", ""); status != 404 || h.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("get deleted: got %d %s", status, h.Get("Content-Type"))
	}
}

func TestBadInputOverLoopback(t *testing.T) {
	srv := server(t)
	for _, tt := range []struct {
		name, method, path, body string
		status                   int
		contains                 string
	}{
		{"invalid body", "POST", "/dishes", `{"name":"","price":-1,"tags":["Not Valid"],"extra":true}`, 422, `"pointer":"/extra"`},
		{"malformed body", "POST", "/dishes", `{"name":`, 400, "not valid JSON"},
		{"bad limit", "GET", "/dishes?limit=1000", "", 422, `"parameter":"limit"`},
		{"bad id", "GET", "/dishes/zero", "", 422, `"parameter":"id"`},
		{"no route", "GET", "/drinks", "", 404, "no operation"},
		{"wrong method", "PATCH", "/dishes/1", "", 405, "not allowed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := do(t, tt.method, srv.URL+tt.path, tt.body)
			if status != tt.status || !strings.Contains(string(body), tt.contains) {
				t.Errorf("got %d %s, want %d containing %s", status, body, tt.status, tt.contains)
			}
			if h.Get("Content-Type") != "application/problem+json" {
				t.Errorf("got Content-Type %q", h.Get("Content-Type"))
			}
		})
	}
	// The server still serves after all of that.
	if status, _, _ := do(t, "GET", srv.URL+"/dishes/1", ""); status != 200 {
		t.Errorf("got %d after bad requests", status)
	}
}

// TestDocument checks the document the program publishes — as spec
// prints it, the bytes serve serves, with what package cli adds (its
// connection cap's 503) — against golden files, which the conformance
// module validates with kin-openapi and generates a client from.
func TestDocument(t *testing.T) {
	for _, format := range []string{"json", "yaml"} {
		var out bytes.Buffer
		if err := cli.Run(context.Background(), build, cli.Args("spec", "-format", format), cli.Stdout(&out), cli.Stderr(io.Discard)); err != nil {
			t.Fatal(err)
		}
		// The served bytes: spec ends the JSON with a newline.
		body := out.Bytes()
		if format == "json" {
			body = bytes.TrimSuffix(body, []byte("\n"))
		}
		path := filepath.Join("testdata", "openapi."+format)
		if *update {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, body, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if !bytes.Equal(want, body) {
			t.Errorf("%s differs from the published document; rerun with -update if intended", path)
		}
	}
}

// The in-memory menu is bounded: anyone may add, so a full menu refuses
// more (409) rather than growing without end.
func TestMenuIsBounded(t *testing.T) {
	srv := server(t)
	for i := 2; i < MaxDishes; i++ { // two dishes are seeded
		if status, _, body := do(t, "POST", srv.URL+"/dishes", `{"name":"Soup","price":1}`); status != 201 {
			t.Fatalf("dish %d: got %d %s", i+1, status, body)
		}
	}
	status, h, body := do(t, "POST", srv.URL+"/dishes", `{"name":"One too many","price":1}`)
	if status != http.StatusConflict || h.Get("Content-Type") != "application/problem+json" || !bytes.Contains(body, []byte("full")) {
		t.Fatalf("a full menu: got %d %s", status, body)
	}
	if status, _, _ := do(t, "DELETE", srv.URL+"/dishes/1", ""); status != 204 {
		t.Fatalf("delete: got %d", status)
	}
	if status, _, body := do(t, "POST", srv.URL+"/dishes", `{"name":"Room again","price":1}`); status != 201 {
		t.Fatalf("after a removal: got %d %s", status, body)
	}
}
