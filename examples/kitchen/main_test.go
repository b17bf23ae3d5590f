package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roux-go/roux/sse"

	"github.com/roux-go/roux/examples/kitchen/internal/kitchen"
	"github.com/roux-go/roux/examples/kitchen/internal/store/postgres/pgtest"
	"github.com/roux-go/roux/examples/kitchen/kitchenapi"
)

// bin is the kitchen binary the process tests run, built by TestMain.
var bin string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "kitchen-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		if !testing.Short() {
			bin = filepath.Join(dir, "kitchen")
			out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
			if err != nil {
				fmt.Fprintf(os.Stderr, "building kitchen: %v\n%s", err, out)
				return 1
			}
		}
		return m.Run()
	}()
	os.Exit(code)
}

func TestRunCommandLine(t *testing.T) {
	t.Parallel()
	env := func(vars ...string) func(string) string {
		return func(name string) string {
			for i := 0; i+1 < len(vars); i += 2 {
				if vars[i] == name {
					return vars[i+1]
				}
			}
			return ""
		}
	}
	for _, tt := range []struct {
		name   string
		args   []string
		env    func(string) string
		code   int
		stdout string // a substring
		stderr string
	}{
		{"spec needs no database", []string{"spec", "-data", "/nonexistent/x"}, env(), 0, `"title": "Kitchen"`, ""},
		{"spec yaml", []string{"spec", "-format", "yaml"}, env(), 0, `openapi: "3.1.0"`, ""},
		{"help lists kitchen's flags", []string{"-h"}, env(), 0, "", "-staff-key"},
		{"help lists cli's flags in the same usage", []string{"serve", "-h"}, env(), 0, "", "-shutdown-timeout"},
		{"kitchen flags after spec", []string{"spec", "-data", "/nonexistent/x", "-format", "yaml", "-lease", "2s"}, env(), 0, `openapi: "3.1.0"`, ""},
		{"kitchen flags before spec", []string{"-data", "/nonexistent/x", "-seed=false", "spec", "-version", "3.0"}, env(), 0, `"openapi": "3.0.3"`, ""},
		{"unknown flag", []string{"spec", "-nope"}, env(), 2, "", "kitchen: flag provided but not defined: -nope"},
		{"a serve flag on spec", []string{"spec", "-addr", "127.0.0.1:0"}, env(), 2, "", "-addr is a flag of serve, not of spec"},
		{"zero lease", []string{"spec", "-lease", "0s"}, env(), 2, "", "-lease 0s: want a positive duration"},
		{"negative idempotency ttl", []string{"spec"}, env("KITCHEN_IDEMPOTENCY_TTL", "-1h"), 2, "", "-idempotency-ttl -1h0m0s: want a positive duration"},
		{"bad log level from the environment", []string{"spec"}, env("ROUX_LOG_LEVEL", "loud"), 2, "", `-log-level "loud"`},
		{"bad kitchen flag value", []string{"-lease", "soon"}, env(), 2, "", "invalid value"},
		{"bad environment", []string{"spec"}, env("KITCHEN_LEASE", "often"), 2, "", "KITCHEN_LEASE"},
		{"bad boolean in the environment", []string{"spec"}, env("KITCHEN_METRICS", "maybe"), 2, "", "KITCHEN_METRICS"},
		{"bad log format", []string{"spec", "-log-format", "xml"}, env(), 2, "", "-log-format"},
		{"not a postgres URL", []string{"-addr", "127.0.0.1:0", "-staff-key", "k", "-db", "mysql://u:secret@h/db"}, env(), 1, "", "want a postgres:// URL"},
		{"no staff key out of demo mode", []string{"-addr", "127.0.0.1:0", "-data", "/nonexistent/x"}, env(), 1, "", "no staff key: set -staff-key or KITCHEN_STAFF_KEY"},
		{"demo on PostgreSQL", []string{"-demo", "-db", "postgres://u:secret@127.0.0.1:1/db"}, env(), 2, "", "add -demo-on-postgres"},
		{"demo on PostgreSQL from the environment", []string{"serve"}, env("KITCHEN_DEMO", "1", "KITCHEN_DATABASE_URL", "postgres://u:secret@127.0.0.1:1/db"), 2, "", "add -demo-on-postgres"},
		{"seed out of demo mode", []string{"-seed"}, env(), 2, "", "-seed needs -demo"},
		{"seed from the environment out of demo mode", []string{"spec"}, env("KITCHEN_SEED", "true"), 2, "", "-seed needs -demo"},
		{"bad stream cap", []string{"-max-streams", "0"}, env(), 2, "", "-max-streams 0"},
		{"negative shed delay", []string{"spec", "-shed-delay", "-1ms"}, env(), 2, "", "-shed-delay -1ms: want 0 (off)"},
		{"shed delay off", []string{"spec", "-shed-delay", "0"}, env(), 0, `"title": "Kitchen"`, ""},
		{"bad webhook address class", []string{"spec", "-webhook-to", "public,intranet"}, env(), 2, "", `-webhook-to: address class "intranet"`},
		{"bad webhook address class in the environment", []string{"spec"}, env("KITCHEN_WEBHOOK_TO", "anywhere"), 2, "", `-webhook-to: address class "anywhere"`},
		{"the spec has the webhook", []string{"spec"}, env(), 0, `"orderReady"`, ""},
		{"unknown subcommand", []string{"cook"}, env(), 2, "", "unknown command"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			code := run(ctx, tt.args, tt.env, &out, &errb)
			if code != tt.code || !strings.Contains(out.String(), tt.stdout) || !strings.Contains(errb.String(), tt.stderr) {
				t.Fatalf("exit %d, want %d\nstdout: %.300s\nstderr: %.600s", code, tt.code, out.String(), errb.String())
			}
			if strings.Contains(errb.String(), "secret") {
				t.Errorf("a password reached the log: %s", errb.String())
			}
		})
	}
}

