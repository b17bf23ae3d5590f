package cli_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/cli"
)

// shopFlags are a program's own flags, of several kinds.
type shopFlags struct {
	Data    string
	DB      string
	Lease   time.Duration
	Demo    bool
	Tags    []string // -tag, once per occurrence
	Secret  string   // read from no environment variable
	Command string   // Setup.Command
	Docs    bool     // Setup.Docs
}

func (f *shopFlags) define(fs *cli.FlagSet) {
	fs.StringVar(&f.Data, "data", "shop-data", "data `directory`")
	fs.StringVar(&f.DB, "db", "", "database `URL`")
	fs.Env("db", "SHOP_DATABASE_URL")
	fs.DurationVar(&f.Lease, "lease", 10*time.Second, "lease")
	fs.BoolVar(&f.Demo, "demo", false, "demo mode")
	fs.Func("tag", "a `tag`, repeatable", func(v string) error { f.Tags = append(f.Tags, v); return nil })
	fs.Env("secret", "")
	fs.StringVar(&f.Secret, "secret", "", "a secret, never in the environment")
}

// runShop runs the command line args of a program with shopFlags, in env,
// and returns what its build function saw (nil when it was not called),
// the error and standard error.
func runShop(t *testing.T, env map[string]string, args ...string) (*shopFlags, error, string) {
	t.Helper()
	var f shopFlags
	var seen *shopFlags
	build := func(ctx context.Context, s cli.Setup) (*roux.API, error) {
		if s.Logger == nil {
			t.Error("Setup.Logger is nil")
		}
		got := f
		got.Command, got.Docs = s.Command, s.Docs
		seen = &got
		return newGreeter(s.Config(roux.Config{})), nil
	}
	var errOut bytes.Buffer
	err := cli.Run(context.Background(), build, cli.Name("shop"), cli.Flags("SHOP_", f.define),
		cli.Args(args...), cli.Stdout(io.Discard), cli.Stderr(&errOut),
		cli.Getenv(func(name string) string { return env[name] }))
	return seen, err, errOut.String()
}

// TestProgramFlags: a program's flags take their defaults from its own
// environment variables, and are given before or after the command,
// among cli's.
func TestProgramFlags(t *testing.T) {
	t.Parallel()
	defaults := shopFlags{Data: "shop-data", Lease: 10 * time.Second, Command: "spec", Docs: true}
	with := func(change func(*shopFlags)) *shopFlags {
		f := defaults
		change(&f)
		return &f
	}
	for _, tt := range []struct {
		name string
		env  map[string]string
		args []string
		want *shopFlags
	}{
		{"defaults", nil, []string{"spec"}, &defaults},
		{"before the command", nil, []string{"-data", "d", "-demo", "spec", "-format", "yaml"},
			with(func(f *shopFlags) { f.Data, f.Demo = "d", true })},
		{"after the command", nil, []string{"spec", "-format=yaml", "--lease=3s", "-tag", "a", "-version", "3.0"},
			with(func(f *shopFlags) { f.Lease, f.Tags = 3*time.Second, []string{"a"} })},
		{"on both sides, each value once", nil, []string{"-tag", "a", "spec", "-tag", "b"},
			with(func(f *shopFlags) { f.Tags = []string{"a", "b"} })},
		{"from the environment", map[string]string{"SHOP_DATA": "env-data", "SHOP_LEASE": "1m", "SHOP_DEMO": "true", "SHOP_TAG": "e"}, []string{"spec"},
			with(func(f *shopFlags) { f.Data, f.Lease, f.Demo, f.Tags = "env-data", time.Minute, true, []string{"e"} })},
		{"a variable named by Env", map[string]string{"SHOP_DATABASE_URL": "postgres://h/db", "SHOP_DB": "ignored"}, []string{"spec"},
			with(func(f *shopFlags) { f.DB = "postgres://h/db" })},
		{"no variable for a flag", map[string]string{"SHOP_SECRET": "leaked"}, []string{"spec"}, &defaults},
		{"a flag without a variable", nil, []string{"spec", "-secret", "s"}, with(func(f *shopFlags) { f.Secret = "s" })},
		{"the command line wins", map[string]string{"SHOP_DATA": "env-data", "SHOP_DEMO": "true"}, []string{"spec", "-data", "flag-data", "-demo=false"},
			with(func(f *shopFlags) { f.Data = "flag-data" })},
		{"a bad variable the command line overrides", map[string]string{"SHOP_LEASE": "soon"}, []string{"spec", "-lease", "2s"},
			with(func(f *shopFlags) { f.Lease = 2 * time.Second })},
		{"cli's environment beside the program's", map[string]string{"ROUX_DOCS": "false", "SHOP_DATA": "x"}, []string{"spec"},
			with(func(f *shopFlags) { f.Data, f.Docs = "x", false })},
		{"cli's log flags on spec", nil, []string{"spec", "-log-level", "debug", "-log-format", "json"}, &defaults},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err, stderr := runShop(t, tt.env, tt.args...)
			if err != nil {
				t.Fatalf("got error %v (stderr %s)", err, stderr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("build saw (-want +got):\n%s", diff)
			}
		})
	}
}

