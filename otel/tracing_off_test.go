package rouxotel_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/roux-go/roux"
	rouxotel "github.com/roux-go/roux/otel"
)

type traceOut struct {
	TraceID string `json:"trace_id"`
}

// TestNoopTracerProvider: instrumented for metrics alone (the no-op
// tracer provider), an operation still sees the trace context a request
// came with, as the no-op tracer would pass it on, and its metrics are
// recorded.
func TestNoopTracerProvider(t *testing.T) {
	t.Parallel()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	api := roux.New(roux.Config{Logger: discardLogger()})
	roux.Get(api, "/trace", func(ctx context.Context, _ *struct{}) (*traceOut, error) {
		sc := trace.SpanContextFromContext(ctx)
		if !sc.IsValid() {
			return &traceOut{}, nil
		}
		return &traceOut{TraceID: sc.TraceID().String()}, nil
	})
	if err := rouxotel.Instrument(api, rouxotel.TracerProvider(tracenoop.NewTracerProvider()), rouxotel.MeterProvider(mp)); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, traceparent, want string
	}{
		{"no trace context", "", `{"trace_id":""}`},
		{"a parent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", `{"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}`},
	} {
		r := httptest.NewRequest(http.MethodGet, "/trace", nil)
		if tt.traceparent != "" {
			r.Header.Set("traceparent", tt.traceparent)
		}
		w := httptest.NewRecorder()
		api.ServeHTTP(w, r)
		if got := w.Body.String(); w.Code != http.StatusOK || got != tt.want {
			t.Errorf("%s: got %d %s, want 200 %s", tt.name, w.Code, got, tt.want)
		}
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	var count uint64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if h, ok := m.Data.(metricdata.Histogram[float64]); ok && m.Name == "http.server.request.duration" {
				for _, p := range h.DataPoints {
					count += p.Count
				}
			}
		}
	}
	if count != 2 {
		t.Errorf("got %d request durations recorded, want 2", count)
	}
}

// TestNoopTracerAllocs: with the no-op tracer provider an instrumented
// request allocates three more objects than an uninstrumented one — its
// recorder, and the map in which net/http keeps the path values that
// roux sets for an operation's middleware — and nothing for tracing;
// with the global provider (no SDK installed), starting a span costs the
// span, its context and a copy of the request.
func TestNoopTracerAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	allocs := func(api *roux.API) float64 {
		tmpl, _ := http.NewRequest("GET", "/items/42?q=tomato&limit=25", nil)
		tmpl.Header.Set("X-Tenant", "acme")
		w := &discardWriter{h: http.Header{}}
		return testing.AllocsPerRun(200, func() {
			r := new(http.Request)
			*r = *tmpl
			w.reset()
			api.ServeHTTP(w, r)
		})
	}
	off := allocs(benchAPI())
	noop := allocs(benchAPI(rouxotel.TracerProvider(tracenoop.NewTracerProvider()), rouxotel.MeterProvider(metricnoop.NewMeterProvider())))
	global := allocs(benchAPI(rouxotel.MeterProvider(metricnoop.NewMeterProvider())))
	if noop != off+3 {
		t.Errorf("no-op tracer: got %v allocations a request, want %v (uninstrumented %v, the recorder and the path values)", noop, off+3, off)
	}
	if global <= noop {
		t.Errorf("global tracer provider: got %v allocations a request, want more than the no-op's %v", global, noop)
	}
	t.Logf("allocations a request: uninstrumented %v, no-op tracer %v, global provider %v", off, noop, global)
}
