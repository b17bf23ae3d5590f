package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/roux-go/roux/examples/kitchen/internal/kitchen"
)

// BenchmarkReads serves the command's two reads in process, from the
// kitchen (as the command builds it, behind its load shedder) and from
// the read floor, on one database, request after request: the CPU of
// each server's handler per request (cpu-ns/op: the process's user and
// system time, so on PostgreSQL without the database's), from one client
// at a time and from 32 at once, without the connections, the HTTP
// parsing and writing of a loopback run —
//
//	go test -run '^$' -bench Reads -count 10 ./examples/kitchen/cmd/kitchen-load | tee reads.txt
//	benchstat -col /server -filter '.unit:cpu-ns/op' reads.txt
//
// On SQLite, and PostgreSQL with KITCHEN_POSTGRES_URL set.
func BenchmarkReads(b *testing.B) {
	backends := []string{"sqlite"}
	if os.Getenv("KITCHEN_POSTGRES_URL") != "" {
		backends = append(backends, "postgres")
	}
	for _, backend := range backends {
		b.Run("backend="+backend, func(b *testing.B) { benchReads(b, backend) })
	}
}

func benchReads(b *testing.B, backend string) {
	db, err := freshDatabase(backend)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(db.drop)
	svc, _, err := startKitchen(backend, db.dsn, time.Millisecond, true, kitchen.MinConcurrency)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		svc.API().Shutdown(ctx) //nolint:errcheck // the benchmark is over
	})
	kh := svc.API()
	// A customer and an order to read, placed over loopback.
	srv := httptest.NewServer(kh)
	b.Cleanup(srv.Close)
	client := newClient(1)
	tokens, err := newCustomers(client, srv.URL, 1)
	if err != nil {
		b.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/orders", bytes.NewBufferString(orderBody))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tokens[0])
	var order struct{ ID int64 }
	if err := do(client, req, http.StatusAccepted, &order); err != nil {
		b.Fatal(err)
	}
	fdb, closeFloor, err := openFloor(context.Background(), backend, db.dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(closeFloor)
	fh := floorHandler(fdb)
	for _, rr := range reads(order.ID, tokens[0]) {
		tmpl, err := rr.build("http://127.0.0.1")(0, 0)
		if err != nil {
			b.Fatal(err)
		}
		tmpl.RemoteAddr = "127.0.0.1:40000"
		for _, s := range []struct {
			name string
			h    http.Handler
		}{{"kitchen", kh}, {"floor", fh}} {
			w := &benchWriter{h: http.Header{}}
			if w.serve(s.h, tmpl); w.status != http.StatusOK {
				b.Fatalf("%s from the %s: status %d", rr.name, s.name, w.status)
			}
			// One client after the other, and 32 at once (16 a core).
			for _, clients := range []int{1, 32} {
				b.Run("read="+rr.short+"/server="+s.name+"/clients="+strconv.Itoa(clients), func(b *testing.B) {
					b.ReportAllocs()
					b.SetParallelism(clients / runtime.GOMAXPROCS(0))
					cpu := processCPU()
					if clients == 1 {
						for b.Loop() {
							w.serve(s.h, tmpl)
						}
					} else {
						b.RunParallel(func(pb *testing.PB) {
							w := &benchWriter{h: http.Header{}}
							for pb.Next() {
								w.serve(s.h, tmpl)
							}
						})
					}
					b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
				})
			}
		}
	}
}

// processCPU returns the CPU time the process has used (user and
// system), the measure of the command's load runs: a server's own time,
// its background work included, and not the database's.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchWriter is a reusable ResponseWriter that keeps the status and
// counts the body.
type benchWriter struct {
	h      http.Header
	status int
	n      int
}

// serve serves a copy of tmpl with a context of its own, cancelled when
// it is served, as net/http's server gives each request (a context that
// can end makes database/sql and the SQLite driver watch it, each query
// with a goroutine).
func (w *benchWriter) serve(h http.Handler, tmpl *http.Request) {
	ctx, cancel := context.WithCancel(tmpl.Context())
	defer cancel()
	r := tmpl.WithContext(ctx)
	clear(w.h)
	w.status, w.n = 0, 0
	h.ServeHTTP(w, r)
}

func (w *benchWriter) Header() http.Header { return w.h }
func (w *benchWriter) WriteHeader(s int) {
	if w.status == 0 {
		w.status = s
	}
}
func (w *benchWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.n += len(b)
	return len(b), nil
}
