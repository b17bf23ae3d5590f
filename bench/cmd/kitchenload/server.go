//go:build linux

package main

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// buildKitchen builds the kitchen from ../examples/kitchen (this command
// runs from bench/) into a temporary directory.
func buildKitchen() (bin string, cleanup func(), err error) {
	dir, err := os.MkdirTemp("", "kitchenload-")
	if err != nil {
		return "", nil, err
	}
	bin = filepath.Join(dir, "kitchen")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = filepath.Join("..", "examples", "kitchen")
	// The kitchen builds in the repository's workspace (go.work), which
	// this module stays out of (GOWORK=off).
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GOWORK=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("building the kitchen in %s: %v\n%s", cmd.Dir, err, out)
	}
	return bin, func() { os.RemoveAll(dir) }, nil
}

// kitchen is a kitchen process of this command.
type kitchen struct {
	cmd           *exec.Cmd
	url           string
	dir           string
	done          chan struct{}
	core, genCore int // the cores of the kitchen and of the generator
}

var servingRE = regexp.MustCompile(`msg=serving addr=(http://127\.0\.0\.1:\d+)`)

// startKitchen starts bin pinned to cpu, in demo mode on a fresh SQLite
// database, without its limit on orders per customer (all the orders are
// the demo customer's), and waits until it serves. Its log goes straight to a file in
// its directory: copying it through this process would take the
// generator's CPU.
func startKitchen(bin string, cpu, genCPU int, extra []string) (*kitchen, error) {
	dir, err := os.MkdirTemp("", "kitchenload-data-")
	if err != nil {
		return nil, err
	}
	args := append([]string{bin, "-demo", "-data", filepath.Join(dir, "data"),
		"-addr", "127.0.0.1:0", "-cook-unit", "10ms", "-order-limit", "-1"}, extra...)
	k := &kitchen{cmd: pinnedCommand(cpu, args...), dir: dir, done: make(chan struct{}), core: cpu, genCore: genCPU}
	k.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	logName := filepath.Join(dir, "kitchen.log")
	log, err := os.Create(logName)
	if err != nil {
		return nil, err
	}
	defer log.Close() // the child has its own descriptor
	k.cmd.Stderr = log
	if err := k.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		k.cmd.Wait()
		close(k.done)
	}()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(logName)
		if m := servingRE.FindSubmatch(b); m != nil {
			k.url = string(m[1])
			return k, nil
		}
		select {
		case <-k.done:
			os.RemoveAll(dir)
			return nil, fmt.Errorf("the kitchen exited:\n%s", b)
		default:
		}
	}
	k.stop()
	return nil, fmt.Errorf("the kitchen did not serve within 30s")
}

// cpu returns the CPU time the kitchen has used.
func (k *kitchen) cpu() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", k.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// The fields after the command name, which is in parentheses: utime
	// and stime are the 12th and 13th, in clock ticks (100 a second).
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+s) * 10 * time.Millisecond
}

// stop sends the kitchen SIGTERM, kills it if it has not stopped after
// 20 seconds, and removes its directory.
func (k *kitchen) stop() {
	k.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-k.done:
	case <-time.After(20 * time.Second):
		syscall.Kill(-k.cmd.Process.Pid, syscall.SIGKILL) // its process group: taskset and the kitchen
		<-k.done
	}
	os.RemoveAll(k.dir)
}

// refusals reads the server's refusal counts from /metrics, by reason;
// nil for a server without a URL (the trivial one).
func (k *kitchen) refusals() map[string]int64 {
	if k.url == "" {
		return nil
	}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for range 10 {
		res, err := client.Get(k.url + "/metrics")
		if err != nil || res.StatusCode != 200 {
			if err == nil {
				res.Body.Close()
			}
			time.Sleep(200 * time.Millisecond)
			continue
		}
		got := map[string]int64{}
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line, ok := strings.CutPrefix(sc.Text(), `roux_server_refusals_total{roux_refusal_reason="`)
			if !ok {
				continue
			}
			reason, value, _ := strings.Cut(line, `"} `)
			n, _ := strconv.ParseFloat(value, 64)
			got[reason] = int64(n)
		}
		res.Body.Close()
		return got
	}
	return nil
}

// diff returns after - before, by reason.
func diff(after, before map[string]int64) map[string]int64 {
	if after == nil {
		return nil
	}
	d := map[string]int64{}
	for k, v := range after {
		d[k] = v - before[k]
	}
	return d
}

// coreBusy returns how long core cpu has been busy (/proc/stat: all but
// idle and iowait).
func coreBusy(cpu int) time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	prefix := fmt.Sprintf("cpu%d ", cpu)
	for line := range strings.Lines(string(b)) {
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		var ticks int64
		for i, f := range strings.Fields(line)[1:] {
			if n, err := strconv.ParseInt(f, 10, 64); err == nil && i != 3 && i != 4 && i < 8 { // not idle, iowait, guest
				ticks += n
			}
		}
		return time.Duration(ticks) * 10 * time.Millisecond
	}
	return 0
}
