package rouxotel_test

// BenchmarkInstrument measures what telemetry costs per request: the
// GET operation of the root package's BenchmarkGet, served in process,
//
//   - off:  the API is not instrumented (roux serves it as if this
//     package did not exist);
//   - noop: instrumented with no-op tracer and meter providers;
//   - sdk:  instrumented with the SDK, every span sampled and handed to a
//     batch processor whose exporter drops it, every metric aggregated;
//   - sdk-parent: the same, with an incoming traceparent header;
//   - metrics: metrics alone, aggregated by the SDK, with the no-op
//     tracer provider (the kitchen's setting when it writes no traces).
//
//	go test -run '^$' -bench Instrument -count 10 ./otel | tee otel.txt
//	benchstat -col /telemetry otel.txt

import (
	"context"
	"net/http"
	"testing"

	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/roux-go/roux"
	rouxotel "github.com/roux-go/roux/otel"
)

type benchIn struct {
	ID     int64  `path:"id" minimum:"1"`
	Q      string `query:"q" maxLength:"50"`
	Limit  int    `query:"limit" minimum:"1" maximum:"100" default:"10"`
	Tenant string `header:"X-Tenant" required:"true" minLength:"1"`
}

type benchItem struct {
	ID     int64  `json:"id"`
	Q      string `json:"q"`
	Limit  int    `json:"limit"`
	Tenant string `json:"tenant"`
}

func benchAPI(opts ...rouxotel.Option) *roux.API {
	api := roux.New(roux.Config{})
	roux.Get(api, "/items/{id}", func(ctx context.Context, in *benchIn) (*benchItem, error) {
		return &benchItem{ID: in.ID, Q: in.Q, Limit: in.Limit, Tenant: in.Tenant}, nil
	})
	if opts != nil {
		if err := rouxotel.Instrument(api, opts...); err != nil {
			panic(err)
		}
	}
	return api
}

// discardWriter is a reusable ResponseWriter, so that the benchmark
// measures the handler rather than httptest.ResponseRecorder.
type discardWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(s int)           { w.status = s }
func (w *discardWriter) Write(b []byte) (int, error) { w.n += len(b); return len(b), nil }
func (w *discardWriter) reset()                      { clear(w.h); w.status, w.n = 0, 0 }

// dropExporter is an exporter that drops what it is given.
type dropExporter struct{}

func (dropExporter) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (dropExporter) Shutdown(context.Context) error                             { return nil }

func BenchmarkInstrument(b *testing.B) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()), sdktrace.WithBatcher(dropExporter{}))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	defer tp.Shutdown(context.Background())
	defer mp.Shutdown(context.Background())
	sdk := benchAPI(rouxotel.TracerProvider(tp), rouxotel.MeterProvider(mp))
	for _, tt := range []struct {
		name   string
		api    *roux.API
		parent bool
	}{
		{"off", benchAPI(), false},
		{"noop", benchAPI(rouxotel.TracerProvider(tracenoop.NewTracerProvider()), rouxotel.MeterProvider(metricnoop.NewMeterProvider())), false},
		{"sdk", sdk, false},
		{"sdk-parent", sdk, true},
		{"metrics", benchAPI(rouxotel.TracerProvider(tracenoop.NewTracerProvider()), rouxotel.MeterProvider(mp)), false},
	} {
		b.Run("telemetry="+tt.name, func(b *testing.B) {
			tmpl, _ := http.NewRequest("GET", "/items/42?q=tomato&limit=25", nil)
			tmpl.Header.Set("X-Tenant", "acme")
			if tt.parent {
				tmpl.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
			}
			w := &discardWriter{h: http.Header{}}
			first := *tmpl
			tt.api.ServeHTTP(w, &first)
			if w.status != http.StatusOK {
				b.Fatalf("got status %d", w.status)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				// A fresh request each time, as from a server: a request
				// that was served keeps its path values, which would hide
				// what setting them costs. The copy is one allocation.
				r := new(http.Request)
				*r = *tmpl
				w.reset()
				tt.api.ServeHTTP(w, r)
			}
		})
	}
}
