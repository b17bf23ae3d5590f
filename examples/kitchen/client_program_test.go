package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/roux-go/roux/examples/kitchen/internal/testgw"
)

// The client program compiles without the kitchen's server dependencies:
// its store's database drivers and the OpenTelemetry SDK.
func TestClientProgramDependencies(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "./cmd/kitchen-client").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	has := func(pkg string) bool {
		for _, d := range deps {
			if d == pkg || strings.HasPrefix(d, pkg+"/") {
				return true
			}
		}
		return false
	}
	for _, pkg := range []string{"modernc.org/sqlite", "github.com/jackc/pgx", "go.opentelemetry.io/otel/sdk",
		"github.com/prometheus/client_golang", "github.com/roux-go/roux/examples/kitchen/internal"} {
		if has(pkg) {
			t.Errorf("kitchen-client depends on %s", pkg)
		}
	}
	// What it does use, so that an empty list cannot pass.
	for _, pkg := range []string{"github.com/roux-go/roux/client", "github.com/roux-go/roux/examples/kitchen/kitchenapi"} {
		if !has(pkg) {
			t.Errorf("kitchen-client does not depend on %s: %d packages listed", pkg, len(deps))
		}
	}
	t.Logf("kitchen-client: %d packages", len(deps))
}

// The client program against the real kitchen: it places an order and
// prints its events until the order is ready.
func TestClientProgram(t *testing.T) {
	t.Parallel()
	if bin == "" {
		t.Skip("process tests need the binaries; not built with -short")
	}
	client := filepath.Join(t.TempDir(), "kitchen-client")
	if out, err := exec.Command("go", "build", "-o", client, "./cmd/kitchen-client").CombinedOutput(); err != nil {
		t.Fatalf("building kitchen-client: %v\n%s", err, out)
	}
	p := launch(t, "-data", filepath.Join(t.TempDir(), "data"))
	run := func(args ...string) (code int, stdout, stderr string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, client, append([]string{"-url", p.url}, args...)...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		var exit *exec.ExitError
		switch {
		case errors.As(err, &exit):
			code = exit.ExitCode()
		case err != nil:
			t.Fatalf("kitchen-client %q: %v", args, err)
		}
		return code, out.String(), errb.String()
	}

	code, stdout, stderr := run("-dish", "gazpacho", "-quantity", "2")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	// received, cooking, the line cooking and done, ready.
	want := regexp.MustCompile(`^order (\d+) accepted: 2 × Gazpacho, 14\.00 EUR \(received\)
#1 order (\d+): received
#2 order \d+: cooking
#3 line 1 \(Gazpacho\): cooking
#4 line 1 \(Gazpacho\): done
#5 order \d+: ready
order \d+ is ready
$`)
	if !want.MatchString(stdout) {
		t.Errorf("stdout:\n%s\nwant it to match:\n%s", stdout, want)
	}

	// The answer to the order lost on the way back (a gateway's 502 after
	// the kitchen placed it): the program sends it again with the same
	// Idempotency-Key, and the kitchen answers with the order placed.
	gw := testgw.LoseFirst(t, p.url, http.MethodPost, "/orders")
	if out, err := exec.Command(client, "-url", gw.URL, "-dish", "gazpacho").CombinedOutput(); err != nil || !strings.Contains(string(out), "is ready") {
		t.Fatalf("through a gateway that loses the first answer: %v\n%s", err, out)
	}
	sent, answered := gw.Seen()
	if len(sent) != 2 || sent[0].Get("Idempotency-Key") == "" || sent[1].Get("Idempotency-Key") != sent[0].Get("Idempotency-Key") ||
		answered[1].Get("Idempotent-Replayed") != "true" {
		t.Errorf("POST /orders: %d attempts, %v; answers %v", len(sent), sent, answered)
	}

	for _, tt := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"a dish not on the menu", []string{"-dish", "Fondue"}, 1, `no dish "Fondue" on the menu`},
		{"a dish that does not exist", []string{"-dish", "999"}, 1, "dish 999: roux: 404 Not Found"},
		{"a quantity the kitchen refuses", []string{"-quantity", "0"}, 1, "/items/0/quantity: must be at least 1"},
		{"a bad token", []string{"-token", "nope"}, 1, "placing the order: roux: 401 Unauthorized"},
		{"a bad flag", []string{"-quantity", "many"}, 2, "invalid value"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s\nwant stderr to mention %q", code, tt.code, stdout, stderr, tt.stderr)
			}
		})
	}
}
