package roux

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// TestGOMAXPROCSFollowsTheDefault runs each case in a process of its
// own (GOMAXPROCS is the process's): TestProcsChild, with the case in
// ROUX_PROCS_CASE.
func TestGOMAXPROCSFollowsTheDefault(t *testing.T) {
	t.Parallel()
	if runtime.NumCPU() < 2 {
		t.Skip("the cases need two CPUs")
	}
	for _, tt := range []struct {
		name string
		env  []string
	}{
		{"default", nil},
		{"fixed workers", nil},
		{"environment", []string{"GOMAXPROCS=1"}},
		{"set by the program", nil},
		{"fewer CPUs", nil},
		{"keep", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestProcsChild$", "-test.v")
			cmd.Env = append(withoutGOMAXPROCS(os.Environ()), "ROUX_PROCS_CASE="+tt.name)
			cmd.Env = append(cmd.Env, tt.env...)
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "--- PASS: TestProcsChild") {
				t.Errorf("%v\n%s", err, out)
			}
		})
	}
}

func withoutGOMAXPROCS(env []string) []string {
	var out []string
	for _, kv := range env {
		if len(kv) < 11 || kv[:11] != "GOMAXPROCS=" {
			out = append(out, kv)
		}
	}
	return out
}

// TestProcsChild is one case of TestGOMAXPROCSFollowsTheDefault.
func TestProcsChild(t *testing.T) {
	c := os.Getenv("ROUX_PROCS_CASE")
	if c == "" {
		t.Skip("run by TestGOMAXPROCSFollowsTheDefault")
	}
	procs.interval, procs.hold = 10*time.Millisecond, 10*time.Millisecond
	def := runtime.GOMAXPROCS(0) // no pool yet: the runtime's default
	newAPI := func(cfg CPUConfig) *API {
		a := New(Config{CPU: cfg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		Get(a, "/w", func(ctx context.Context, in *struct{}) (*struct{}, error) { return nil, nil }, CPUBound())
		return a
	}
	check := func(what string, a *API, wantWorkers, wantProcs int) {
		t.Helper()
		// The watcher may be between its two calls: poll.
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
			workers, procs := int(a.cpu.size.Load()), runtime.GOMAXPROCS(0)
			if workers == wantWorkers && procs == wantProcs {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: got %d workers with GOMAXPROCS %d, want %d with %d", what, workers, procs, wantWorkers, wantProcs)
			}
		}
	}
	// busy runs a job on a's pool until release is called.
	busy := func(a *API) (release func()) {
		hold, done := make(chan struct{}), make(chan struct{})
		go func() {
			a.cpu.run(context.Background(), func() { <-hold })
			close(done)
		}()
		return func() { close(hold); <-done }
	}
	shutdown := func(a *API) {
		t.Helper()
		if err := a.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	switch c {
	case "default":
		a := newAPI(CPUConfig{})
		check("an idle pool: no spare P", a, def, def)
		release := busy(a)
		check("a pool at work", a, def, def+1)
		time.Sleep(50 * time.Millisecond) // several re-reads
		check("after re-reads", a, def, def+1)
		b := newAPI(CPUConfig{})
		check("a second pool", b, def, def+1)
		shutdown(b)
		check("the first, once the second stopped", a, def, def+1)
		release()
		check("the pool idle again", a, def, def)
		shutdown(a)
		check("stopped", a, 0, def)
		a.cpu.run(context.Background(), func() {})
		check("served again, and idle", a, def, def)
		release = busy(a)
		check("at work again", a, def, def+1)
		release()
		shutdown(a)
		check("stopped again", a, 0, def)
	case "fixed workers":
		a := newAPI(CPUConfig{})
		b := newAPI(CPUConfig{Workers: def + 2})
		check("a pool of default+2 workers, idle", b, def+2, def)
		release := busy(b)
		check("at work", b, def+2, def+3)
		check("beside it, one that follows the default", a, def, def+3)
		release()
		shutdown(b)
		check("once it stopped", a, def, def)
		release = busy(a)
		check("the other at work", a, def, def+1)
		release()
		shutdown(a)
		check("both stopped", a, 0, def)
	case "environment":
		if def != 1 {
			t.Fatalf("GOMAXPROCS=1 in the environment, but GOMAXPROCS is %d", def)
		}
		// A default of one P: the spare P is the second, and stays.
		a := newAPI(CPUConfig{})
		check("an idle pool", a, 1, 2)
		release := busy(a)
		check("a pool at work", a, 1, 2)
		time.Sleep(50 * time.Millisecond)
		check("after re-reads", a, 1, 2)
		release()
		time.Sleep(50 * time.Millisecond) // several holds
		check("idle again", a, 1, 2)
		shutdown(a)
		check("stopped", a, 0, 1)
	case "set by the program":
		a := newAPI(CPUConfig{})
		release := busy(a)
		check("a pool at work", a, def, def+1)
		runtime.GOMAXPROCS(def + 3)
		time.Sleep(50 * time.Millisecond)
		// The pool keeps a spare P within the program's setting, up to
		// the CPUs there are.
		workers := min(def+2, max(def, runtime.NumCPU()))
		check("after the program set it", a, workers, def+3)
		release()
		time.Sleep(50 * time.Millisecond) // several holds
		check("idle: still the program's", a, workers, def+3)
		shutdown(a)
		check("stopped", a, 0, def+3)
	case "fewer CPUs":
		a := newAPI(CPUConfig{})
		release := busy(a)
		check("a pool at work", a, def, def+1)
		onOneCPU(t)
		check("on one CPU", a, 1, 2)
		release()
		time.Sleep(50 * time.Millisecond) // several holds
		check("idle, on one CPU: the second P stays", a, 1, 2)
		onTwoCPUs(t)
		check("on two CPUs again, idle: no spare P", a, 2, 2)
		release = busy(a)
		check("on two CPUs, at work", a, 2, 3)
		release()
		check("on two CPUs, idle again", a, 2, 2)
		onOneCPU(t)
		check("on one CPU again", a, 1, 2)
		shutdown(a)
		check("stopped", a, 0, 1)
	case "keep":
		a := newAPI(CPUConfig{KeepGOMAXPROCS: true})
		check("a pool that keeps GOMAXPROCS", a, def, def)
		release := busy(a)
		check("at work", a, def, def)
		release()
		shutdown(a)
		check("stopped", a, 0, def)
	default:
		t.Fatalf("unknown case %q", c)
	}
}

// onOneCPU confines every thread of the process to CPU 0, as a
// container whose CPU set shrinks would.
func onOneCPU(t *testing.T) {
	t.Helper()
	onCPUs(t, 1)
}

// onTwoCPUs lets every thread of the process run on CPUs 0 and 1.
func onTwoCPUs(t *testing.T) {
	t.Helper()
	onCPUs(t, 3)
}

// onCPUs sets every thread's CPU mask to mask's bits.
func onCPUs(t *testing.T, bits uint64) {
	t.Helper()
	tasks, err := filepath.Glob("/proc/self/task/*")
	if err != nil {
		t.Fatal(err)
	}
	mask := [16]uint64{bits}
	for _, task := range tasks {
		tid, _ := strconv.Atoi(filepath.Base(task))
		if _, _, errno := syscall.RawSyscall(syscall.SYS_SCHED_SETAFFINITY, uintptr(tid), unsafe.Sizeof(mask), uintptr(unsafe.Pointer(&mask))); errno != 0 && errno != syscall.ESRCH {
			t.Fatalf("sched_setaffinity(%d): %v", tid, errno)
		}
	}
}

// BenchmarkRereadGOMAXPROCS is the cost of one re-read of the runtime's
// default while a pool runs: two stop-the-world pauses.
func BenchmarkRereadGOMAXPROCS(b *testing.B) {
	b.ReportAllocs()
	defer runtime.SetDefaultGOMAXPROCS()
	for b.Loop() {
		runtime.SetDefaultGOMAXPROCS()
		runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + 1)
	}
}