// proc is a kitchen process.
type proc struct {
	t    *testing.T
	cmd  *exec.Cmd
	url  string
	done chan struct{}
	log  *logBuf
}

// logBuf is the process's log, written by its reader goroutine.
type logBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuf) add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.WriteString(line + "\n")
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

var servingRE = regexp.MustCompile(`msg=serving addr=(http://127\.0\.0\.1:\d+)`)

// launch starts the kitchen binary with args on a free loopback port and
// waits until it serves.
func launch(t *testing.T, args ...string) *proc {
	t.Helper()
	return launchEnv(t, nil, args...)
}

// launchEnv is launch with variables added to the environment.
func launchEnv(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	if bin == "" {
		t.Skip("process tests need the binary; not built with -short")
	}
	args = append([]string{"-addr", "127.0.0.1:0", "-cook-unit", "50ms", "-lease", "1s",
		"-demo", "-demo-on-postgres", "-staff-key", "staff", "-shutdown-timeout", "5s"}, args...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(append(os.Environ(), "ROUX_LOG_LEVEL=info"), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, done: make(chan struct{}), log: &logBuf{}}
	addr := make(chan string, 1)
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.log.add(sc.Text())
			if m := servingRE.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		cmd.Wait()
	}()
	t.Cleanup(func() { p.kill() })
	select {
	case p.url = <-addr:
	case <-p.done:
		t.Fatalf("kitchen exited before serving:\n%s", p.log)
	case <-time.After(20 * time.Second):
		p.kill()
		t.Fatalf("kitchen did not serve within 20s:\n%s", p.log)
	}
	return p
}

// kill sends SIGKILL to the process this test started and waits for it.
func (p *proc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Kill()
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.t.Errorf("kitchen %d did not die", p.cmd.Process.Pid)
	}
}

