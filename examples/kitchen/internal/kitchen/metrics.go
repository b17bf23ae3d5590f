package kitchen

// This file holds the service's telemetry: OpenTelemetry metrics of
// every operation (package rouxotel), served to Prometheus at GET
// /metrics, and optionally a span per request written as JSON.
//
// /metrics is not an operation: it is no part of the API a client calls,
// so it stays out of the OpenAPI document. It is served by a middleware
// in front of the API (roux.API.Use), which is also what package cli
// serves.

import (
	"io"
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/attribute"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	rouxotel "github.com/roux-go/roux/otel"
)

// MetricsPath is where the service serves its metrics, in the
// Prometheus text format, when Config.Metrics is set.
const MetricsPath = "/metrics"

// instrument sets up what cfg asks for: the metrics of every operation
// and their endpoint, spans. Its providers are shut down with the API.
func (s *Service) instrument(metrics bool, traces io.Writer) error {
	res := resource.NewSchemaless(attribute.String("service.name", "kitchen"), attribute.String("service.instance.id", s.cfg.Instance))
	var opts []rouxotel.Option
	if metrics {
		registry := prometheus.NewRegistry()
		registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
		exporter, err := otelprom.New(otelprom.WithRegisterer(registry), otelprom.WithoutScopeInfo())
		if err != nil {
			return err
		}
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter), sdkmetric.WithResource(res))
		s.api.OnShutdown(mp.Shutdown)
		opts = append(opts, rouxotel.WithMeterProvider(mp))
		s.api.Use(serveAt(MetricsPath, promhttp.HandlerFor(registry, promhttp.HandlerOpts{})))
	}
	if traces != nil {
		exporter, err := stdouttrace.New(stdouttrace.WithWriter(traces))
		if err != nil {
			return err
		}
		tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))
		s.api.OnShutdown(tp.Shutdown)
		opts = append(opts, rouxotel.WithTracerProvider(tp))
	}
	if len(opts) == 0 {
		return nil
	}
	return rouxotel.Instrument(s.api, opts...)
}

// serveAt is a middleware that answers GET and HEAD requests for path
// with h, and passes every other request on.
func serveAt(path string, h http.Handler) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != path {
				next.ServeHTTP(w, r)
				return
			}
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				w.Header().Set("Allow", "GET, HEAD")
				w.Header().Set("Content-Type", "application/problem+json")
				w.WriteHeader(http.StatusMethodNotAllowed)
				io.WriteString(w, `{"type":"about:blank","title":"Method Not Allowed","status":405,"detail":`+ //nolint:errcheck // nothing to do
					strconv.Quote("method "+r.Method+" is not allowed here; allowed: GET, HEAD")+"}")
				return
			}
			h.ServeHTTP(w, r)
		})
	}
}
