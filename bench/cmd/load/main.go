// Command load is the loopback load driver. For each stack it starts the
// server as a subprocess on 127.0.0.1, checks it with the conformance
// cases, then runs wrk (bounded: -d, -c, -t) per endpoint, reading the
// server's CPU time (utime+stime of the process and its children, from
// /proc) before and after, and prints a Markdown table with requests per
// second and requests per server CPU-second, as ratios to the first floor
// run. The floor runs again at the end to expose drift.
//
//	go run ./cmd/load                      # throughput table
//	go run ./cmd/load -mode memory         # RSS after start and with 1,000 idle keep-alive connections
//
// Run it from bench/. Python stacks need Debian's python3-fastapi,
// python3-uvicorn, python3-falcon and gunicorn; wrk is Debian's wrk.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/roux-go/roux/bench/conformance"
)

const clkTck = 100 // sysconf(_SC_CLK_TCK) on Linux

var (
	stacksFlag = flag.String("stacks", "floor,roux,huma,gin,echo,fuego,fiber,fastapi,falcon,floor", "stacks in run order (floor first; repeat it last to expose drift)")
	epFlag     = flag.String("endpoints", "json,get,post", "endpoints")
	dur        = flag.Duration("d", 5*time.Second, "wrk duration per endpoint (bounded)")
	warm       = flag.Duration("warm", 1*time.Second, "unmeasured warm-up per endpoint")
	conns      = flag.Int("c", 32, "wrk connections")
	threads    = flag.Int("t", 1, "wrk threads")
	mode       = flag.String("mode", "load", "load or memory")
	idle       = flag.Int("idle", 1000, "idle keep-alive connections in memory mode")
	serverBin  = flag.String("server", "", "prebuilt cmd/server binary (default: go build it)")
	rounds     = flag.Int("rounds", 1, "run the whole stack list this many times; the table shows medians")
)

type endpoint struct{ name, path, body string }

var endpoints = map[string]endpoint{
	"json": {"json", "/json", ""},
	"get":  {"get", "/items/42?q=abc&limit=5", ""},
	"post": {"post", "/items", `{"name":"Widget","price":9.5,"tags":["a","b"]}`},
}

type result struct {
	round          int
	stack, ep      string
	rps, cpu, perS float64
	reqs           int64
	p50, p99       string
	errs           string
}

func main() {
	log.SetFlags(0)
	flag.Parse()
	if *dur > 30*time.Second || *conns > 2000 {
		log.Fatal("load: keep runs bounded: -d <= 30s, -c <= 2000")
	}
	tmp, err := os.MkdirTemp("", "roux-load")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	if *serverBin == "" {
		*serverBin = filepath.Join(tmp, "server")
		build := exec.Command("go", "build", "-o", *serverBin, "./cmd/server")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			log.Fatalf("load: building the server: %v", err)
		}
	}
	switch *mode {
	case "load":
		runLoad(tmp)
	case "memory":
		runMemory()
	default:
		log.Fatalf("load: unknown mode %q", *mode)
	}
}

// server is one running stack.
type server struct {
	name string
	cmd  *exec.Cmd
	base string
}

func freePort() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func start(name string) (*server, error) {
	port := freePort()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	var cmd *exec.Cmd
	switch name {
	case "fastapi":
		cmd = exec.Command("/usr/bin/python3", "-m", "uvicorn", "fastapi_app:app", "--workers", "2",
			"--host", "127.0.0.1", "--port", strconv.Itoa(port), "--log-level", "warning", "--no-access-log")
		cmd.Dir = "stacks/python"
	case "falcon":
		cmd = exec.Command("/usr/bin/python3", "-m", "gunicorn", "-w", "2", "-b", addr, "--log-level", "warning", "falcon_app:app")
		cmd.Dir = "stacks/python"
	default:
		cmd = exec.Command(*serverBin, "-stack", name, "-addr", addr)
	}
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{name: name, cmd: cmd, base: "http://" + addr}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.base + "/json")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if name == "fastapi" || name == "falcon" {
				time.Sleep(2 * time.Second) // let every worker boot
			}
			return s, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.stop()
	return nil, fmt.Errorf("%s did not answer on %s", name, addr)
}

// stop ends the server's process group (the server and its workers),
// which this program started, by its id.
func (s *server) stop() {
	syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
}

// tree returns the pid of the server and of all its descendants.
func (s *server) tree() []int {
	parent := map[int][]int{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		f := statFields(pid)
		if len(f) > 2 {
			pp, _ := strconv.Atoi(f[1])
			parent[pp] = append(parent[pp], pid)
		}
	}
	out := []int{s.cmd.Process.Pid}
	for i := 0; i < len(out); i++ {
		out = append(out, parent[out[i]]...)
	}
	return out
}