// do sends a request and decodes a JSON answer into v.
func (p *proc) do(method, path, body string, v any, headers ...string) int {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, method, p.url+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if v != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(b, v); err != nil {
			p.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return res.StatusCode
}

var customer = []string{"Authorization", "Bearer demo-customer-token"}

type order struct {
	ID     int64  `json:"id"`
	Status string `json:"status"`
	Items  []struct {
		Status string `json:"status"`
	} `json:"items"`
}

func (p *proc) order(id int64) order {
	p.t.Helper()
	var o order
	if code := p.do("GET", fmt.Sprint("/orders/", id), "", &o, customer...); code != 200 {
		p.t.Fatalf("GET /orders/%d: %d", id, code)
	}
	return o
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSurvivesKill: what was committed before a kill -9 is there after a
// restart, and the order that was cooking is resumed and finished.
func TestSurvivesKill(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		args func(t *testing.T) []string
	}{
		{"sqlite", func(t *testing.T) []string { return []string{"-data", filepath.Join(t.TempDir(), "data")} }},
		{"postgres", func(t *testing.T) []string { return []string{"-db", pgtest.URL(t)} }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := tt.args(t)
			p := launch(t, args...)
			var slow struct{ ID int64 }
			if code := p.do("POST", "/dishes", `{"name":"Slow roast","price_cents":3000,"station":"oven","prep_seconds":30}`, &slow, "X-Staff-Key", "staff"); code != 201 {
				t.Fatalf("create dish: %d", code)
			}
			var quick, cooking order
			p.do("POST", "/orders", `{"items":[{"dish_id":8,"quantity":1}]}`, &quick, customer...)
			waitFor(t, "the quick order to be ready", func() bool { return p.order(quick.ID).Status == "ready" })
			p.do("POST", "/orders", fmt.Sprintf(`{"items":[{"dish_id":8,"quantity":1},{"dish_id":%d,"quantity":1}]}`, slow.ID), &cooking, customer...)
			waitFor(t, "the slow order to cook", func() bool {
				o := p.order(cooking.ID)
				return o.Items[0].Status == "done" && o.Items[1].Status == "cooking"
			})
			p.kill()

			p = launch(t, args...)
			if o := p.order(quick.ID); o.Status != "ready" {
				t.Fatalf("after the restart the ready order is %s", o.Status)
			}
			if code := p.do("GET", fmt.Sprint("/dishes/", slow.ID), "", nil); code != 200 {
				t.Fatalf("after the restart the new dish answers %d", code)
			}
			// Resumed once its lease (1s) has expired; the roast takes 1.5s.
			waitFor(t, "the interrupted order to be finished", func() bool { return p.order(cooking.ID).Status == "ready" })
			if !strings.Contains(p.log.String(), "resuming an order") {
				t.Errorf("no resumption in the log:\n%s", p.log)
			}
			// A graceful stop ends with status 0.
			p.cmd.Process.Signal(os.Interrupt)
			select {
			case <-p.done:
			case <-time.After(10 * time.Second):
				t.Fatal("no exit after SIGINT")
			}
			if code := p.cmd.ProcessState.ExitCode(); code != 0 {
				t.Fatalf("exit status %d after SIGINT:\n%s", code, p.log)
			}
		})
	}
}

