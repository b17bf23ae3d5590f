package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// rouxBin is roux's own cmd/roux, built once by TestMain: the gate's
// document comparisons run it as CI does.
var rouxBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "compat-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	rouxBin = filepath.Join(dir, "roux")
	build := exec.Command("go", "build", "-o", rouxBin, "./cmd/roux")
	build.Dir = "../.."
	build.Env = childEnv()
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building cmd/roux: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// The throwaway repository: module example.com/lib with a public package,
// an internal one and a command (neither compared), and an example service
// whose `spec` prints its document, 3.1 or, with -version 3.0, 3.0.
const (
	libV1 = `package lib

// Hello greets.
func Hello() string { return "hello" }

// Config configures.
type Config struct {
	Name string
	Port int
}
`
	// libV2 removes Hello and Config.Port and adds Goodbye.
	libV2 = `package lib

// Config configures.
type Config struct {
	Name string
}

// Goodbye says goodbye.
func Goodbye() string { return "bye" }
`
	internalV1 = "package x\n\n// Exported is internal all the same.\nfunc Exported() {}\n"
	commandV1  = "package main\n\n// Exported belongs to a command.\nfunc Exported() {}\n\nfunc main() {}\n"
	serviceSrc = `package main

import (
	"fmt"
	"os"
)

// paths is the service's operations, as OpenAPI paths.
const paths = %q

func main() {
	version := "3.1.0"
	if len(os.Args) == 4 && os.Args[2] == "-version" && os.Args[3] == "3.0" {
		version = "3.0.3"
	}
	if len(os.Args) < 2 || os.Args[1] != "spec" {
		os.Exit(2)
	}
	fmt.Printf("{\"openapi\": %%q, \"info\": {\"title\": \"svc\", \"version\": \"1\"}, \"paths\": {%%s}}\n", version, paths)
}
`
	helloOp = `"/hello": {"get": {"operationId": "hello", "responses": {"200": {"description": "ok",
		"content": {"application/json": {"schema": {"type": "string"}}}}}}}`
	byeOp = `"/bye": {"get": {"operationId": "bye", "responses": {"200": {"description": "ok",
		"content": {"application/json": {"schema": {"type": "string"}}}}}}}`
)

func service(ops ...string) string {
	return fmt.Sprintf(serviceSrc, strings.Join(ops, ", "))
}

// repo is a throwaway git repository in a test's temporary directory.
type repo struct {
	t   *testing.T
	dir string
}

func newRepo(t *testing.T) *repo {
	t.Helper()
	r := &repo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	r.write(map[string]string{
		"go.mod":                   "module example.com/lib\n\ngo 1.26\n",
		"lib.go":                   libV1,
		"internal/x/x.go":          internalV1,
		"cmd/tool/main.go":         commandV1,
		"examples/svc/main.go":     service(helloOp, byeOp),
		"CHANGELOG.md":             "# Changelog\n\n## [Unreleased]\n",
		"examples/svc/README.md":   "the example service\n",
		"internal/x/doc_extra.txt": "not Go\n",
	})
	r.commit("v1")
	return r
}