// statFields returns the fields of /proc/pid/stat after the command
// name: [0] is state (field 3), so field n is at index n-3.
func statFields(pid int) []string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil
	}
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(string(b[i+1:]))
}

// cpuTicks is utime+stime (fields 14, 15) summed over the server's
// process tree.
func (s *server) cpuTicks() int64 {
	var t int64
	for _, pid := range s.tree() {
		f := statFields(pid)
		if len(f) > 13 {
			u, _ := strconv.ParseInt(f[11], 10, 64)
			k, _ := strconv.ParseInt(f[12], 10, 64)
			t += u + k
		}
	}
	return t
}

// rssKiB is VmRSS summed over the server's process tree.
func (s *server) rssKiB() int64 {
	var t int64
	for _, pid := range s.tree() {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "VmRSS:") {
				f := strings.Fields(l)
				n, _ := strconv.ParseInt(f[1], 10, 64)
				t += n
			}
		}
	}
	return t
}

var (
	reRPS   = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	reReqs  = regexp.MustCompile(`(\d+) requests in`)
	reP50   = regexp.MustCompile(`\n\s+50%\s+(\S+)`)
	reP99   = regexp.MustCompile(`\n\s+99%\s+(\S+)`)
	reNon2x = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	reSock  = regexp.MustCompile(`Socket errors: .*`)
)

func wrk(tmp string, s *server, ep endpoint, d time.Duration) (string, error) {
	args := []string{"-t", strconv.Itoa(*threads), "-c", strconv.Itoa(*conns), "-d", d.String(), "--latency", "--timeout", "5s"}
	if ep.body != "" {
		script := filepath.Join(tmp, "post.lua")
		lua := fmt.Sprintf("wrk.method = \"POST\"\nwrk.body = '%s'\nwrk.headers[\"Content-Type\"] = \"application/json\"\n", ep.body)
		if err := os.WriteFile(script, []byte(lua), 0o644); err != nil {
			return "", err
		}
		args = append(args, "-s", script)
	}
	args = append(args, s.base+ep.path)
	out, err := exec.Command("wrk", args...).CombinedOutput()
	return string(out), err
}

func measure(tmp string, s *server, ep endpoint) (result, error) {
	r := result{stack: s.name, ep: ep.name}
	if *warm > 0 {
		if out, err := wrk(tmp, s, ep, *warm); err != nil {
			return r, fmt.Errorf("wrk: %v: %s", err, out)
		}
	}
	before := s.cpuTicks()
	out, err := wrk(tmp, s, ep, *dur)
	if err != nil {
		return r, fmt.Errorf("wrk: %v: %s", err, out)
	}
	r.cpu = float64(s.cpuTicks()-before) / clkTck
	if m := reRPS.FindStringSubmatch(out); m != nil {
		r.rps, _ = strconv.ParseFloat(m[1], 64)
	}
	if m := reReqs.FindStringSubmatch(out); m != nil {
		r.reqs, _ = strconv.ParseInt(m[1], 10, 64)
	}
	if m := reP50.FindStringSubmatch(out); m != nil {
		r.p50 = m[1]
	}
	if m := reP99.FindStringSubmatch(out); m != nil {
		r.p99 = m[1]
	}
	if m := reNon2x.FindStringSubmatch(out); m != nil {
		r.errs = "non-2xx " + m[1]
	}
	if m := reSock.FindString(out); m != "" {
		r.errs = strings.TrimSpace(r.errs + " " + m)
	}
	if r.cpu > 0 {
		r.perS = float64(r.reqs) / r.cpu
	}
	return r, nil
}

func runLoad(tmp string) {
	var eps []endpoint
	for _, n := range strings.Split(*epFlag, ",") {
		ep, ok := endpoints[n]
		if !ok {
			log.Fatalf("load: unknown endpoint %q", n)
		}
		eps = append(eps, ep)
	}
	var results []result
	client := &http.Client{Timeout: 10 * time.Second}
	if *rounds < 1 || *rounds > 5 {
		log.Fatal("load: -rounds must be 1..5")
	}
	for round := 1; round <= *rounds; round++ {
		results = append(results, runRound(tmp, round, eps, client)...)
	}
	printTable(results, eps)
}

func runRound(tmp string, round int, eps []endpoint, client *http.Client) []result {
	var results []result
	for _, name := range strings.Split(*stacksFlag, ",") {
		s, err := start(name)
		if err != nil {
			log.Printf("load: %v; skipped", err)
			continue
		}
		if errs := conformance.Check(client, s.base); len(errs) > 0 {
			for _, e := range errs {
				log.Printf("load: %s fails conformance: %v", name, e)
			}
			log.Printf("load: %s not measured", name)
			s.stop()
			continue
		}
		client.CloseIdleConnections()
		log.Printf("load: %s passes conformance (%d cases)", name, len(conformance.Cases))
		for _, ep := range eps {
			r, err := measure(tmp, s, ep)
			if err != nil {
				log.Printf("load: %s %s: %v", name, ep.name, err)
				continue
			}
			r.round = round
			log.Printf("load: round %d %-8s %-5s %9.0f req/s  %9.0f req/CPU-s  p50 %s p99 %s %s", round, name, ep.name, r.rps, r.perS, r.p50, r.p99, r.errs)
			results = append(results, r)
		}
		s.stop()
	}
	return results
}