// TestKeyedOrdersSurviveKill: keyed orders placed at full speed on
// SQLite, whose claims and answers are acknowledged before their commit
// (idemsql's OrderedWriter and OrderedAnswers), then kill -9, which loses
// the writer's open transaction: after a restart, every order answered
// 202 is there, and a retry of every key sent, answered or not, gets one
// order — the one first answered, if any — once the claims that lost
// their answer have lapsed. The answers are kept for 2 seconds only
// (-idempotency-ttl), which is also the lease of a claim (the default, a
// day, holds a claim 30 seconds, which this test would wait out): a
// retry that comes after its answer has lapsed must find the order its
// key recorded, not place another.
func TestKeyedOrdersSurviveKill(t *testing.T) {
	t.Parallel()
	args := []string{"-data", filepath.Join(t.TempDir(), "data"), "-order-limit", "-1", "-idempotency-ttl", "2s"}
	p := launch(t, args...)
	const body = `{"items":[{"dish_id":1,"quantity":1}]}`
	client := &http.Client{Timeout: 10 * time.Second}
	before := ordersTotal(t, p)
	var (
		mu       sync.Mutex
		sent     []string
		answered = map[string]int64{} // the order id of the keys answered 202
		wg       sync.WaitGroup
	)
	for w := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				key := fmt.Sprintf("kill-%d-%d", w, i)
				mu.Lock()
				sent = append(sent, key)
				mu.Unlock()
				a, err := placeKeyed(client, p.url, key, body)
				if err != nil {
					return // killed
				}
				if a.status == http.StatusAccepted {
					mu.Lock()
					answered[key] = a.id
					mu.Unlock()
				}
			}
		})
	}
	waitFor(t, "300 orders answered", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(answered) >= 300
	})
	p.kill()
	wg.Wait()

	p = launch(t, args...)
	for key, id := range answered {
		if code := p.do("GET", fmt.Sprint("/orders/", id), "", nil, customer...); code != http.StatusOK {
			t.Errorf("the order %d answered to %s before the kill: %d after the restart", id, key, code)
		}
	}
	var (
		retried  = map[string]keyedAnswer{}
		conflict = map[string]bool{} // the keys that got a 409 first
		next     = make(chan string)
	)
	for range 8 {
		wg.Go(func() {
			for key := range next {
				deadline := time.Now().Add(45 * time.Second)
				for {
					a, err := placeKeyed(client, p.url, key, body)
					if err != nil {
						t.Error(err)
						break
					}
					if a.status == http.StatusConflict && time.Now().Before(deadline) {
						mu.Lock()
						conflict[key] = true
						mu.Unlock()
						time.Sleep(250 * time.Millisecond)
						continue
					}
					mu.Lock()
					retried[key] = a
					mu.Unlock()
					break
				}
			}
		})
	}
	for _, key := range sent {
		next <- key
	}
	close(next)
	wg.Wait()
	var replayed, found, fresh int
	orderOf := map[int64]string{}
	for _, key := range sent {
		a := retried[key]
		first, ok := answered[key]
		switch {
		case a.status != http.StatusAccepted:
			t.Errorf("the retry of %s: %d", key, a.status)
			continue
		case ok && a.id != first:
			t.Errorf("the retry of %s got order %d, first answered %d", key, a.id, first)
		case a.replayed:
			replayed++
		case ok:
			found++ // its answer was lost: the order of its key
		default:
			fresh++
		}
		if other, dup := orderOf[a.id]; dup {
			t.Errorf("%s and %s got one order, %d", key, other, a.id)
		}
		orderOf[a.id] = key
	}
	if total := ordersTotal(t, p); total-before != len(sent) {
		t.Errorf("%d orders placed with %d keys, want one each", total-before, len(sent))
	}
	t.Logf("%d keys sent, %d answered before the kill; their retries: %d replayed, %d found the order of their key, %d placed it; %d met a claim first (409)",
		len(sent), len(answered), replayed, found, fresh, len(conflict))
}

// keyedAnswer is the answer to a keyed order.
type keyedAnswer struct {
	status   int
	id       int64
	replayed bool
}

