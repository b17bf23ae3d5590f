package main

import (
	"bufio"
	"fmt"
	"io"
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
	if out, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("building the kitchen in %s: %v\n%s", cmd.Dir, err, out)
	}
	return bin, func() { os.RemoveAll(dir) }, nil
}

// kitchen is a kitchen process of this command.
type kitchen struct {
	cmd  *exec.Cmd
	url  string
	dir  string
	done chan struct{}
}

var servingRE = regexp.MustCompile(`msg=serving addr=(http://127\.0\.0\.1:\d+)`)

// startKitchen starts bin pinned to cpu, in demo mode on a fresh SQLite
// database, and waits until it serves. Its log goes to a file in its
// directory.
func startKitchen(bin string, cpu int, extra []string) (*kitchen, error) {
	dir, err := os.MkdirTemp("", "kitchenload-data-")
	if err != nil {
		return nil, err
	}
	args := append([]string{"-c", strconv.Itoa(cpu), bin, "-demo", "-data", filepath.Join(dir, "data"),
		"-addr", "127.0.0.1:0", "-cook-unit", "10ms"}, extra...)
	k := &kitchen{cmd: exec.Command("taskset", args...), dir: dir, done: make(chan struct{})}
	k.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	log, err := os.Create(filepath.Join(dir, "kitchen.log"))
	if err != nil {
		return nil, err
	}
	stderr, err := k.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := k.cmd.Start(); err != nil {
		return nil, err
	}
	addr := make(chan string, 1)
	go func() {
		defer close(k.done)
		defer log.Close()
		br := bufio.NewReader(stderr)
		for {
			line, err := br.ReadString('\n')
			if m := servingRE.FindStringSubmatch(line); m != nil {
				addr <- m[1]
				io.WriteString(log, line)
				io.Copy(log, br) // the rest, without parsing it
				break
			}
			io.WriteString(log, line)
			if err != nil {
				break
			}
		}
		k.cmd.Wait()
	}()
	select {
	case k.url = <-addr:
		return k, nil
	case <-k.done:
		b, _ := os.ReadFile(filepath.Join(dir, "kitchen.log"))
		os.RemoveAll(dir)
		return nil, fmt.Errorf("the kitchen exited:\n%s", b)
	case <-time.After(30 * time.Second):
		k.stop()
		return nil, fmt.Errorf("the kitchen did not serve within 30s")
	}
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

// refusals reads the server's refusal counts from /metrics, by reason.
func (k *kitchen) refusals() map[string]int64 {
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