// TestOneUsage: -h, wherever it is, and the help command print one usage
// listing the program's flags and cli's, and build nothing.
func TestOneUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"-h"}, {"--help"}, {"serve", "-h"}, {"spec", "-h"}, {"-demo", "-h"}, {"help"}, {"-data", "d", "help"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			seen, err, stderr := runShop(t, map[string]string{"SHOP_DATA": "env-data"}, args...)
			if err != nil || seen != nil {
				t.Fatalf("got error %v, build called %v; want neither", err, seen != nil)
			}
			if n := strings.Count(stderr, "usage:"); n != 1 {
				t.Errorf("got %d usage texts, want 1:\n%s", n, stderr)
			}
			for _, want := range []string{
				"shop [serve] [flags]", "shop spec [flags]",
				"shop's flags (defaults from SHOP_<NAME>):", `-data directory`, `(default "env-data")`,
				"database URL (environment variable SHOP_DATABASE_URL)", "-tag tag", "never in the environment (no environment variable)",
				"flags of serve and spec (defaults from ROUX_<NAME>):", "-log-level level",
				"serve's flags (defaults from ROUX_<NAME>):", "-shutdown-timeout duration",
				"spec's flags:", "-format format",
			} {
				if !strings.Contains(stderr, want) {
					t.Errorf("the usage lacks %q:\n%s", want, stderr)
				}
			}
		})
	}
}