// placeKeyed sends an order with an Idempotency-Key.
func placeKeyed(client *http.Client, url, key, body string) (keyedAnswer, error) {
	req, err := http.NewRequest("POST", url+"/orders", strings.NewReader(body))
	if err != nil {
		return keyedAnswer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(customer[0], customer[1])
	req.Header.Set("Idempotency-Key", key)
	res, err := client.Do(req)
	if err != nil {
		return keyedAnswer{}, err
	}
	defer res.Body.Close()
	a := keyedAnswer{status: res.StatusCode, replayed: res.Header.Get("Idempotent-Replayed") == "true"}
	var o order
	if err := json.NewDecoder(res.Body).Decode(&o); err != nil && res.StatusCode == http.StatusAccepted {
		return a, err
	}
	a.id = o.ID
	return a, nil
}

// ordersTotal returns how many orders the demo customer has.
func ordersTotal(t *testing.T, p *proc) int {
	t.Helper()
	var page struct{ Total int }
	if code := p.do("GET", "/orders?limit=1", "", &page, customer...); code != http.StatusOK {
		t.Fatalf("GET /orders: %d", code)
	}
	return page.Total
}

// TestScaleOut: two instances on one PostgreSQL database. An order placed
// through one is visible, streamed and cancellable through the other.
func TestScaleOut(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	a := launch(t, "-db", url)
	b := launch(t, "-db", url)

	var o order
	if code := a.do("POST", "/orders", `{"items":[{"dish_id":1,"quantity":1},{"dish_id":4,"quantity":1}]}`, &o, customer...); code != 202 {
		t.Fatalf("order through a: %d", code)
	}
	if got := b.order(o.ID); got.ID != o.ID {
		t.Fatalf("order %d through b: %+v", o.ID, got)
	}
	// b streams the events a's kitchen writes, to the end.
	evs := streamEvents(t, http.DefaultClient, b.url, o.ID)
	if n := len(evs); n != 7 || evs[n-1].Event.Order == nil || evs[n-1].Event.Order.Status != "ready" {
		t.Fatalf("stream through b: %d events: %+v", n, evs)
	}
	if got := a.order(o.ID); got.Status != "ready" {
		t.Fatalf("through a: %s", got.Status)
	}

	// Cancelled through b while a cooks it: a stops.
	var slow struct{ ID int64 }
	a.do("POST", "/dishes", `{"name":"Slow roast","price_cents":3000,"station":"oven","prep_seconds":600}`, &slow, "X-Staff-Key", "staff")
	a.do("POST", "/orders", fmt.Sprintf(`{"items":[{"dish_id":%d,"quantity":1}]}`, slow.ID), &o, customer...)
	waitFor(t, "the roast to cook", func() bool { return b.order(o.ID).Items[0].Status == "cooking" })
	if code := b.do("POST", fmt.Sprint("/orders/", o.ID, "/cancel"), "", nil, customer...); code != 200 {
		t.Fatalf("cancel through b: %d", code)
	}
	if got := a.order(o.ID); got.Status != "cancelled" || got.Items[0].Status != "cancelled" {
		t.Fatalf("through a after the cancellation: %+v", got)
	}
}

// streamEvents reads the event stream of order id through hc to its
// end, with the demo customer's token.
func streamEvents(t *testing.T, hc *http.Client, url string, id int64) []sse.Message[kitchenapi.OrderEvent] {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprint(url, "/orders/", id, "/events"), nil)
	req.Header.Set(customer[0], customer[1])
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("events of order %d: %d", id, res.StatusCode)
	}
	var evs []sse.Message[kitchenapi.OrderEvent]
	for m, err := range sse.Read[kitchenapi.OrderEvent](res.Body) {
		if err != nil {
			t.Fatalf("events of order %d, after %d: %v (%s)", id, len(evs), err, res.Proto)
		}
		evs = append(evs, m)
	}
	return evs
}

