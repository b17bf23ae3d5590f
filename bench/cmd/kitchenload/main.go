//go:build linux

// Command kitchenload measures the kitchen service (examples/kitchen)
// under open-loop overload, as BENCHMARKS.md reports it.
//
// For each endpoint — GET /dishes and POST /orders — it starts a kitchen
// of its own (demo mode, a fresh SQLite database, -cook-unit 10ms,
// -order-limit -1), then:
//
//  1. measures its capacity C: the best 2xx rate of 1, 2, 4 or 8
//     closed-loop keep-alive clients (more would mostly measure the load
//     shedder's refusals; -clients sets the counts, e.g. to measure the
//     throughput against concurrency with -kitchen-args -shed=false);
//  2. measures the unloaded p99 at an open-loop 0.1·C;
//  3. offers an open-loop load of 3·C, then of 4·C, 5·C, 6·C, ... while
//     the generator keeps up with its schedule (the last it keeps up with
//     is "the highest rate the generator reaches").
//
// Open loop: request i is due at start + i/rate whatever became of the
// earlier ones, and its latency is measured from when it was due, so a
// generator that falls behind or a connection that is slow to come adds
// to it (no coordinated omission). Each run reports goodput (2xx within
// 200 ms, per second, and as a share of C), the p50 and p99 of admitted
// requests (every answer that is not a refusal, timeouts counted as the 1 s
// client timeout) against the unloaded p99, the refusals by kind as the
// client saw them (the load shedder's 503, the connection cap's 503, the
// CPU pool's 503) and as the server counted them (/metrics), timeouts
// and errors, the generator's own lag behind its schedule and CPU per
// request, and what other processes took of either core.
//
// The server and the generator run on separate cores: the kitchen under
// taskset -c SERVER_CPU (Go then sizes GOMAXPROCS to 1), the generator
// re-executes itself under taskset -c LOAD_CPU. Run it from bench/ with
// GOWORK=off:
//
//	go run ./cmd/kitchenload -nice -10   # as BENCHMARKS.md: both ahead of other work on their cores (root)
//	go run ./cmd/kitchenload -kitchen-args '-shed=false -max-conns=0'   # without the protections
//	go run ./cmd/kitchenload -costs   # server CPU per request: the refusal floor (net/http alone), refused, GET /livez, GET /dishes
//	go run ./cmd/kitchenload -conns 256   # clients behind a pool of 256 connections (as wrk2 keeps)
//	go run ./cmd/kitchenload -generator-cost   # the generator's CPU per request, against a trivial server
//
// The generator is an HTTP/1.1 client of its own (loop.go, response.go):
// one event loop (epoll) over non-blocking keep-alive connections to
// 127.0.0.1, each request written from prepared bytes and its response
// parsed in place, allocating nothing per request: an idle connection
// takes a request when it is due, else a new one while fewer than -conns
// are open, else it waits for the first free one. Every run prints what
// it cost the generator's core (gen/req, gen); -generator-cost measures
// how far it reaches against a trivial server. Linux only.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

// goodWithin is the latency under which a 2xx counts as goodput.
const goodWithin = 200 * time.Millisecond

type config struct {
	kitchen      string
	serverCPU    int
	loadCPU      int
	d, warm      time.Duration
	timeout      time.Duration
	endpoints    []string
	kitchenArgs  []string
	maxFactor    float64
	conns        int
	rates        []float64 // -generator-cost's
	costRates    []float64 // -costs' open loops
	refusalFloor bool      // -costs measures the refusal floor
	tick         time.Duration
	clients      []int // the closed loops that measure C
}