// TestCommandLineErrors: each mistake is a usage error that names it, and
// nothing is built.
func TestCommandLineErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		env  map[string]string
		args []string
		want string // on standard error, after "shop: "
	}{
		{"unknown flag", nil, []string{"-pretty"}, "flag provided but not defined: -pretty"},
		{"unknown flag after the command", nil, []string{"spec", "-pretty"}, "flag provided but not defined: -pretty"},
		{"a flag of serve on spec", nil, []string{"-addr", "127.0.0.1:0", "spec"}, "-addr is a flag of serve, not of spec"},
		{"a flag of spec on serve", nil, []string{"serve", "-format", "yaml"}, "-format is a flag of spec, not of serve"},
		{"bad program flag value", nil, []string{"spec", "-lease", "soon"}, `invalid value "soon" for flag -lease`},
		{"bad program variable", map[string]string{"SHOP_LEASE": "soon"}, []string{"spec"}, `invalid value "soon" for SHOP_LEASE (flag -lease)`},
		{"bad cli variable", map[string]string{"ROUX_LOG_LEVEL": "loud"}, []string{"spec"}, `-log-level "loud": want debug, info, warn or error`},
		{"bad -log-level", nil, []string{"serve", "-addr", "127.0.0.1:0", "-log-level", "loud"}, `-log-level "loud": want debug, info, warn or error`},
		{"bad -log-format", nil, []string{"spec", "-log-format", "xml"}, `-log-format "xml": want text or json`},
		{"a flag without its value", nil, []string{"spec", "-data"}, "flag needs an argument: -data"},
		{"unknown command after flags", nil, []string{"-demo", "bake"}, `unknown command "bake"`},
		{"an argument after the command", nil, []string{"spec", "-demo", "now"}, `unexpected argument "now"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			seen, err, stderr := runShop(t, tt.env, tt.args...)
			if !errors.Is(err, cli.ErrUsage) || seen != nil {
				t.Fatalf("got error %v, build called %v; want a usage error and no build", err, seen != nil)
			}
			if want := "shop: " + tt.want; !strings.HasPrefix(stderr, want) || !strings.Contains(stderr, "shop -h lists") {
				t.Errorf("got stderr %q, want it to start %q and point to -h", stderr, want)
			}
		})
	}
}

// TestBuildErrors: a build function's Usagef is a usage error written
// like cli's; another error is returned as it is, unwritten.
func TestBuildErrors(t *testing.T) {
	t.Parallel()
	failing := errors.New("shop: no database")
	for _, tt := range []struct {
		name      string
		err       error
		wantUsage bool
		stderr    string
	}{
		{"usage", cli.Usagef("-seed needs -%s", "demo"), true, "shop: -seed needs -demo\n(shop -h lists the commands and flags)\n"},
		{"wrapped usage", fmt.Errorf("shop: %w", cli.Usagef("-seed needs -demo")), true, "shop: -seed needs -demo\n(shop -h lists the commands and flags)\n"},
		{"other", failing, false, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var errOut bytes.Buffer
			err := cli.Run(context.Background(), func(context.Context, cli.Setup) (*roux.API, error) { return nil, tt.err },
				cli.Name("shop"), cli.Args("spec"), cli.Stdout(io.Discard), cli.Stderr(&errOut))
			if err != tt.err || errors.Is(err, cli.ErrUsage) != tt.wantUsage || errOut.String() != tt.stderr {
				t.Errorf("got %v (usage %v) and stderr %q, want %v (usage %v) and %q", err, errors.Is(err, cli.ErrUsage), errOut.String(), tt.err, tt.wantUsage, tt.stderr)
			}
		})
	}
	err := cli.Run(context.Background(), func(context.Context, cli.Setup) (*roux.API, error) { return nil, nil },
		cli.Args("spec"), cli.Stdout(io.Discard), cli.Stderr(io.Discard))
	if err == nil || errors.Is(err, cli.ErrUsage) {
		t.Errorf("no API and no error: got %v, want an error", err)
	}
}

// TestProgramFlagClash: a program flag named like one of cli's is the
// program's mistake, reported before anything is parsed.
func TestProgramFlagClash(t *testing.T) {
	t.Parallel()
	var addr string
	err := cli.Run(context.Background(), greeter, cli.Args("-h"), cli.Stderr(io.Discard),
		cli.Flags("SHOP_", func(fs *cli.FlagSet) { fs.StringVar(&addr, "addr", "", "mine") }))
	if err == nil || errors.Is(err, cli.ErrUsage) || !strings.Contains(err.Error(), "-addr is defined twice") {
		t.Errorf("got %v, want a program error naming -addr", err)
	}
}

func TestSetupConfig(t *testing.T) {
	t.Parallel()
	mine := slog.New(slog.NewTextHandler(io.Discard, nil))
	theirs := slog.New(slog.NewJSONHandler(io.Discard, nil))
	for _, tt := range []struct {
		name  string
		setup cli.Setup
		in    roux.Config
		want  roux.Config
	}{
		{"logger and docs", cli.Setup{Logger: theirs, Docs: true}, roux.Config{Title: "T"}, roux.Config{Title: "T", Logger: theirs}},
		{"the config's own logger stays", cli.Setup{Logger: theirs, Docs: true}, roux.Config{Logger: mine, DocsPath: "/ref"}, roux.Config{Logger: mine, DocsPath: "/ref"}},
		{"no docs", cli.Setup{Logger: theirs}, roux.Config{DocsPath: "/ref"}, roux.Config{Logger: theirs, DocsPath: "-"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tt.setup.Config(tt.in)
			if got.Title != tt.want.Title || got.Logger != tt.want.Logger || got.DocsPath != tt.want.DocsPath {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestMainExitStatus runs cli.Main in a child process (this test binary)
// and checks its exit status: 0, 2 for a usage error, 1 for another.
func TestMainExitStatus(t *testing.T) {
	if args, ok := os.LookupEnv("CLI_TEST_MAIN_ARGS"); ok {
		cli.Main(func(ctx context.Context, s cli.Setup) (*roux.API, error) {
			if os.Getenv("CLI_TEST_MAIN_FAIL") != "" {
				return nil, errors.New("greeter: no database")
			}
			return greeter(ctx, s)
		}, cli.Name("greeter"), cli.Args(strings.Fields(args)...))
		return
	}
	t.Parallel()
	for _, tt := range []struct {
		args   string
		fail   bool
		code   int
		stderr string
	}{
		{"spec", false, 0, ""},
		{"-h", false, 0, "usage:"},
		{"spec -pretty", false, 2, "greeter: flag provided but not defined: -pretty"},
		{"-log-level loud", false, 2, `greeter: -log-level "loud"`},
		{"spec", true, 1, "greeter: no database"},
	} {
		t.Run(tt.args, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestMainExitStatus$")
			cmd.Env = append(os.Environ(), "CLI_TEST_MAIN_ARGS="+tt.args)
			if tt.fail {
				cmd.Env = append(cmd.Env, "CLI_TEST_MAIN_FAIL=1")
			}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.code || !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("exit %d, want %d; stderr %q, want it to contain %q", code, tt.code, stderr.String(), tt.stderr)
			}
			if tt.args == "spec" && !tt.fail && !strings.Contains(stdout.String(), `"title": "Greeter"`) {
				t.Errorf("spec printed %q", stdout.String())
			}
		})
	}
}
