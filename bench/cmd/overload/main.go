// Command overload runs the overload scenario of BENCHMARKS.md: a roux
// operation that can serve 8 requests at once (10 ms each, the rest
// queue: about 800 requests a second) is offered an open-loop load at
// 1x and 3x that capacity by clients that give up after 100 ms, with and
// without middleware.LoadShed. It reports goodput (answers within the
// clients' timeout, per second), the p99 of admitted requests, and how
// many were shed with 503. Everything runs in this process on 127.0.0.1.
//
// Run it from bench/ with GOWORK=off: go run ./cmd/overload
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/middleware"
)

func main() {
	d := flag.Duration("d", 4*time.Second, "duration of each run")
	flag.Parse()
	fmt.Printf("%-10s %6s %10s %10s %10s %8s %8s\n", "shedding", "load", "offered/s", "goodput/s", "p99 ok", "shed", "late")
	for _, shed := range []bool{false, true} {
		for _, mult := range []float64{1, 3} {
			r := run(shed, 800*mult, *d)
			fmt.Printf("%-10v %5.0fx %10.0f %10.0f %10v %8d %8d\n", shed, mult, r.offered, r.goodput, r.p99, r.shed, r.late)
		}
	}
}

type result struct {
	offered, goodput float64
	p99              time.Duration
	shed, late       int
}

func server(shed bool) (addr string, stop func()) {
	api := roux.New(roux.Config{})
	sem := make(chan struct{}, 8)
	roux.Get(api, "/work", func(ctx context.Context, in *struct{}) (*string, error) {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		time.Sleep(10 * time.Millisecond)
		<-sem
		s := "ok"
		return &s, nil
	})
	var h http.Handler = api
	if shed {
		h = middleware.LoadShed()(api)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	return ln.Addr().String(), func() { srv.Close() }
}

func run(shed bool, rate float64, d time.Duration) result {
	addr, stop := server(shed)
	defer stop()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024}, Timeout: 100 * time.Millisecond}
	var mu sync.Mutex
	var r result
	var lat []time.Duration
	var wg sync.WaitGroup
	interval := time.Duration(float64(time.Second) / rate)
	warm := time.Now().Add(d / 4)
	end := time.Now().Add(d)
	sent := 0
	for next := time.Now(); next.Before(end); next = next.Add(interval) {
		time.Sleep(time.Until(next))
		counted := next.After(warm)
		if counted {
			sent++
		}
		wg.Go(func() {
			start := time.Now()
			res, err := client.Get("http://" + addr + "/work")
			if !counted {
				if err == nil {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
				return
			}
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				r.late++
			case res.StatusCode == 200:
				lat = append(lat, time.Since(start))
			default:
				r.shed++
			}
			if err == nil {
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
		})
	}
	wg.Wait()
	secs := (d - d/4).Seconds()
	r.offered, r.goodput = float64(sent)/secs, float64(len(lat))/secs
	slices.Sort(lat)
	if len(lat) > 0 {
		r.p99 = lat[len(lat)*99/100].Round(100 * time.Microsecond)
	}
	return r
}