func main() {
	var c config
	var endpoints, kitchenArgs string
	flag.StringVar(&c.kitchen, "kitchen", "", "the kitchen binary (default: built from ../examples/kitchen)")
	flag.IntVar(&c.serverCPU, "server-cpu", 0, "the core the kitchen runs on (taskset -c)")
	flag.IntVar(&c.loadCPU, "load-cpu", 1, "the core the generator runs on (taskset -c); -1 leaves it unpinned")
	flag.DurationVar(&c.d, "d", 5*time.Second, "measured duration of each run")
	flag.DurationVar(&c.warm, "warm", time.Second, "unmeasured start of each run")
	flag.DurationVar(&c.timeout, "timeout", time.Second, "client timeout of a request")
	flag.StringVar(&endpoints, "endpoints", "dishes,orders", "endpoints to measure: dishes (GET /dishes), orders (POST /orders)")
	flag.StringVar(&kitchenArgs, "kitchen-args", "", "more flags for the kitchen, space-separated (e.g. '-shed=false -max-conns=0')")
	flag.Float64Var(&c.maxFactor, "max-factor", 40, "the ramp above 3·C stops at this multiple of C")
	flag.DurationVar(&c.tick, "tick", 200*time.Microsecond, "the generator sends the requests due within this of each other together (fewer wake-ups of its core, each up to this late)")
	flag.IntVar(&niceness, "nice", 0, "run the kitchen and the generator at this nice value (e.g. -10, as root: ahead of other processes on their cores)")
	flag.IntVar(&c.conns, "conns", defaultConns, "the most connections the generator opens; a request finds one free or waits for one, its latency counted from when it was due")
	costs := flag.Bool("costs", false, "measure instead what a refused request, GET /livez and GET /dishes cost the server (after the refusal floor: -refusal-floor)")
	genCost := flag.Bool("generator-cost", false, "measure instead what the generator costs per request, against a trivial server on the server's core")
	clients := flag.String("clients", "1,2,4,8", "the closed-loop client counts whose best 2xx rate is C (more than the load shedder admits would measure its refusals)")
	flag.BoolVar(&c.refusalFloor, "refusal-floor", true, "with -costs, measure first the refusal floor: a net/http server that only refuses (floor.go)")
	costRates := flag.String("cost-rates", "20000", "the open-loop rates at which -costs measures refusals, per second (comma-separated; empty: none)")
	rates := flag.String("rates", "5000,10000,15000,20000,30000,40000,50000,60000,80000,100000", "the rates -generator-cost offers, per second")
	flag.Parse()
	c.rates = parseRates("-rates", *rates)
	c.costRates = parseRates("-cost-rates", *costRates)
	for _, f := range strings.Split(*clients, ",") {
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			fmt.Fprintf(os.Stderr, "kitchenload: -clients: %q is not a client count\n", f)
			os.Exit(2)
		}
		c.clients = append(c.clients, n)
	}
	if settings := os.Getenv(floorEnv); settings != "" {
		if err := serveFloor(settings); err != nil {
			fmt.Fprintln(os.Stderr, "kitchenload: refusal floor:", err)
			os.Exit(1)
		}
	}
	if os.Getenv(trivialEnv) != "" {
		if err := serveTrivial(); err != nil {
			fmt.Fprintln(os.Stderr, "kitchenload: trivial server:", err)
			os.Exit(1)
		}
	}
	c.endpoints = strings.Split(endpoints, ",")
	c.kitchenArgs = strings.Fields(kitchenArgs)

	if c.loadCPU >= 0 && os.Getenv("KITCHENLOAD_PINNED") == "" {
		os.Exit(pinned(c.loadCPU))
	}
	// The generator's heap is mostly its samples and connections; fewer
	// collections leave more of its core for sending.
	debug.SetGCPercent(400)
	if *genCost {
		fmt.Printf("generator: CPU %d (GOMAXPROCS %d), at most %d connections, tick %v; trivial server: CPU %d; nice %d; %v runs after %v of warm-up\n",
			c.loadCPU, runtime.GOMAXPROCS(0), c.conns, c.tick, c.serverCPU, niceness, c.d, c.warm)
		if err := generatorCost(c); err != nil {
			fmt.Fprintln(os.Stderr, "kitchenload:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(c, *costs); err != nil {
		fmt.Fprintln(os.Stderr, "kitchenload:", err)
		os.Exit(1)
	}
}

// parseRates parses flag's value s, rates per second separated by commas.
func parseRates(flag, s string) []float64 {
	var rates []float64
	for _, f := range strings.Split(s, ",") {
		if f == "" {
			continue
		}
		r, err := strconv.ParseFloat(f, 64)
		if err != nil || r <= 0 {
			fmt.Fprintf(os.Stderr, "kitchenload: %s: %q is not a rate\n", flag, f)
			os.Exit(2)
		}
		rates = append(rates, r)
	}
	return rates
}

// niceness is the nice value of the kitchen's and the generator's
// processes (-nice).
var niceness int

// pinnedCommand returns the command that runs args on core cpu (taskset),
// at niceness when it is not 0 (nice): the whole process, every thread
// it starts.
func pinnedCommand(cpu int, args ...string) *exec.Cmd {
	args = append([]string{"taskset", "-c", strconv.Itoa(cpu)}, args...)
	if niceness != 0 {
		args = append([]string{"nice", "-n", strconv.Itoa(niceness)}, args...)
	}
	return exec.Command(args[0], args[1:]...)
}

// pinned runs this command again under taskset -c cpu and returns its
// exit status.
func pinned(cpu int) int {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "kitchenload:", err)
		return 1
	}
	cmd := pinnedCommand(cpu, append([]string{self}, os.Args[1:]...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), "KITCHENLOAD_PINNED=1")
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		fmt.Fprintln(os.Stderr, "kitchenload: taskset:", err)
		return 1
	}
	return 0
}

