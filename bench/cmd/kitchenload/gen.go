//go:build linux

package main

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"syscall"
	"time"
)

// target is a request the generator sends.
type target struct {
	method, path string
	body         string
	header       http.Header
}

// demoToken is the token of the demo customer a demo kitchen seeds.
const demoToken = "demo-customer-token"

var targets = map[string]target{
	"dishes": {method: "GET", path: "/dishes"},
	"livez":  {method: "GET", path: "/livez"}, // the cheapest operation: what a request costs the server at least
	"orders": {method: "POST", path: "/orders", body: `{"items":[{"dish_id":1,"quantity":1}]}`,
		header: http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + demoToken}}},
}

// wire returns t's request as sent to host.
func (t target) wire(host string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", t.method, t.path, host)
	for _, k := range slices.Sorted(maps.Keys(t.header)) {
		fmt.Fprintf(&b, "%s: %s\r\n", k, t.header.Get(k))
	}
	if t.body != "" {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(t.body))
	}
	b.WriteString("\r\n" + t.body)
	return []byte(b.String())
}

// kind is what became of a request.
type kind int

const (
	ok       kind = iota // 2xx
	shed                 // 503 from the load shedder
	connCap              // 503 from the connection cap
	cpuPool              // 503 from the CPU pool
	refused              // another 503
	failed               // another status
	timedOut             // no answer within the client timeout
	broken               // a transport error: reset, EOF, refused dial
	numKinds
)

// sample is one request.
type sample struct {
	kind     kind
	latency  time.Duration // from when it was due to its answer
	lag      time.Duration // from when it was due to when it was sent
	measured bool          // due after the warm-up
	// noRetryAfter marks a 503 without Retry-After.
	noRetryAfter bool
}

// classify tells the refusals apart by their problems' details.
func classify(status int, body []byte) kind {
	switch {
	case status >= 200 && status < 300:
		return ok
	case status != http.StatusServiceUnavailable:
		return failed
	case bytes.Contains(body, []byte("too many connections")):
		return connCap
	case bytes.Contains(body, []byte("at capacity")), bytes.Contains(body, []byte("long-lived")):
		return shed
	case bytes.Contains(body, []byte("CPU")):
		return cpuPool
	}
	return refused
}

// openLoop offers t at rate per second for warm+d: request i is due at
// start + i/rate and sent then, on an idle connection or a new one (or,
// with the generator's connections all busy, as soon as one is free),
// whatever became of the others.
func (g *generator) openLoop(t target, rate float64, warm, d time.Duration) result {
	n := int(rate * (warm + d).Seconds())
	samples := make([]sample, n)
	interval := float64(time.Second) / rate
	start := g.now() + int64(10*time.Millisecond)
	measureFrom := start + int64(warm)
	cpu, began := processCPU(), time.Now()
	due := func(i int) int64 { return start + int64(float64(i)*interval) }
	peak := g.run(plan{n: n, due: due}, t.wire(g.host), func(j job, s sample) {
		s.measured = j.due >= measureFrom
		samples[j.i] = s
	})
	r := summarize(samples, d)
	r.rate = rate
	r.generatorCost(processCPU()-cpu, time.Since(began), n)
	r.conns = peak
	return r
}

// closedLoop runs clients that each send t again as soon as the last one
// is answered, for warm+d; the goodput is the capacity.
func (g *generator) closedLoop(t target, clients int, warm, d time.Duration) result {
	measureFrom := g.now() + int64(warm)
	var samples []sample
	cpu, began := processCPU(), time.Now()
	peak := g.run(plan{clients: clients, end: measureFrom + int64(d)}, t.wire(g.host), func(j job, s sample) {
		s.measured = j.due >= measureFrom
		samples = append(samples, s)
	})
	r := summarize(samples, d)
	r.generatorCost(processCPU()-cpu, time.Since(began), len(samples))
	r.conns = peak
	return r
}