// TestStreamOutlivesServerTimeouts: an event stream lasts longer than
// serve's -read-timeout and -write-timeout, over HTTP/1.1 and h2c, for
// package sse gives each write a deadline of its own and net/http lifts
// the read deadline of a request without a body.
func TestStreamOutlivesServerTimeouts(t *testing.T) {
	t.Parallel()
	for _, h2c := range []bool{false, true} {
		t.Run(fmt.Sprint("h2c=", h2c), func(t *testing.T) {
			t.Parallel()
			args := []string{"-data", filepath.Join(t.TempDir(), "data"), "-read-timeout", "200ms", "-write-timeout", "200ms"}
			hc := &http.Client{}
			if h2c {
				args = append(args, "-h2c")
				tr := http.DefaultTransport.(*http.Transport).Clone()
				tr.Protocols = new(http.Protocols)
				tr.Protocols.SetUnencryptedHTTP2(true)
				hc.Transport = tr
				defer tr.CloseIdleConnections()
			}
			p := launch(t, args...)
			// 20 prep seconds at 50ms: the order cooks for a second,
			// five times the timeouts.
			var slow struct{ ID int64 }
			if code := p.do("POST", "/dishes", `{"name":"Slow soup","price_cents":900,"station":"cold","prep_seconds":20}`, &slow, "X-Staff-Key", "staff"); code != 201 {
				t.Fatalf("create dish: %d", code)
			}
			var o order
			if code := p.do("POST", "/orders", fmt.Sprintf(`{"items":[{"dish_id":%d,"quantity":1}]}`, slow.ID), &o, customer...); code != 202 {
				t.Fatalf("order: %d", code)
			}
			start := time.Now()
			evs := streamEvents(t, hc, p.url, o.ID)
			took := time.Since(start)
			// received, cooking, the soup cooking and done, ready
			if n := len(evs); n != 5 || evs[n-1].Event.Order == nil || evs[n-1].Event.Order.Status != "ready" {
				t.Fatalf("%d events: %+v", n, evs)
			}
			if took < 500*time.Millisecond {
				t.Errorf("the stream took %v: not longer than the timeouts, the test proves nothing", took)
			}
		})
	}
}

// running is a kitchen run in this process (the command's run).
type running struct {
	url    string
	cancel context.CancelFunc
	done   chan int
	log    *logBuf
}

// runIn starts run with args in this process and waits until it serves
// or exits; stop cancels it and returns its exit status.
func runIn(t *testing.T, args ...string) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, done: make(chan int, 1), log: &logBuf{}}
	pr, pw := io.Pipe()
	go func() {
		r.done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), func(string) string { return "" }, io.Discard, pw)
		pw.Close()
	}()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			r.log.add(sc.Text())
			if m := servingRE.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		close(addr)
	}()
	t.Cleanup(func() { r.stop() })
	select {
	case r.url = <-addr:
	case <-time.After(20 * time.Second):
		t.Fatalf("kitchen did not serve within 20s:\n%s", r.log)
	}
	return r
}

// stop cancels the run and returns its exit status.
func (r *running) stop() int {
	r.cancel()
	code := <-r.done
	r.done <- code
	return code
}

// TestDemoMode: demo mode says so loudly and seeds the demo customer;
// out of it, the demo token opens nothing, and a database that holds the
// demo customer is refused.
func TestDemoMode(t *testing.T) {
	t.Parallel()
	demoData, plainData := filepath.Join(t.TempDir(), "demo"), filepath.Join(t.TempDir(), "plain")
	get := func(url string, headers ...string) int {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", url, nil)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}

	demo := runIn(t, "-demo", "-data", demoData)
	if code := get(demo.url+"/orders", customer...); code != 200 {
		t.Errorf("the demo customer in demo mode: got %d, want 200", code)
	}
	if code := demo.stop(); code != 0 {
		t.Fatalf("exit %d:\n%s", code, demo.log)
	}
	if log := demo.log.String(); !strings.Contains(log, "level=WARN") || !strings.Contains(log, "DEMO MODE") ||
		!strings.Contains(log, kitchen.DemoStaffKey) || !strings.Contains(log, kitchen.DemoCustomerToken) {
		t.Errorf("demo mode is not loud in the log:\n%s", log)
	}

	plain := runIn(t, "-staff-key", "s3cret-key", "-data", plainData)
	if code := get(plain.url+"/orders", customer...); code != 401 {
		t.Errorf("the demo customer's token out of demo mode: got %d, want 401", code)
	}
	if code := get(plain.url + "/dishes"); code != 200 {
		t.Errorf("the menu out of demo mode: got %d, want 200", code)
	}
	if code := plain.stop(); code != 0 || strings.Contains(plain.log.String(), "DEMO") || strings.Contains(plain.log.String(), "s3cret-key") {
		t.Errorf("exit %d, and the log mentions the demo or the key:\n%s", code, plain.log)
	}

	var errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	code := run(ctx, []string{"-addr", "127.0.0.1:0", "-staff-key", "s3cret-key", "-data", demoData}, func(string) string { return "" }, io.Discard, &errb)
	if code != 1 || !strings.Contains(errb.String(), "holds the demo customer") {
		t.Errorf("the demo's database out of demo mode: exit %d, want 1 and why:\n%s", code, errb.String())
	}
}

// TestDocsFlag: -docs=false (package cli's flag) reaches the service,
// which is built without its docs page.
func TestDocsFlag(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want int
	}{
		{nil, 200},
		{[]string{"-docs=false"}, 404},
	} {
		r := runIn(t, append([]string{"-demo", "-data", filepath.Join(t.TempDir(), "data")}, tt.args...)...)
		res, err := http.Get(r.url + "/docs")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != tt.want {
			t.Errorf("%q: GET /docs: got %d, want %d", tt.args, res.StatusCode, tt.want)
		}
		if code := r.stop(); code != 0 {
			t.Errorf("%q: exit %d:\n%s", tt.args, code, r.log)
		}
	}
}