func run(c config, costs bool) error {
	if c.kitchen == "" {
		bin, cleanup, err := buildKitchen()
		if err != nil {
			return err
		}
		defer cleanup()
		c.kitchen = bin
	}
	fmt.Printf("generator: CPU %d (GOMAXPROCS %d), at most %d connections, tick %v; kitchen: CPU %d; nice %d; %v runs after %v of warm-up; kitchen flags: -demo -cook-unit 10ms -order-limit -1 %s; load average %s\n",
		c.loadCPU, runtime.GOMAXPROCS(0), c.conns, c.tick, c.serverCPU, niceness, c.d, c.warm, strings.Join(c.kitchenArgs, " "), loadAverage())
	if costs {
		return shedCost(c, c.costRates)
	}
	for _, name := range c.endpoints {
		t, ok := targets[name]
		if !ok {
			return fmt.Errorf("unknown endpoint %q: want dishes or orders", name)
		}
		if err := measureEndpoint(c, t); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// measureEndpoint runs the whole sequence against a fresh kitchen.
func measureEndpoint(c config, t target) error {
	srv, err := startKitchen(c.kitchen, c.serverCPU, c.loadCPU, c.kitchenArgs)
	if err != nil {
		return err
	}
	defer srv.stop()
	g, err := c.generator(srv.url)
	if err != nil {
		return err
	}
	defer g.close()
	defer func() {
		for err, n := range g.errs {
			fmt.Printf("  transport error %d×: %s\n", n, err)
		}
	}()

	fmt.Printf("\n%s %s (load average %s)\n", t.method, t.path, loadAverage())
	printHeader()
	// C: the best 2xx rate of 1, 2, 4 or 8 closed-loop clients (-clients).
	// More clients than the load shedder admits would measure its
	// refusals.
	var C float64
	for _, clients := range c.clients {
		r := measured(srv, func() result { return g.closedLoop(t, clients, c.warm/2, c.d/2) })
		r.print(fmt.Sprintf("closed loop, %d", clients), 0, 0)
		C = max(C, r.throughput)
	}
	fmt.Printf("%-18s %9s %9s %9.0f\n", "C", "", "", C)
	if C < 1 {
		return fmt.Errorf("capacity %.1f/s: nothing to measure", C)
	}
	// open runs the open loop at rate with the server's counts of it.
	open := func(rate float64) result {
		pause()
		return measured(srv, func() result { return g.openLoop(t, rate, c.warm, c.d) })
	}
	unloaded := open(0.1 * C)
	unloaded.print("0.1·C", C, 0)
	base := unloaded.p99
	for _, f := range ramp(c.maxFactor) {
		r := open(f * C)
		r.print(fmt.Sprintf("%g·C", f), C, base)
		if f > 3 && !r.keptUp() {
			fmt.Printf("  the generator fell behind its schedule at %g·C: the rate before is the highest it reaches\n", f)
			break
		}
	}
	fmt.Printf("  load average after: %s\n", loadAverage())
	return nil
}

// measured runs run with the server's CPU time and refusal counts of it.
func measured(srv *kitchen, run func() result) result {
	before, cpu, start := srv.refusals(), srv.cpu(), time.Now()
	gen, genCore, srvCore := processCPU(), coreBusy(srv.genCore), coreBusy(srv.core)
	r := run()
	elapsed := float64(time.Since(start))
	used := srv.cpu() - cpu
	r.serverCPU = float64(used) / elapsed
	// What else used the two cores: other processes, and the kernel's
	// work not charged to ours.
	r.genOthers = max(0, float64(coreBusy(srv.genCore)-genCore-(processCPU()-gen))/elapsed)
	r.serverOthers = max(0, float64(coreBusy(srv.core)-srvCore-used)/elapsed)
	if r.answered > 0 {
		r.cpuPerReq = used / time.Duration(r.answered)
	}
	r.server = diff(srv.refusals(), before)
	return r
}

// ramp returns the multiples of C offered: 3, then more while below max.
func ramp(max float64) []float64 {
	fs := []float64{3}
	for _, f := range []float64{4, 5, 6, 8, 10, 15, 20, 30, 40} {
		if f <= max {
			fs = append(fs, f)
		}
	}
	return fs
}

// pause lets the server settle between runs: requests still in flight
// end, the load shedder's limit recovers.
func pause() { time.Sleep(2 * time.Second) }

// loadAverage returns the machine's load averages over 1, 5 and 15
// minutes, as /proc/loadavg has them.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}
