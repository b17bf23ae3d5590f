package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
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
}

// generator sends requests to one server over keep-alive connections,
// at most as many as newGenerator was given.
type generator struct {
	host    string
	conns   *pool
	timeout time.Duration
	errMu   sync.Mutex
	errs    map[string]int // a few transport errors, for the report
}

// defaultConns is the most connections a generator opens by default:
// more than a kitchen accepts (-max-conns, 4096), as a crowd of clients
// would open.
const defaultConns = 16384

func newGenerator(base string, conns int, timeout time.Duration) *generator {
	host := strings.TrimPrefix(base, "http://")
	return &generator{host: host, conns: newPool(host, conns), timeout: timeout, errs: map[string]int{}}
}

func (g *generator) close() { g.conns.close() }

// do sends req, due at due, and says what became of it.
func (g *generator) do(req []byte, due time.Time) sample {
	sent := time.Now()
	s := sample{lag: sent.Sub(due)}
	status, body, err := g.conns.roundTrip(req, sent.Add(g.timeout))
	s.latency = time.Since(due)
	var ne net.Error
	switch {
	case err == nil:
		s.kind = classify(status, body)
	case errors.As(err, &ne) && ne.Timeout():
		s.kind = timedOut
	default:
		s.kind = broken
		g.errMu.Lock()
		if len(g.errs) < 20 {
			g.errs[err.Error()]++
		}
		g.errMu.Unlock()
	}
	return s
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
// start + i/rate, sent then (or as soon as the generator can), whatever
// became of the others.
func (g *generator) openLoop(t target, rate float64, warm, d time.Duration) result {
	n := int(rate * (warm + d).Seconds())
	samples := make([]sample, n)
	interval := time.Duration(float64(time.Second) / rate)
	start := time.Now().Add(10 * time.Millisecond)
	measureFrom := start.Add(warm)
	req := t.wire(g.host)
	var wg sync.WaitGroup
	for i := range n {
		due := start.Add(time.Duration(i) * interval)
		if wait := time.Until(due); wait > 0 {
			time.Sleep(wait)
		}
		wg.Go(func() {
			s := g.do(req, due)
			s.measured = !due.Before(measureFrom)
			samples[i] = s
		})
	}
	wg.Wait()
	r := summarize(samples, d)
	r.rate = rate
	return r
}

// closedLoop runs clients that each send t again as soon as the last one
// is answered, for warm+d; the goodput is the capacity.
func (g *generator) closedLoop(t target, clients int, warm, d time.Duration) result {
	start := time.Now()
	measureFrom, end := start.Add(warm), start.Add(warm+d)
	per := make([][]sample, clients)
	req := t.wire(g.host)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for due := time.Now(); due.Before(end); due = time.Now() {
				s := g.do(req, due)
				s.measured = !due.Before(measureFrom)
				per[c] = append(per[c], s)
			}
		})
	}
	wg.Wait()
	return summarize(slices.Concat(per...), d)
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
	fmt.Printf("%-18s %9s %9s %9s %6s %9s %9s %7s %8s %8s %6s %6s %8s %7s %10s %8s  %s\n",
		"run", "offered/s", "sent/s", "goodput/s", "/C", "p50", "p99", "p99/unl", "shed", "conn-cap", "cpu", "other", "timeouts", "errors", "lag p99", "CPU/ans", "server: CPU (cores); refusals it counted")
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
	server := "-"
	if r.server != nil {
		server = fmt.Sprintf("CPU %.2f; shed %d, long-lived %d, conn-cap %d, cpu %d", r.serverCPU,
			r.server["load_shed"], r.server["long_lived_limit"], r.server["connection_limit"], r.server["cpu_pool"])
	}
	fmt.Printf("%-18s %9s %9.0f %9.0f %6s %9v %9v %7s %8d %8d %6d %6d %8d %7d %10v %8v  %s\n",
		name, offered, r.sent, r.goodput, ratio(r.goodput, C), r.p50.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond),
		ratio(float64(r.p99), float64(unloadedP99)), r.counts[shed], r.counts[connCap], r.counts[cpuPool],
		r.counts[refused]+r.counts[failed], r.counts[timedOut], r.counts[broken], r.lag99.Round(10*time.Microsecond),
		r.cpuPerReq.Round(100*time.Nanosecond), server)
}