// refusals scrapes p's /metrics for roux_server_refusals_total, by
// reason.
func (p *proc) refusals() map[string]int {
	p.t.Helper()
	res, err := http.Get(p.url + "/metrics")
	if err != nil {
		p.t.Fatal(err)
	}
	defer res.Body.Close()
	got := map[string]int{}
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), `roux_server_refusals_total{roux_refusal_reason="`)
		if !ok {
			continue
		}
		reason, value, _ := strings.Cut(line, `"} `)
		var n int
		fmt.Sscan(value, &n)
		got[reason] = n
	}
	return got
}

// TestRefusalsInMetrics: each kind of refusal — the load shedder's, the
// stream cap's, the CPU pool's, the connection cap's, each a 503, and the
// rate limit's 429 — moves its count at /metrics.
func TestRefusalsInMetrics(t *testing.T) {
	t.Parallel()
	// One CPU: the bill's pool has one worker and room for four more.
	// Room for more connections than the load shedder admits requests.
	// One failed credential a minute per client address.
	p := launchEnv(t, []string{"GOMAXPROCS=1"}, "-data", filepath.Join(t.TempDir(), "data"), "-max-conns", "100", "-max-streams", "1",
		"-auth-failure-limit", "1")
	before := p.refusals()
	for _, reason := range []string{"cpu_pool", "load_shed", "long_lived_limit", "connection_limit", "rate_limit"} {
		if n, ok := before[reason]; !ok || n != 0 {
			t.Errorf("%s at start: got %d (present %v), want 0", reason, n, ok)
		}
	}

	// A second stream is over the cap of one.
	var slow struct{ ID int64 }
	p.do("POST", "/dishes", `{"name":"Slow roast","price_cents":3000,"station":"oven","prep_seconds":600}`, &slow, "X-Staff-Key", "staff")
	var o order
	p.do("POST", "/orders", fmt.Sprintf(`{"items":[{"dish_id":%d,"quantity":1}]}`, slow.ID), &o, customer...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprint(p.url, "/orders/", o.ID, "/events"), nil)
	req.Header.Set(customer[0], customer[1])
	stream, err := http.DefaultClient.Do(req)
	if err != nil || stream.StatusCode != 200 {
		t.Fatalf("the first stream: %v %v", err, stream)
	}
	defer stream.Body.Close()
	if code := p.do("GET", fmt.Sprint("/orders/", o.ID, "/events"), "", nil, customer...); code != 503 {
		t.Errorf("a second stream: got %d, want 503", code)
	}

	// Requests that hold their place in the shedder's limit (never below
	// kitchen.MinConcurrency), POSTs whose body never comes, until the
	// menu is refused; the health probe still passes then.
	var holders []net.Conn
	shed := false
	for len(holders) < 90 && !shed {
		c, err := net.Dial("tcp", strings.TrimPrefix(p.url, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		holders = append(holders, c)
		io.WriteString(c, "POST /dishes HTTP/1.1\r\nHost: kitchen\r\nX-Staff-Key: staff\r\n"+
			"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
		shed = p.do("GET", "/dishes", "", nil) == 503
	}
	switch {
	case !shed:
		t.Errorf("%d requests held, the menu still served", len(holders))
	case len(holders) < kitchen.MinConcurrency:
		t.Errorf("the menu refused with %d requests held, fewer than the shedder's floor of %d", len(holders), kitchen.MinConcurrency)
	}
	if code := p.do("GET", "/livez", "", nil); code != 200 {
		t.Errorf("GET /livez with %d requests held: got %d, want 200", len(holders), code)
	}
	t.Logf("the menu refused with %d requests held", len(holders))
	for _, c := range holders {
		c.Close()
	}
	// Their places are given back as the server sees the connections end.
	waitFor(t, "the menu to be served again", func() bool { return p.do("GET", "/dishes", "", nil) == 200 })

	// Bursts of bills of a big order: the CPU pool refuses some.
	var big order
	if code := p.do("POST", "/orders", `{"items":[{"dish_id":1,"quantity":5},{"dish_id":3,"quantity":4},{"dish_id":4,"quantity":3},`+
		`{"dish_id":5,"quantity":3},{"dish_id":6,"quantity":4},{"dish_id":7,"quantity":5}]}`, &big, customer...); code != 202 {
		t.Fatalf("the big order: got %d, want 202", code)
	}
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	bills := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	statuses := map[int]int{}
	var mu sync.Mutex
	for deadline := time.Now().Add(20 * time.Second); ; {
		var wg sync.WaitGroup
		for range 30 {
			wg.Go(func() {
				req, _ := http.NewRequest("GET", fmt.Sprint(p.url, "/orders/", big.ID, "/bill?guests=7"), nil)
				req.Header.Set(customer[0], customer[1])
				res, err := bills.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				mu.Lock()
				statuses[res.StatusCode]++
				mu.Unlock()
			})
		}
		wg.Wait()
		if p.refusals()["cpu_pool"] > 0 || time.Now().After(deadline) {
			break
		}
	}
	for code := range statuses {
		if code != 200 && code != 503 {
			t.Errorf("bills: got %v, want only 200s and 503s", statuses)
		}
	}

	// Connections past the cap of 100 are refused with a 503.
	var held []net.Conn
	refused := false
	for range 150 {
		c, err := net.Dial("tcp", strings.TrimPrefix(p.url, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
		c.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(c, "GET /livez HTTP/1.1\r\nHost: kitchen\r\n\r\n") // answered 200, or refused
		b := make([]byte, 12)
		if n, _ := io.ReadFull(c, b); n == 12 && string(b) == "HTTP/1.1 503" {
			refused = true
			break
		}
	}
	for _, c := range held {
		c.Close()
	}
	if !refused {
		t.Error("150 connections open, none refused")
	}

	// A second wrong token from this address is over its limit (last: the
	// limit refuses this address's credentials for a minute, good ones too).
	for i, want := range []int{401, 429} {
		if code := p.do("GET", "/orders/1", "", nil, "Authorization", "Bearer wrong-token"); code != want {
			t.Errorf("wrong token %d: got %d, want %d", i+1, code, want)
		}
	}
	cancel() // the stream's connection

	var after map[string]int
	waitFor(t, "the connections to close", func() bool {
		res, err := http.Get(p.url + "/livez")
		if err != nil {
			return false
		}
		res.Body.Close()
		after = p.refusals()
		return true
	})
	t.Logf("refusals: %v; bills: %v", after, statuses)
	for _, reason := range []string{"cpu_pool", "load_shed", "long_lived_limit", "connection_limit", "rate_limit"} {
		if after[reason] == 0 {
			t.Errorf("%s: the count did not move (%v)", reason, after)
		}
	}
}
