// Command server serves one Go stack of the benchmark API on a loopback
// address, for the load driver (cmd/load):
//
//	server -stack roux -addr 127.0.0.1:8080 [-cpuprofile cpu.out] [-stats]
//
// With -engine fasthttp a net/http stack is served by fasthttp through
// fasthttpadaptor instead, to measure what the server engine alone is worth.
//
// On SIGTERM or SIGINT it stops, writes the CPU profile if asked, and with
// -stats prints the heap allocations it made while serving (runtime
// MemStats Mallocs and TotalAlloc) to stderr, so that allocations per
// request over real connections can be compared across stacks.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttpadaptor"

	"github.com/roux-go/roux/bench/stacks"
)

func main() {
	name := flag.String("stack", "floor", "stack to serve: "+names())
	addr := flag.String("addr", "127.0.0.1:8080", "loopback address to listen on")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	stats := flag.Bool("stats", false, "print allocation counts at exit")
	engine := flag.String("engine", "net/http", `server for net/http stacks: "net/http", or "fasthttp" through fasthttpadaptor (for the fiber analysis in BENCHMARKS.md)`)
	flag.Parse()
	host, _, err := net.SplitHostPort(*addr)
	if err != nil || !(host == "127.0.0.1" || host == "::1" || host == "localhost") {
		log.Fatalf("server: %q is not a loopback address", *addr)
	}
	s, ok := stacks.ByName(*name)
	if !ok {
		log.Fatalf("server: unknown stack %q (have %s)", *name, names())
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
	}
	var m0 runtime.MemStats
	runtime.ReadMemStats(&m0)

	var shutdown func()
	errc := make(chan error, 1)
	if s.Fiber != nil {
		app := s.Fiber()
		go func() { errc <- app.Listen(*addr) }()
		shutdown = func() { app.ShutdownWithTimeout(2 * time.Second) }
	} else if *engine == "fasthttp" {
		srv := &fasthttp.Server{Handler: fasthttpadaptor.NewFastHTTPHandler(s.Handler()), Name: "bench"}
		go func() { errc <- srv.ListenAndServe(*addr) }()
		shutdown = func() { srv.ShutdownWithContext(context.Background()) }
	} else {
		srv := &http.Server{Addr: *addr, Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
		go func() { errc <- srv.ListenAndServe() }()
		shutdown = func() {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			srv.Shutdown(ctx)
		}
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	select {
	case err := <-errc:
		log.Fatalf("server: %v", err)
	case <-sig:
	}
	shutdown()
	if *cpuprofile != "" {
		pprof.StopCPUProfile()
	}
	if *stats {
		var m1 runtime.MemStats
		runtime.ReadMemStats(&m1)
		fmt.Fprintf(os.Stderr, "server %s: mallocs=%d bytes=%d gc=%d\n", *name, m1.Mallocs-m0.Mallocs, m1.TotalAlloc-m0.TotalAlloc, m1.NumGC-m0.NumGC)
	}
}

func names() string {
	var n []string
	for _, s := range stacks.All {
		n = append(n, s.Name)
	}
	return strings.Join(n, ", ")
}
