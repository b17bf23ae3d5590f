package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// roundResult is one backend's measurements in one round.
type roundResult struct {
	backend string
	round   int

	orders, floor loadResult
	shed          string // the load shedder's count, as the kitchen reported it
	depth         []depthSample
	states        string        // the queue's jobs by state at the end of the load
	growth        float64       // jobs a second the queue grew by, fitted over the last three quarters
	growthErr     float64       // the fit's standard error
	drain         time.Duration // from the end of the load until every order was ready
	ordersCPU     time.Duration // the kitchen's CPU time during the orders' run
	reads         []readResult
}

// depthSample is the depth of River's queue (jobs not finalized) at a
// time of the run.
type depthSample struct {
	at    time.Duration
	depth int
}

// readResult compares one read of the kitchen with the floor's.
type readResult struct {
	name                 string
	kitchen, floor       loadResult
	kitchenCPU, floorCPU time.Duration
	kitchenGC, floorGC   gcWork
}

// perOrder returns the CPU time cpu spent on n orders, each, in µs
// (placing them and, as it goes on meanwhile, cooking them).
func perOrder(cpu time.Duration, n int) string {
	if cpu <= 0 || n == 0 {
		return "unknown"
	}
	return fmt.Sprintf("%.0f µs", float64(cpu.Microseconds())/float64(n))
}

// perCPU returns requests answered per CPU-second of the server.
func perCPU(r loadResult, cpu time.Duration) float64 {
	if cpu <= 0 {
		return 0
	}
	return float64(len(r.latency)) / cpu.Seconds()
}

// keptUp reports whether the queue did not grow: its growth is within
// twice the fit's standard error of none (the depth of a queue of a few
// hundred jobs, sampled, is noisy) or below 1% of the orders placed a
// second, and every order was ready within 10s of the end of the load.
func (r roundResult) keptUp() bool {
	return r.growth < max(2*r.growthErr, 0.01*r.orders.rate()) && r.drain < 10*time.Second
}

const (
	queueDepth = `SELECT count(*) FROM river_job WHERE state IN ('available', 'pending', 'retryable', 'running', 'scheduled')`
	unfinished = `SELECT count(*) FROM orders WHERE status IN ('received', 'cooking')`
	byState    = `SELECT state, count(*) FROM river_job WHERE state IN ('available', 'pending', 'retryable', 'running', 'scheduled') GROUP BY state ORDER BY state`
)

// runRound measures one backend once on a fresh database.
func runRound(c config, backend string, round int) (res roundResult, err error) {
	res = roundResult{backend: backend, round: round + 1}
	db, err := freshDatabase(backend)
	if err != nil {
		return res, err
	}
	defer db.drop()
	k, err := startChild(c.childGodebug, "-role", "kitchen", "-backend", backend, "-dsn", db.dsn, "-cook-unit", c.cookUnit.String(), "-shed="+strconv.FormatBool(c.shed), "-shed-min", strconv.Itoa(c.shedMin))
	if err != nil {
		return res, err
	}
	defer func() {
		if k != nil {
			k.stop() //nolint:errcheck // a failure is being reported
		}
	}()
	mon, closeMon, err := openFloor(context.Background(), backend, db.dsn)
	if err != nil {
		return res, err
	}
	defer closeMon()
	client := newClient(c.conns)
	defer client.CloseIdleConnections()
	tokens, err := newCustomers(client, k.url, c.customers+1)
	if err != nil {
		return res, err
	}
	reader := tokens[c.customers] // places no order but the one it reads
	tokens = tokens[:c.customers]
	if c.orders {
		if err := measureOrders(&res, c, backend, round, client, k, mon, tokens); err != nil {
			return res, err
		}
	}
	var order struct{ ID int64 }
	var readReqs []namedRequest
	if c.reads {
		req, err := http.NewRequest(http.MethodPost, k.url+"/orders", bytes.NewBufferString(orderBody))
		if err != nil {
			return res, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+reader)
		if err := do(client, req, http.StatusAccepted, &order); err != nil {
			return res, err
		}
		readReqs = reads(order.ID, reader)
		// The floor beside the kitchen, on the same database, so that the
		// two are measured in turn in short slices (measureReads): a
		// shared machine's load then falls on both alike.
		f, err := startChild(c.childGodebug, "-role", "floor", "-backend", backend, "-dsn", db.dsn)
		if err != nil {
			return res, err
		}
		// Stopped after the reads: its pool would hold PostgreSQL
		// connections beside the write floor's.
		err = func() error {
			defer f.stop() //nolint:errcheck // nothing to report
			for _, rr := range readReqs {
				savedK := profile(k, c.duration, profileFile(c, backend, round, rr.short))
				savedF := profile(f, c.duration, profileFile(c, backend, round, "floor-"+rr.short))
				rd, err := measureReads(client, k, f, c, rr)
				if err != nil {
					return err
				}
				if err := errors.Join(savedK(), savedF()); err != nil {
					return err
				}
				res.reads = append(res.reads, rd)
			}
			return nil
		}()
		if err != nil {
			return res, err
		}
	}
	res.shed, err = k.stop()
	k = nil
	if err != nil {
		return res, err
	}

	// The write floor, on the database the kitchen used.
	if c.orders && backend == "sqlite" {
		res.floor, err = sqliteWriteFloor(db.dsn, c.conns, c.batch, c.duration)
	} else if c.orders {
		res.floor, err = pgbenchFloor(db.dsn, c.conns, c.duration)
	}
	return res, err
}

