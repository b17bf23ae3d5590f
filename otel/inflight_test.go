package rouxotel_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/roux-go/roux"
	rouxotel "github.com/roux-go/roux/otel"
)

// TestActiveRequests holds requests in an operation's handler and reads
// http.server.active_requests meanwhile and after: a GET and a HEAD (the
// operation's method and another) are counted apart, each from its first
// request on, and a count returns to zero when its requests end.
func TestActiveRequests(t *testing.T) {
	t.Parallel()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { mp.Shutdown(context.Background()) })
	entered, release := make(chan struct{}), make(chan struct{})
	api := roux.New(roux.Config{Logger: discardLogger()})
	roux.Get(api, "/dishes/{id}", func(ctx context.Context, in *dishInput) (*dish, error) {
		entered <- struct{}{}
		<-release
		return &dish{ID: in.ID, Name: "soup"}, nil
	})
	roux.Get(api, "/menu", func(ctx context.Context, _ *struct{}) (*dish, error) { return &dish{ID: 1, Name: "soup"}, nil })
	if err := rouxotel.Instrument(api, rouxotel.MeterProvider(mp)); err != nil {
		t.Fatal(err)
	}
	active := func() map[string]int64 {
		t.Helper()
		var rm metricdata.ResourceMetrics
		if err := reader.Collect(context.Background(), &rm); err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, sm := range rm.ScopeMetrics {
			for _, m := range sm.Metrics {
				if m.Name != "http.server.active_requests" {
					continue
				}
				sum, ok := m.Data.(metricdata.Sum[int64])
				if !ok || sum.IsMonotonic {
					t.Fatalf("got %s as %T (monotonic %v), want a non-monotonic sum", m.Name, m.Data, ok && sum.IsMonotonic)
				}
				for _, p := range sum.DataPoints {
					method, _ := p.Attributes.Value("http.request.method")
					op, _ := p.Attributes.Value("roux.operation.id")
					got[method.AsString()+" "+op.AsString()] = p.Value
				}
			}
		}
		return got
	}
	if diff := cmp.Diff(map[string]int64{}, active()); diff != "" {
		t.Errorf("before any request (-want +got):\n%s", diff)
	}
	done := make(chan struct{})
	serve := func(method string) {
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, httptest.NewRequest(method, "/dishes/7", nil))
		if rec.Code != http.StatusOK {
			t.Errorf("%s: got status %d, want 200", method, rec.Code)
		}
		done <- struct{}{}
	}
	go serve("GET")
	go serve("GET")
	go serve("HEAD")
	for range 3 {
		<-entered
	}
	want := map[string]int64{"GET get-dishes-id": 2, "HEAD get-dishes-id": 1}
	if diff := cmp.Diff(want, active()); diff != "" {
		t.Errorf("with three requests in flight (-want +got):\n%s", diff)
	}
	close(release)
	for range 3 {
		<-done
	}
	want = map[string]int64{"GET get-dishes-id": 0, "HEAD get-dishes-id": 0}
	if diff := cmp.Diff(want, active()); diff != "" {
		t.Errorf("after the requests (-want +got):\n%s", diff)
	}
}
