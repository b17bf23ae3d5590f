package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/cli"
)

type greeting struct {
	Text string `json:"text"`
}

// newGreeter returns the test API, configured by c.
func newGreeter(c roux.Config) *roux.API {
	c.Title, c.Version = "Greeter", "1.2.3"
	api := roux.New(c)
	roux.Get(api, "/hello", func(ctx context.Context, in *struct{}) (*greeting, error) {
		return &greeting{Text: "hello"}, nil
	}, roux.Summary("Say hello"))
	return api
}

// greeter builds the test API as a program does: on what the command
// line settled.
func greeter(ctx context.Context, s cli.Setup) (*roux.API, error) {
	return newGreeter(s.Config(roux.Config{})), nil
}

// testAPI is the test API built before any command line, for tests that
// add to it.
func testAPI() *roux.API { return newGreeter(roux.Config{}) }

// fixed is a build function that returns api as it is.
func fixed(api *roux.API) func(context.Context, cli.Setup) (*roux.API, error) {
	return func(context.Context, cli.Setup) (*roux.API, error) { return api, nil }
}

// served fetches path from a fresh test server of api, as the document
// routes publish it.
func served(t *testing.T, api *roux.API, path string) []byte {
	t.Helper()
	req, err := http.NewRequest("GET", path, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{header: http.Header{}}
	api.ServeHTTP(rec, req)
	if rec.status != 200 {
		t.Fatalf("GET %s: got %d", path, rec.status)
	}
	return rec.body.Bytes()
}

type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(s int)           { r.status = s }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }

func TestSpec(t *testing.T) {
	t.Parallel()
	api := testAPI()
	// What serve adds: its connection cap's refusal.
	if err := cli.Run(context.Background(), fixed(api), cli.Args("spec"), cli.Stdout(io.Discard)); err != nil {
		t.Fatal(err)
	}
	if api.OpenAPI().Paths["/hello"].Get.Responses["503"] == nil {
		t.Fatal("spec does not publish the connection cap's 503")
	}
	wantJSON := append(served(t, api, "/openapi.json"), '\n')
	wantYAML := served(t, api, "/openapi.yaml")
	want30JSON := append(served(t, api, "/openapi-3.0.json"), '\n')
	want30YAML := served(t, api, "/openapi-3.0.yaml")
	for _, tt := range []struct {
		name string
		args []string
		want []byte
	}{
		{"default is 3.1 json", []string{"spec"}, wantJSON},
		{"json", []string{"spec", "-format", "json"}, wantJSON},
		{"yaml", []string{"spec", "-format=yaml"}, wantYAML},
		{"explicit 3.1", []string{"spec", "-version", "3.1", "-format", "yaml"}, wantYAML},
		{"3.0 json", []string{"spec", "-version", "3.0"}, want30JSON},
		{"3.0 yaml", []string{"spec", "-version=3.0", "-format", "yaml"}, want30YAML},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out, errOut bytes.Buffer
			err := cli.Run(context.Background(), fixed(api), cli.Args(tt.args...), cli.Stdout(&out), cli.Stderr(&errOut))
			if err != nil {
				t.Fatalf("got error %v (stderr %s)", err, errOut.String())
			}
			if !bytes.Equal(out.Bytes(), tt.want) {
				t.Errorf("got\n%s\nwant\n%s", out.Bytes(), tt.want)
			}
		})
	}
}

func TestSpecVersion30(t *testing.T) {
	t.Parallel()
	out, err := cli.Spec(testAPI(), "json", "3.0")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
	}
	if err := json.Unmarshal(out, &doc); err != nil || doc.OpenAPI != "3.0.3" {
		t.Errorf("got openapi %q (error %v), want 3.0.3", doc.OpenAPI, err)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		args    []string
		wantErr bool
		stderr  string
	}{
		{"unknown command", []string{"bake"}, true, `unknown command "bake"`},
		{"unknown flag", []string{"spec", "-pretty"}, true, "flag provided but not defined"},
		{"bad format", []string{"spec", "-format", "xml"}, true, "-format must be json or yaml"},
		{"bad version", []string{"spec", "-version", "2.0"}, true, "-version must be 3.1 or 3.0"},
		{"extra argument", []string{"spec", "now"}, true, `unexpected argument "now"`},
		{"serve extra argument", []string{"serve", "-addr", "127.0.0.1:0", "now"}, true, `unexpected argument "now"`},
		{"help command", []string{"help"}, false, "usage:"},
		{"spec -h", []string{"spec", "-h"}, false, "-format"},
		{"serve -h", []string{"-h"}, false, "-shutdown-timeout"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out, errOut bytes.Buffer
			err := cli.Run(context.Background(), greeter, cli.Name("greeter"), cli.Args(tt.args...), cli.Stdout(&out), cli.Stderr(&errOut))
			if got := err != nil; got != tt.wantErr {
				t.Fatalf("got error %v, want error %v", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, cli.ErrUsage) {
				t.Errorf("got %v, want an ErrUsage", err)
			}
			if !strings.Contains(errOut.String(), tt.stderr) {
				t.Errorf("got stderr %q, want it to contain %q", errOut.String(), tt.stderr)
			}
			if out.Len() != 0 {
				t.Errorf("got stdout %q, want nothing", out.String())
			}
		})
	}
}

func TestServe(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"serve subcommand", []string{"serve", "-addr", "127.0.0.1:0"}},
		{"flags only, as a program with just -addr", []string{"-addr", "127.0.0.1:0", "-shutdown-timeout", "2s"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			addrs := make(chan string, 1)
			done := make(chan error, 1)
			go func() {
				done <- cli.Run(ctx, greeter, cli.Args(tt.args...),
					cli.Logger(slog.New(slog.NewTextHandler(io.Discard, nil))),
					cli.OnServe(func(addr string) { addrs <- addr }))
			}()
			var addr string
			select {
			case addr = <-addrs:
			case err := <-done:
				t.Fatalf("Run returned early: %v", err)
			case <-time.After(10 * time.Second):
				t.Fatal("the server did not start")
			}
			res, err := http.Get("http://" + addr + "/hello")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 || !strings.Contains(string(body), `"hello"`) {
				t.Errorf("got %d %s, want 200 with the greeting", res.StatusCode, body)
			}
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("got %v after shutdown, want nil", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the server did not shut down")
			}
		})
	}
}

func TestServeListenError(t *testing.T) {
	t.Parallel()
	err := cli.Run(context.Background(), greeter, cli.Args("serve", "-addr", "127.0.0.1:notaport"),
		cli.Logger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err == nil || errors.Is(err, cli.ErrUsage) || !strings.HasPrefix(err.Error(), "cli: serve:") {
		t.Errorf("got %v, want a cli: serve: listen error", err)
	}
}

func TestSpecErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, format, version, want string
	}{
		{"unknown format", "toml", "3.1", `cli: unknown format "toml"`},
		{"unknown version", "json", "2.0", `cli: unknown OpenAPI version "2.0"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := cli.Spec(testAPI(), tt.format, tt.version)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) || out != nil {
				t.Errorf("got %q, %v; want no output and an error starting %q", out, err, tt.want)
			}
		})
	}
}
