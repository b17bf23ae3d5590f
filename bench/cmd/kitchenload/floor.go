//go:build linux

package main

// The refusal floor: what a refusal costs a server that does nothing
// else. A net/http server whose one handler writes a fixed 503 problem
// with Retry-After (the load shedder's, byte for byte, with no other
// header), on the server's core, measured by the same generator as the
// kitchen: what a refusal cannot cost less than through net/http on
// loopback — a request read and parsed, a response written, the
// connection's goroutine woken and parked — whatever the kitchen, roux or
// its middleware do. -costs measures it in three settings, so that the
// kitchen's refusal can be compared with each: one P (GOMAXPROCS=1, what
// Go gives a process confined to one core); two Ps, as the kitchen has on
// one core (roux's CPU pool adds a spare P; package roux's cpu_procs.go);
// and two Ps with the http.Server settings of package cli's serve (its
// timeouts, which net/http applies as deadlines on every request).

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"syscall"
	"time"
)

// floorEnv, set in its environment, makes this command the refusal
// floor's server; its value is the server's settings, "plain" or "cli".
const floorEnv = "KITCHENLOAD_REFUSAL_FLOOR"

// floorBody is the floor's answer: the load shedder's problem (package
// middleware), so that the generator counts it as shed.
const floorBody = `{"type":"about:blank","title":"Service Unavailable","status":503,"detail":"the server is at capacity; retry after 1s"}`

// floorHandler answers every request with floorBody, 503 and Retry-After,
// allocating nothing: the header values are shared, as the load
// shedder's are.
func floorHandler() http.Handler {
	body := []byte(floorBody)
	contentType, length, retry := []string{"application/problem+json"}, []string{strconv.Itoa(len(body))}, []string{"1"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["Content-Type"], h["Content-Length"], h["Retry-After"] = contentType, length, retry
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write(body) //nolint:errcheck // the generator sees what did not arrive
	})
}

// serveFloor listens on a loopback port, prints its URL and serves
// floorHandler with settings: "cli" sets package cli's timeouts and
// header limit (cli/serve.go), anything else leaves net/http's defaults.
func serveFloor(settings string) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: floorHandler()}
	if settings == "cli" {
		srv.ReadHeaderTimeout, srv.ReadTimeout = 5*time.Second, 30*time.Second
		srv.WriteTimeout, srv.IdleTimeout = 30*time.Second, 120*time.Second
		srv.MaxHeaderBytes = 64 << 10
	}
	fmt.Printf("http://%s\n", ln.Addr())
	return srv.Serve(ln)
}

// floorSetting is one setting the refusal floor is measured in.
type floorSetting struct {
	name     string
	procs    int    // GOMAXPROCS
	settings string // floorEnv's value
}

var floorSettings = []floorSetting{
	{"floor, 1 P", 1, "plain"},
	{"floor, 2 P", 2, "plain"},
	{"floor, 2 P, cli", 2, "cli"},
}

// startChild starts this command on the server's core with env added to
// its environment, reads the URL it prints first, and returns the process
// (as a kitchen without /metrics) with a generator for it, and what stops
// both.
func startChild(c config, env ...string) (srv *kitchen, g *generator, stop func(), err error) {
	self, err := os.Executable()
	if err != nil {
		return nil, nil, nil, err
	}
	cmd := pinnedCommand(c.serverCPU, self)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, nil, err
	}
	kill := func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // its process group: taskset and the server
		cmd.Wait()
	}
	sc := bufio.NewScanner(out)
	if !sc.Scan() {
		kill()
		return nil, nil, nil, fmt.Errorf("the server printed no address: %v", sc.Err())
	}
	if g, err = c.generator(sc.Text()); err != nil {
		kill()
		return nil, nil, nil, err
	}
	return &kitchen{cmd: cmd, core: c.serverCPU, genCore: c.loadCPU}, g, func() { g.close(); kill() }, nil
}

// measureFloor measures the refusal floor in setting s: a closed loop of
// 4 clients, as the kitchen's costs, then an open loop at each of rates.
func measureFloor(c config, s floorSetting, rates []float64) error {
	srv, g, stop, err := startChild(c, floorEnv+"="+s.settings, "GOMAXPROCS="+strconv.Itoa(s.procs))
	if err != nil {
		return err
	}
	defer stop()
	t := target{method: "GET", path: "/dishes"}
	time.Sleep(100 * time.Millisecond)
	measured(srv, func() result { return g.closedLoop(t, 4, c.warm, c.d) }).print(s.name, 0, 0)
	for _, rate := range rates {
		pause()
		r := measured(srv, func() result { return g.openLoop(t, rate, c.warm, c.d) })
		r.print(fmt.Sprintf("%s, %.0f/s", s.name, rate), 0, 0)
	}
	return nil
}