func (r *repo) write(files map[string]string) {
	r.t.Helper()
	for name, content := range files {
		path := filepath.Join(r.dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
}

func (r *repo) git(args ...string) {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
	if out, err := cmd.CombinedOutput(); err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func (r *repo) commit(msg string) {
	r.t.Helper()
	r.git("add", "-A")
	r.git("commit", "-q", "-m", msg)
}

// gate runs compat on the repository, comparing its root module and its
// example service unless args say otherwise, and returns its exit status
// and standard output.
func (r *repo) gate(args ...string) (int, string) {
	r.t.Helper()
	var stdout, stderr bytes.Buffer
	args = append([]string{"-repo", r.dir, "-modules", ".", "-examples", "examples/svc", "-roux", rouxBin}, args...)
	code := run(args, &stdout, &stderr)
	if stderr.Len() > 0 {
		r.t.Logf("stderr:\n%s", stderr.String())
	}
	return code, stdout.String()
}

// breakIt replaces v1 with a change that breaks the Go API twice
// (lib.Hello and lib.Config.Port removed) and the document once (GET /bye
// removed), beside compatible changes (lib.Goodbye, an internal package's
// and a command's API) that must not count.
func (r *repo) breakIt(changelog string) {
	r.write(map[string]string{
		"lib.go":               libV2,
		"internal/x/x.go":      "package x\n",
		"cmd/tool/main.go":     "package main\n\nfunc main() {}\n",
		"examples/svc/main.go": service(helloOp),
		"CHANGELOG.md":         changelog,
	})
	r.commit("v2")
}

func TestGateWithoutTag(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	r.breakIt("# Changelog\n")
	code, out := r.gate()
	if code != 0 {
		t.Errorf("exit status %d, want 0; output:\n%s", code, out)
	}
	if want := "no release tag (v*)"; !strings.Contains(out, want) {
		t.Errorf("output does not say %q:\n%s", want, out)
	}
}

func TestGate(t *testing.T) {
	t.Parallel()
	undeclared := []string{
		"NOT DECLARED  lib.Config.Port: removed  [Go API]",
		"NOT DECLARED  lib.Hello: removed  [Go API]",
		"NOT DECLARED  svc GET /bye: operation removed  [OpenAPI 3.1, OpenAPI 3.0]",
	}
	for _, tt := range []struct {
		name      string
		changelog string
		change    bool
		wantCode  int
		want      []string
		notWant   []string
	}{
		{
			name:     "unchanged",
			wantCode: 0,
			want:     []string{"0 breaking, 0 compatible changes", "no breaking change; pass"},
		},
		{
			name:      "breaking, no changelog",
			change:    true,
			changelog: "",
			wantCode:  1,
			want: append(undeclared,
				"compat: FAIL: 3 breaking changes are not declared in CHANGELOG.md.",
				"has no \"## [Unreleased]\" section",
			),
		},
		{
			name:      "breaking, undeclared",
			change:    true,
			changelog: "# Changelog\n\n## [Unreleased]\n\n### Added\n- `lib.Goodbye`.\n",
			wantCode:  1,
			want: append(undeclared,
				"Go API of module example.com/lib (1 package) against v0.1.0 (",
				"): 2 breaking, 1 compatible changes",
				"svc document (OpenAPI 3.1) against v0.1.0: 1 breaking, 0 other changes",
				"svc document (OpenAPI 3.0) against v0.1.0: 1 breaking, 0 other changes",
				"has no \"### Breaking\" subsection: add one.",
				"Lines to paste",
				"\n- `lib.Config.Port`: removed.\n- `lib.Hello`: removed.\n- `svc GET /bye`: operation removed.\n",
			),
			notWant: []string{"x.Exported", "main.Exported"},
		},
		{
			name:      "breaking, partly declared",
			change:    true,
			changelog: "## [Unreleased]\n### Breaking\n- `lib.Hello`: removed; use `lib.Goodbye`.\n- `lib.Helo`: a typo.\n",
			wantCode:  1,
			want: []string{
				"declared      lib.Hello: removed  [Go API; CHANGELOG.md:3]",
				"NOT DECLARED  lib.Config.Port: removed",
				"NOT DECLARED  svc GET /bye: operation removed",
				"compat: FAIL: 2 breaking changes are not declared in CHANGELOG.md.",
				"compat: note: declared, but no comparison finds it broken",
				"  `lib.Helo`  [CHANGELOG.md:4]\n",
			},
			notWant: []string{"- `lib.Hello`: removed."},
		},
		{
			name:   "breaking, declared",
			change: true,
			changelog: "# Changelog\n\n## [Unreleased]\n\n### Breaking\n" +
				"- `lib.Hello`: removed; use `lib.Goodbye`.\n" +
				"- `lib.Config`: has no Port any more; set the port with ...\n" +
				"- `svc GET /bye`: removed; call GET /hello.\n" +
				"\n## [0.1.0] - 2026-12-01\n",
			wantCode: 0,
			want: []string{
				"declared      lib.Config.Port: removed  [Go API; CHANGELOG.md:7]",
				"declared      lib.Hello: removed  [Go API; CHANGELOG.md:6]",
				"declared      svc GET /bye: operation removed  [OpenAPI 3.1, OpenAPI 3.0; CHANGELOG.md:8]",
				"every breaking change is declared in CHANGELOG.md; pass",
			},
			notWant: []string{"NOT DECLARED", "FAIL"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRepo(t)
			r.git("tag", "v0.1.0")
			if tt.change {
				r.breakIt(tt.changelog)
			}
			code, out := r.gate()
			if code != tt.wantCode {
				t.Errorf("exit status %d, want %d", code, tt.wantCode)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q", w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(out, w) {
					t.Errorf("output has %q", w)
				}
			}
			if t.Failed() {
				t.Logf("output:\n%s", out)
			}
		})
	}
}

// TestGateNewestTag checks that the newest version is the baseline, not
// the newest tag by name or date, and that the repository is left alone.
func TestGateNewestTag(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	r.git("tag", "v0.10.0") // v1: Hello and GET /bye exist
	r.breakIt("## [Unreleased]\n")
	r.git("tag", "v0.9.0") // made later, older by version
	code, out := r.gate()
	if code != 1 || !strings.Contains(out, "against v0.10.0") {
		t.Errorf("exit status %d, want 1 against v0.10.0; output:\n%s", code, out)
	}
	status, err := exec.Command("git", "-C", r.dir, "status", "--porcelain").Output()
	if err != nil || len(status) > 0 {
		t.Errorf("git status after the gate: %q, %v; want a clean tree", status, err)
	}
}

// TestGateNestedModule checks that a nested module is compared with its own
// tag, "sub/vX.Y.Z", even when the root module has none.
func TestGateNestedModule(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	r.write(map[string]string{
		"sub/go.mod": "module example.com/lib/sub\n\ngo 1.26\n",
		"sub/sub.go": "package sub\n\n// Old is old.\nfunc Old() {}\n",
	})
	r.commit("sub")
	r.git("tag", "sub/v0.1.0")
	r.write(map[string]string{"sub/sub.go": "package sub\n"})
	r.commit("sub: Old removed")
	code, out := r.gate("-modules", ".,sub", "-examples", "")
	for _, want := range []string{
		"compat: Go module .: no release tag, nothing to compare with",
		"Go API of module example.com/lib/sub (1 package) against sub/v0.1.0 (",
		"NOT DECLARED  sub.Old: removed  [Go API]",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}