// measureOrders places orders for the duration, after a warm-up, with
// the queue's depth sampled meanwhile, and waits until every order is
// ready.
func measureOrders(res *roundResult, c config, backend string, round int, client *http.Client, k *child, mon floorDB, tokens []string) error {
	orders := orderRequests(k.url, tokens, c.conns)
	closedLoop(client, c.conns, 2*time.Second, http.StatusAccepted, orders) // warm up

	// The orders, with the queue's depth sampled meanwhile.
	stop := make(chan struct{})
	var sampling sync.WaitGroup
	start := time.Now()
	sampling.Go(func() {
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			if n, err := count(mon, queueDepth); err == nil {
				res.depth = append(res.depth, depthSample{time.Since(start), n})
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	})
	saved := profile(k, c.duration, profileFile(c, backend, round, "orders"))
	cpu0, cerr := k.cpu()
	res.orders = closedLoop(client, c.conns, c.duration, http.StatusAccepted, orders)
	if cpu1, err := k.cpu(); err == nil && cerr == nil {
		res.ordersCPU = cpu1 - cpu0
	}
	close(stop)
	sampling.Wait()
	if err := saved(); err != nil {
		return err
	}
	res.growth, res.growthErr = growth(res.depth, c.duration/4)
	var states []string
	err := scanRows(context.Background(), mon, byState, nil, func(s scanner) error {
		var state string
		var n int
		err := s.Scan(&state, &n)
		states = append(states, fmt.Sprintf("%s %d", state, n))
		return err
	})
	if err != nil {
		return err
	}
	res.states = strings.Join(states, ", ")
	end := time.Now()
	for deadline := end.Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		n, err := count(mon, unfinished)
		if err != nil {
			return err
		}
		if n == 0 {
			res.drain = time.Since(end)
			break
		}
		if time.Now().After(deadline) {
			res.drain = time.Since(end)
			break
		}
	}
	return nil
}

func profileFile(c config, backend string, round int, what string) string {
	if c.profile == "" {
		return ""
	}
	return filepath.Join(c.profile, fmt.Sprintf("%s-%d-%s.pprof", backend, round+1, what))
}

// namedRequest is a read the command measures.
type namedRequest struct {
	name, short string // short names its profile
	build       func(base string) request
}

