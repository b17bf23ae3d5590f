package middleware_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/roux-go/roux/middleware"
)

// A store that commits concurrent writes together needs 32 in flight for
// its throughput: MinLimit keeps them for 32 clients, never refused,
// while OverloadMinLimit lets the limit go down to 8 once the shedder
// refuses requests all the time, where they queue less.
func ExampleOverloadMinLimit() {
	shed := middleware.NewLoadShedder(
		middleware.MinLimit(32),
		middleware.InitialLimit(32),
		middleware.OverloadMinLimit(8),
	)
	started, release := make(chan struct{}), make(chan struct{})
	h := shed.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		<-release
	}))
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() { h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/orders", nil)) })
		<-started
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/orders", nil))
	fmt.Println(shed.InFlight(), "in flight; one more:", rec.Code)
	close(release)
	wg.Wait()
	// Output:
	// 32 in flight; one more: 503
}

// A service whose cheap reads take a hundred microseconds or so of
// processor time each: in overload, the shedder stops admitting them
// while goroutines wait a millisecond or more for a processor, so that
// net/http's work on the refused requests keeps up, and health checks
// (Critical) are admitted throughout. Its effect depends on the load, so
// this example prints nothing.
func ExampleSchedulingDelay() {
	shed := middleware.NewLoadShedder(
		middleware.SchedulingDelay(time.Millisecond),
		middleware.Prioritize(func(r *http.Request) middleware.Priority {
			if r.URL.Path == "/livez" {
				return middleware.Critical
			}
			return middleware.Normal
		}),
	)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /livez", func(w http.ResponseWriter, r *http.Request) {})
	srv := &http.Server{Addr: "127.0.0.1:8080", Handler: shed.Middleware(mux)}
	_ = srv // srv.ListenAndServe() in a real service
}
