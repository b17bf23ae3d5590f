package rouxotel_test

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/middleware"
	rouxotel "github.com/roux-go/roux/otel"
)

// Every kind of refusal moves its count of roux.server.refusals, as
// Prometheus scrapes it.
func TestRefusalsMetric(t *testing.T) {
	t.Parallel()
	registry := prometheus.NewRegistry()
	exporter, err := otelprom.New(otelprom.WithRegisterer(registry), otelprom.WithoutScopeInfo(), otelprom.WithoutTargetInfo())
	if err != nil {
		t.Fatal(err)
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter))
	t.Cleanup(func() { mp.Shutdown(context.Background()) })

	api := roux.New(roux.Config{Logger: discardLogger(), CPU: roux.CPUConfig{Workers: 1, Queue: 1, QueueTimeout: 30 * time.Second}})
	started, release := make(chan struct{}, 4), make(chan struct{})
	hold := func(ctx context.Context, in *struct{}) (*string, error) {
		started <- struct{}{}
		<-release
		s := "done"
		return &s, nil
	}
	roux.Get(api, "/bill", hold, roux.CPUBound())
	roux.Get(api, "/hold", hold)
	roux.Get(api, "/events", hold)
	// Three requests at a time, one long-lived response.
	shed := middleware.NewLoadShedder(middleware.InitialLimit(3), middleware.MinLimit(3), middleware.MaxLimit(3), middleware.MaxLongLived(1),
		middleware.LongLived(func(r *http.Request) bool { return r.URL.Path == "/events" }))
	api.Use(shed.Middleware)
	api.CountRefusals(roux.RefusalLoadShed, shed.Shed)
	api.CountRefusals(roux.RefusalLongLived, shed.ShedLongLived)
	var conns atomic.Int64 // a server's connection cap, say
	api.CountRefusals(roux.RefusalConnections, conns.Load)
	if err := rouxotel.Instrument(api, rouxotel.MeterProvider(mp)); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(registry, promhttp.HandlerOpts{}))
	mux.Handle("/", api)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	get := func(path string) int {
		res, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Error(err)
			return 0
		}
		res.Body.Close()
		return res.StatusCode
	}
	var wg sync.WaitGroup
	wg.Go(func() { get("/bill") })   // on the CPU pool's worker
	wg.Go(func() { get("/events") }) // the one long-lived response
	<-started
	<-started
	wg.Go(func() { get("/bill") }) // waiting for the worker
	deadline := time.Now().Add(10 * time.Second)
	for _, pending, _ := api.CPUStats(); pending < 2; _, pending, _ = api.CPUStats() {
		if time.Now().After(deadline) {
			t.Fatal("the second bill did not queue")
		}
		time.Sleep(time.Millisecond)
	}
	if got := get("/bill"); got != 503 { // admitted by the shedder, refused by the full pool
		t.Errorf("a third bill: got %d, want 503", got)
	}
	// The refused bill's place comes back as its handler returns.
	for deadline := time.Now().Add(10 * time.Second); shed.InFlight() != 2; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d requests hold a place, want the 2 bills", shed.InFlight())
		}
	}
	wg.Go(func() { get("/hold") }) // the third request the shedder admits
	<-started
	for _, tt := range []struct {
		path string
		why  string
	}{
		{"/events", "too many long-lived responses"},
		{"/hold", "at the concurrency limit of 3"},
	} {
		if got := get(tt.path); got != 503 {
			t.Errorf("%s %s: got %d, want 503", tt.path, tt.why, got)
		}
	}
	conns.Add(4)
	close(release)
	wg.Wait()

	res, err := srv.Client().Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	got := map[string]string{}
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if name, value, ok := strings.Cut(sc.Text(), " "); ok && strings.HasPrefix(name, "roux_server_refusals_total{") {
			got[name] = value
		}
	}
	want := map[string]string{
		`roux_server_refusals_total{roux_refusal_reason="cpu_pool"}`:         "1",
		`roux_server_refusals_total{roux_refusal_reason="load_shed"}`:        "1",
		`roux_server_refusals_total{roux_refusal_reason="long_lived_limit"}`: "1",
		`roux_server_refusals_total{roux_refusal_reason="connection_limit"}`: "4",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("refusals (-want +got):\n%s", diff)
	}
}