// reads are the two reads: a filtered page of the menu, and an order.
func reads(orderID int64, token string) []namedRequest {
	return []namedRequest{
		{"GET /dishes?tag=vegan&sort=price&limit=20", "dishes", func(base string) request {
			return func(int, int) (*http.Request, error) {
				return http.NewRequest(http.MethodGet, base+"/dishes?tag=vegan&sort=price&limit=20", nil)
			}
		}},
		{"GET /orders/{id}", "order", func(base string) request {
			return func(int, int) (*http.Request, error) {
				req, err := http.NewRequest(http.MethodGet, base+"/orders/"+strconv.FormatInt(orderID, 10), nil)
				if err == nil {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				return req, err
			}
		}},
	}
}

// readSlices is how many turns the kitchen and the floor take in
// measureReads.
const readSlices = 5

// measureReads runs a read against the kitchen and against the floor, in
// turn, readSlices times each for a tenth of the duration (half the
// duration each in all), after a second of warm-up each, and returns what
// it measured and each server's CPU time meanwhile. The order of the two
// alternates from slice to slice.
func measureReads(client *http.Client, k, f *child, c config, rr namedRequest) (readResult, error) {
	rd := readResult{name: rr.name}
	servers := [2]*child{k, f}
	results := [2]*loadResult{&rd.kitchen, &rd.floor}
	cpus := [2]*time.Duration{&rd.kitchenCPU, &rd.floorCPU}
	gcs := [2]*gcWork{&rd.kitchenGC, &rd.floorGC}
	builds := [2]request{rr.build(k.url), rr.build(f.url)}
	for i, srv := range servers {
		req, err := builds[i](0, 0)
		if err != nil {
			return rd, err
		}
		if err := do(client, req, http.StatusOK, nil); err != nil {
			return rd, fmt.Errorf("%s: %w", srv.url, err)
		}
		closedLoop(client, c.conns, time.Second, http.StatusOK, builds[i])
	}
	slice := c.duration / 2 / readSlices
	for n := range 2 * readSlices {
		i := n % 2
		if n/2%2 == 1 {
			i = 1 - i // the floor first every other turn
		}
		gc0, err := servers[i].gc()
		if err != nil {
			return rd, err
		}
		before, err := servers[i].cpu()
		if err != nil {
			return rd, err
		}
		r := closedLoop(client, c.conns, slice, http.StatusOK, builds[i])
		after, err := servers[i].cpu()
		if err != nil {
			return rd, err
		}
		gc1, err := servers[i].gc()
		if err != nil {
			return rd, err
		}
		*results[i] = results[i].merge(r)
		*cpus[i] += after - before
		gcs[i].add(gc0, gc1)
	}
	return rd, nil
}

// growth fits a line to the samples from skip on and returns its slope,
// in jobs a second, and the slope's standard error.
func growth(samples []depthSample, skip time.Duration) (slope, stderr float64) {
	var xs, ys []float64
	for _, s := range samples {
		if s.at >= skip {
			xs, ys = append(xs, s.at.Seconds()), append(ys, float64(s.depth))
		}
	}
	n := float64(len(xs))
	if n < 3 {
		return 0, 0
	}
	var mx, my float64
	for i := range xs {
		mx, my = mx+xs[i]/n, my+ys[i]/n
	}
	var sxx, sxy float64
	for i := range xs {
		sxx += (xs[i] - mx) * (xs[i] - mx)
		sxy += (xs[i] - mx) * (ys[i] - my)
	}
	if sxx == 0 {
		return 0, 0
	}
	slope = sxy / sxx
	var rss float64
	for i := range xs {
		r := ys[i] - my - slope*(xs[i]-mx)
		rss += r * r
	}
	return slope, math.Sqrt(rss / (n - 2) / sxx)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

// print writes one round's results.
func (r roundResult) print(w io.Writer) {
	fmt.Fprintf(w, "\n%s, round %d\n", r.backend, r.round)
	if len(r.orders.latency) > 0 {
		r.printOrders(w)
	}
	for _, rd := range r.reads {
		k, f := perCPU(rd.kitchen, rd.kitchenCPU), perCPU(rd.floor, rd.floorCPU)
		fmt.Fprintf(w, "  %-42s kitchen %6.0f/s %6.0f/CPU-s p99 %8s | floor %6.0f/s %6.0f/CPU-s p99 %8s | %.2f× per CPU-s\n", rd.name,
			rd.kitchen.rate(), k, ms(rd.kitchen.quantile(0.99)), rd.floor.rate(), f, ms(rd.floor.quantile(0.99)), k/max(f, 1e-9))
		fmt.Fprintf(w, "  %-42s kitchen %s | floor %s\n", "", rd.kitchenGC.format(len(rd.kitchen.latency)), rd.floorGC.format(len(rd.floor.latency)))
	}
}

// printOrders writes the orders' results.
func (r roundResult) printOrders(w io.Writer) {
	o := r.orders
	other := []string{}
	for _, s := range slices.Sorted(mapKeys(o.byStatus)) {
		if s != http.StatusAccepted {
			other = append(other, fmt.Sprintf("%d×%d", o.byStatus[s], s))
		}
	}
	if o.errors > 0 {
		other = append(other, fmt.Sprintf("%d without an answer", o.errors))
	}
	var depths []string
	for i, s := range r.depth {
		if i%max(1, len(r.depth)/5) == 0 || i == len(r.depth)-1 {
			depths = append(depths, fmt.Sprintf("%.1fs:%d", s.at.Seconds(), s.depth))
		}
	}
	fmt.Fprintf(w, "  orders   kitchen %7.0f/s  p50 %8s  p99 %8s  not 202: %s  (%s); kitchen CPU %s an order\n", o.rate(), ms(o.quantile(0.5)), ms(o.quantile(0.99)),
		orNone(strings.Join(other, " ")), r.shed, perOrder(r.ordersCPU, len(o.latency)))
	fmt.Fprintf(w, "           floor   %7.0f/s  p50 %8s  p99 %8s  → kitchen/floor %.2f×, p99 %.1f× the floor's\n", r.floor.rate(),
		ms(r.floor.quantile(0.5)), ms(r.floor.quantile(0.99)), o.rate()/r.floor.rate(),
		float64(o.quantile(0.99))/float64(max(1, r.floor.quantile(0.99))))
	fmt.Fprintf(w, "  queue    depth %s (%s); growth %+.1f±%.1f jobs/s; all ready %.1fs after the load; kept up: %v\n",
		strings.Join(depths, " "), orNone(r.states), r.growth, r.growthErr, r.drain.Seconds(), r.keptUp())
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// summarize writes each backend's medians over the rounds.
func summarize(w io.Writer, all []roundResult) {
	byBackend := map[string][]roundResult{}
	var order []string
	for _, r := range all {
		if _, ok := byBackend[r.backend]; !ok {
			order = append(order, r.backend)
		}
		byBackend[r.backend] = append(byBackend[r.backend], r)
	}
	fmt.Fprintf(w, "\nmedians over the rounds\n")
	fmt.Fprintf(w, "| backend | kitchen orders/s | p99 | floor orders/s | floor p99 | kitchen/floor | p99/floor p99 | queue kept up |\n|---|---|---|---|---|---|---|---|\n")
	for _, b := range order {
		rs := byBackend[b]
		med := func(f func(roundResult) float64) float64 {
			v := make([]float64, len(rs))
			for i, r := range rs {
				v[i] = f(r)
			}
			slices.Sort(v)
			return v[len(v)/2]
		}
		kept := 0
		for _, r := range rs {
			if r.keptUp() {
				kept++
			}
		}
		kr, fr := med(func(r roundResult) float64 { return r.orders.rate() }), med(func(r roundResult) float64 { return r.floor.rate() })
		kp := med(func(r roundResult) float64 { return float64(r.orders.quantile(0.99)) })
		fp := med(func(r roundResult) float64 { return float64(r.floor.quantile(0.99)) })
		if kr > 0 {
			fmt.Fprintf(w, "| %s | %.0f | %s | %.0f | %s | %.2f× | %.1f× | %d of %d rounds |\n", b, kr, ms(time.Duration(kp)), fr,
				ms(time.Duration(fp)), kr/fr, kp/fp, kept, len(rs))
		}
		for i := range rs[0].reads {
			k := med(func(r roundResult) float64 { return perCPU(r.reads[i].kitchen, r.reads[i].kitchenCPU) })
			f := med(func(r roundResult) float64 { return perCPU(r.reads[i].floor, r.reads[i].floorCPU) })
			fmt.Fprintf(w, "| %s %s | %.0f req/CPU-s | | %.0f req/CPU-s | | %.2f× | | |\n", b, rs[0].reads[i].name, k, f, k/f)
		}
	}
}
