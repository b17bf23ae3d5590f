// Command isolation runs the isolation scenario of BENCHMARKS.md: an
// endpoint doing 20 ms of hashing per request, saturated by 8 clients,
// beside an endpoint that waits 5 ms without blocking, probed at 20
// requests per second. It reports the waiting endpoint's p50 and p99 idle
// and under load, and the hashing endpoint's throughput, for three ways of
// serving the hashing endpoint, each in a server process of its own on
// 127.0.0.1 (the CPU pool changes GOMAXPROCS, a process-wide setting):
//
//	plain  a roux operation on plain goroutines
//	sem1   the same behind a semaphore of one
//	pool   the same declared roux.CPUBound()
//
// Run it from bench/ with GOWORK=off: go run ./cmd/isolation
package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/roux-go/roux"
)

func main() {
	serve := flag.String("serve", "", "run a server in this mode (plain, sem1 or pool) and print its address")
	modes := flag.String("modes", "plain,sem1,pool", "modes to measure, in order")
	probes := flag.Int("probes", 100, "probes of the waiting endpoint per phase, 50 ms apart")
	flag.Parse()
	if *serve != "" {
		runServer(*serve)
		return
	}
	fmt.Printf("%-6s %12s %12s %12s %12s %8s %14s %8s\n", "mode", "idle p50", "idle p99", "loaded p50", "loaded p99", "p99 x", "hashing req/s", "shed/s")
	for _, mode := range strings.Split(*modes, ",") {
		r, err := measure(mode, *probes)
		if err != nil {
			fmt.Fprintln(os.Stderr, mode+":", err)
			os.Exit(1)
		}
		fmt.Printf("%-6s %12v %12v %12v %12v %8.1f %14.1f %8.1f\n", mode, r.idle50, r.idle99, r.load50, r.load99,
			float64(r.load99)/float64(r.idle99), r.cpu, r.shed)
	}
}

func runServer(mode string) {
	api := roux.New(roux.Config{})
	var opts []roux.Option
	switch mode {
	case "sem1":
		sem := make(chan struct{}, 1)
		opts = append(opts, roux.Middleware(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				sem <- struct{}{}
				defer func() { <-sem }()
				next.ServeHTTP(w, r)
			})
		}))
	case "pool":
		opts = append(opts, roux.CPUBound())
	case "plain":
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", mode)
		os.Exit(2)
	}
	roux.Get(api, "/hash", func(ctx context.Context, in *struct{}) (*string, error) {
		burn(20 * time.Millisecond)
		s := "ok"
		return &s, nil
	}, opts...)
	roux.Get(api, "/wait", func(ctx context.Context, in *struct{}) (*string, error) {
		time.Sleep(5 * time.Millisecond)
		s := "ok"
		return &s, nil
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	fmt.Println(ln.Addr())
	http.Serve(ln, api)
}

// burn spends about d of the thread's CPU time hashing.
func burn(d time.Duration) {
	var b [32]byte
	start := threadCPU()
	for threadCPU()-start < d {
		for range 1000 {
			b = sha256.Sum256(b[:])
		}
	}
	runtime.KeepAlive(b)
}

func threadCPU() time.Duration {
	var ts syscall.Timespec
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, 3 /* CLOCK_THREAD_CPUTIME_ID */, uintptr(unsafe.Pointer(&ts)), 0)
	return time.Duration(ts.Nano())
}

type result struct {
	idle50, idle99, load50, load99 time.Duration
	cpu, shed                      float64 // hashing answers (200) and refusals (503) per second
}

func measure(mode string, probes int) (result, error) {
	var r result
	self, err := os.Executable()
	if err != nil {
		return r, err
	}
	cmd := exec.Command(self, "-serve", mode)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return r, err
	}
	if err := cmd.Start(); err != nil {
		return r, err
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		return r, err
	}
	base := "http://" + strings.TrimSpace(addr)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 30 * time.Second}
	get := func(path string) (time.Duration, int, error) {
		start := time.Now()
		res, err := client.Get(base + path)
		if err != nil {
			return 0, 0, err
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return time.Since(start), res.StatusCode, nil
	}
	probe := func() (p50, p99 time.Duration, err error) {
		var lat []time.Duration
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for range probes {
			<-tick.C
			d, _, err := get("/wait")
			if err != nil {
				return 0, 0, err
			}
			lat = append(lat, d)
		}
		slices.Sort(lat)
		round := func(d time.Duration) time.Duration { return d.Round(100 * time.Microsecond) }
		return round(lat[len(lat)/2]), round(lat[len(lat)*99/100]), nil
	}
	for range 10 {
		get("/wait")
	}
	if r.idle50, r.idle99, err = probe(); err != nil {
		return r, err
	}
	var stop atomic.Bool
	var done, shed atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for !stop.Load() {
				// Only answers count: a refusal (503, the pool past its
				// queue timeout) did no hashing.
				switch _, status, err := get("/hash"); {
				case err == nil && status == http.StatusOK:
					done.Add(1)
				case err == nil && status == http.StatusServiceUnavailable:
					shed.Add(1)
				}
			}
		})
	}
	time.Sleep(500 * time.Millisecond)
	start, before, shedBefore := time.Now(), done.Load(), shed.Load()
	r.load50, r.load99, err = probe()
	r.cpu = float64(done.Load()-before) / time.Since(start).Seconds()
	r.shed = float64(shed.Load()-shedBefore) / time.Since(start).Seconds()
	stop.Store(true)
	wg.Wait()
	return r, err
}