// printTable prints, per stack and endpoint, medians over the rounds.
// Ratios are taken within a round (to that round's first floor run) and
// then their median is shown, so drift between rounds cancels. The floor
// run at the end of each round is listed as "floor (last)".
func printTable(results []result, eps []endpoint) {
	fmt.Printf("wrk -t %d -c %d -d %s per endpoint (after %s warm-up), server on 127.0.0.1, %d round(s); medians over rounds, ratios to the round's first floor run\n\n", *threads, *conns, *dur, *warm, *rounds)
	fmt.Println("| stack | endpoint | req/s | p50 | p99 | req/server-CPU-s | req/s ÷ floor | req/CPU-s ÷ floor | errors |")
	fmt.Println("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
	type key struct {
		round int
		ep    string
	}
	floor := map[key]result{}
	type row struct {
		rps, perS, rr, rc []float64
		p50, p99          []string
		errs              string
	}
	rows := map[string]*row{}
	var order []string
	seen := map[string]bool{}
	for _, r := range results {
		name := r.stack
		if r.stack == "floor" {
			if _, ok := floor[key{r.round, r.ep}]; ok {
				name = "floor (last)"
			} else {
				floor[key{r.round, r.ep}] = r
			}
		}
		f := floor[key{r.round, r.ep}]
		k := name + "\x00" + r.ep
		if !seen[k] {
			seen[k] = true
			order = append(order, k)
			rows[k] = &row{}
		}
		x := rows[k]
		x.rps = append(x.rps, r.rps)
		x.perS = append(x.perS, r.perS)
		x.rr = append(x.rr, r.rps/f.rps)
		x.rc = append(x.rc, r.perS/f.perS)
		x.p50 = append(x.p50, r.p50)
		x.p99 = append(x.p99, r.p99)
		if r.errs != "" {
			x.errs = r.errs
		}
	}
	for _, ep := range eps {
		for _, k := range order {
			name, e, _ := strings.Cut(k, "\x00")
			if e != ep.name {
				continue
			}
			x := rows[k]
			fmt.Printf("| %s | %s | %.0f | %s | %s | %.0f | %.2f | %.2f | %s |\n",
				name, e, median(x.rps), strings.Join(x.p50, " "), strings.Join(x.p99, " "), median(x.perS), median(x.rr), median(x.rc), x.errs)
		}
	}
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func runMemory() {
	fmt.Printf("RSS (VmRSS, KiB, summed over the server's processes) after start and with %d idle keep-alive connections, each having served one GET /json\n\n", *idle)
	fmt.Println("| stack | RSS after start (MiB) | RSS with idle conns (MiB) | per connection (KiB) | conns still open |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: |")
	for _, name := range strings.Split(*stacksFlag, ",") {
		s, err := start(name)
		if err != nil {
			log.Printf("load: %v; skipped", err)
			continue
		}
		time.Sleep(500 * time.Millisecond)
		r0 := s.rssKiB()
		host := strings.TrimPrefix(s.base, "http://")
		var cs []net.Conn
		open := 0
		for i := 0; i < *idle; i++ {
			c, err := net.DialTimeout("tcp", host, 5*time.Second)
			if err != nil {
				log.Printf("load: %s: dial %d: %v", name, i, err)
				break
			}
			cs = append(cs, c)
			c.SetDeadline(time.Now().Add(10 * time.Second))
			fmt.Fprintf(c, "GET /json HTTP/1.1\r\nHost: %s\r\n\r\n", host)
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				log.Printf("load: %s: conn %d: %v", name, i, err)
				continue
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			c.SetDeadline(time.Time{})
		}
		time.Sleep(1 * time.Second)
		r1 := s.rssKiB()
		// Count the connections the server kept open: a read that times
		// out means open; EOF means the server closed it.
		for _, c := range cs {
			c.SetReadDeadline(time.Now().Add(time.Millisecond))
			var b [1]byte
			if _, err := c.Read(b[:]); err != nil {
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					open++
				}
			}
		}
		for _, c := range cs {
			c.Close()
		}
		per := 0.0
		if len(cs) > 0 {
			per = float64(r1-r0) / float64(len(cs))
		}
		fmt.Printf("| %s | %.1f | %.1f | %.1f | %d |\n", name, float64(r0)/1024, float64(r1)/1024, per, open)
		s.stop()
	}
}