// processCPU returns the CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// result sums up a run.
type result struct {
	rate       float64 // offered per second (open loop)
	sent       float64 // measured requests per second
	throughput float64 // 2xx per second
	goodput    float64 // 2xx within goodWithin per second
	p50, p99   time.Duration
	lag99      time.Duration
	counts     [numKinds]int
	server     map[string]int64 // the server's refusal counts during the run
	serverCPU  float64          // the server's CPU use during the run, in cores
	cpuPerReq  time.Duration    // the server's CPU time per answer, warm-up included
	answered   int              // answers, warm-up included
	noRetry    int              // 503s without Retry-After
	genCores   float64          // the generator's CPU use during the run, in cores
	genPerReq  time.Duration    // the generator's CPU time per request, warm-up included
	conns      int              // the connections the generator used (at most)
	// genOthers and serverOthers are the shares of the generator's and
	// the server's cores that other processes used during the run.
	genOthers, serverOthers float64
}

// generatorCost records the generator's CPU time used over elapsed for n
// requests.
func (r *result) generatorCost(used, elapsed time.Duration, n int) {
	r.genCores = float64(used) / float64(elapsed)
	if n > 0 {
		r.genPerReq = used / time.Duration(n)
	}
}

func summarize(samples []sample, d time.Duration) result {
	var r result
	var admitted, lags []time.Duration
	good := 0
	for _, s := range samples {
		if s.kind != timedOut && s.kind != broken {
			r.answered++
		}
		if !s.measured {
			continue
		}
		r.counts[s.kind]++
		if s.noRetryAfter {
			r.noRetry++
		}
		lags = append(lags, s.lag)
		switch s.kind {
		case ok:
			if s.latency <= goodWithin {
				good++
			}
			admitted = append(admitted, s.latency)
		case failed, timedOut:
			admitted = append(admitted, s.latency)
		}
	}
	r.sent = float64(len(lags)) / d.Seconds()
	r.goodput = float64(good) / d.Seconds()
	r.throughput = float64(r.counts[ok]) / d.Seconds()
	r.p50, r.p99 = quantile(admitted, 0.5), quantile(admitted, 0.99)
	r.lag99 = quantile(lags, 0.99)
	return r
}

func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[min(len(ds)-1, int(float64(len(ds))*q))]
}

// keptUp reports whether the generator sent its requests on time: the
// measured rate within 5% of the offered one, and its p99 lag under
// 20 ms.
func (r result) keptUp() bool {
	return r.sent >= 0.95*r.rate && r.lag99 < 20*time.Millisecond
}

func printHeader() {
	fmt.Printf("%-18s %9s %9s %9s %6s %9s %9s %7s %8s %8s %6s %6s %8s %7s %9s %8s %6s %6s %5s %8s  %s\n",
		"run", "offered/s", "sent/s", "goodput/s", "/C", "p50", "p99", "p99/unl", "shed", "conn-cap", "cpu", "other", "timeouts", "errors",
		"lag p99", "gen/req", "gen", "others", "conns", "CPU/ans", "server: CPU (cores); refusals it counted")
}

// print prints r; C and the unloaded p99 scale it when they are known.
func (r result) print(name string, C float64, unloadedP99 time.Duration) {
	ratio := func(a, b float64) string {
		if b == 0 {
			return "-"
		}
		return fmt.Sprintf("%.2f", a/b)
	}
	offered := "-"
	if r.rate > 0 {
		offered = fmt.Sprintf("%.0f", r.rate)
	}
	server := fmt.Sprintf("CPU %.2f, others %.2f", r.serverCPU, r.serverOthers)
	if r.server != nil {
		server += fmt.Sprintf("; shed %d, long-lived %d, conn-cap %d, cpu %d",
			r.server["load_shed"], r.server["long_lived_limit"], r.server["connection_limit"], r.server["cpu_pool"])
	}
	if r.noRetry > 0 {
		server += fmt.Sprintf("; %d 503s WITHOUT Retry-After", r.noRetry)
	}
	fmt.Printf("%-18s %9s %9.0f %9.0f %6s %9v %9v %7s %8d %8d %6d %6d %8d %7d %9v %8v %6.2f %6.2f %5d %8v  %s\n",
		name, offered, r.sent, r.goodput, ratio(r.goodput, C), r.p50.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond),
		ratio(float64(r.p99), float64(unloadedP99)), r.counts[shed], r.counts[connCap], r.counts[cpuPool],
		r.counts[refused]+r.counts[failed], r.counts[timedOut], r.counts[broken], r.lag99.Round(10*time.Microsecond),
		r.genPerReq.Round(100*time.Nanosecond), r.genCores, r.genOthers, r.conns, r.cpuPerReq.Round(100*time.Nanosecond), server)
}
