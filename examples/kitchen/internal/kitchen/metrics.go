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
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/attribute"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/exemplar"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

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
		// No exemplars: the endpoint serves the Prometheus text format,
		// which has no place for them (OpenMetrics has; it is off), and
		// offering each measurement to a reservoir looked for a sampled
		// span in the request's context on every recording.
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter), sdkmetric.WithResource(res),
			sdkmetric.WithExemplarFilter(exemplar.AlwaysOffFilter))
		s.api.OnShutdown(mp.Shutdown)
		if err := s.queueMetrics(mp.Meter("kitchen")); err != nil {
			return err
		}
		opts = append(opts, rouxotel.MeterProvider(mp))
		s.api.Use(serveAt(MetricsPath, promhttp.HandlerFor(registry, promhttp.HandlerOpts{})))
	}
	if traces != nil {
		exporter, err := stdouttrace.New(stdouttrace.WithWriter(traces))
		if err != nil {
			return err
		}
		tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))
		s.api.OnShutdown(tp.Shutdown)
		opts = append(opts, rouxotel.TracerProvider(tp))
	} else if metrics {
		// Metrics alone: no span to start for each request.
		opts = append(opts, rouxotel.TracerProvider(tracenoop.NewTracerProvider()))
	}
	if len(opts) == 0 {
		return nil
	}
	return rouxotel.Instrument(s.api, opts...)
}

// queueMetrics publishes the job queue's state at every collection:
//
//   - kitchen_jobs{kind,state}: the jobs not finished, by kind
//     (cook_order, deliver_webhook, expire_keys) and state (available,
//     scheduled, running, retryable, pending), read from the database —
//     the whole queue, as every instance sharing it reports it. A queue
//     that keeps up stays about as deep as the work that arrives in a
//     job's time.
//   - kitchen_jobs_completed_total{kind}, kitchen_jobs_failed_total{kind}
//     and kitchen_jobs_discarded_total{kind}: the runs this instance
//     finished — completed, failed (to be retried, or for the last time)
//     and given up after their last attempt.
//   - kitchen_webhook_deliveries_total{outcome}: the attempts of webhook
//     deliveries this instance made, by outcome — delivered (the
//     receiver answered 2xx), retried (tried again later, after the
//     receiver's Retry-After or the queue's backoff), failed (given up
//     after the last attempt) and cancelled (not tried again: the
//     receiver refused the message, its address is one the kitchen does
//     not send to, or the endpoint is gone).
func (s *Service) queueMetrics(m metric.Meter) error {
	jobs, err1 := m.Int64ObservableGauge("kitchen.jobs",
		metric.WithDescription("Jobs in the queue not finished, by kind and state (the whole queue, shared by the instances)"))
	completed, err2 := m.Int64ObservableCounter("kitchen.jobs.completed",
		metric.WithDescription("Jobs this instance completed, by kind"))
	failed, err3 := m.Int64ObservableCounter("kitchen.jobs.failed",
		metric.WithDescription("Runs of jobs that failed in this instance, by kind: retried, or the job's last attempt"))
	discarded, err4 := m.Int64ObservableCounter("kitchen.jobs.discarded",
		metric.WithDescription("Jobs this instance gave up after their last attempt, by kind"))
	deliveries, err5 := m.Int64ObservableCounter("kitchen.webhook.deliveries",
		metric.WithDescription("Attempts of webhook deliveries this instance made, by outcome: delivered, retried, failed (given up after the last attempt), cancelled (refused, or not to be sent)"))
	if err := errors.Join(err1, err2, err3, err4, err5); err != nil {
		return err
	}
	_, err := m.RegisterCallback(func(ctx context.Context, o metric.Observer) error {
		db, err := s.db()
		if err != nil {
			return nil // not started: nothing to report
		}
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		q, err := db.Queue(ctx)
		if err != nil {
			return err
		}
		for _, c := range q.Waiting {
			o.ObserveInt64(jobs, c.N, metric.WithAttributes(attribute.String("kind", c.Kind), attribute.String("state", c.State)))
		}
		for _, r := range q.Worked {
			kind := metric.WithAttributes(attribute.String("kind", r.Kind))
			o.ObserveInt64(completed, r.Completed, kind)
			o.ObserveInt64(failed, r.Failed, kind)
			o.ObserveInt64(discarded, r.Discarded, kind)
		}
		d := q.Deliveries
		for _, x := range []struct {
			outcome string
			n       int64
		}{{"delivered", d.Delivered}, {"retried", d.Retried}, {"failed", d.Failed}, {"cancelled", d.Cancelled}} {
			o.ObserveInt64(deliveries, x.n, metric.WithAttributes(attribute.String("outcome", x.outcome)))
		}
		return nil
	}, jobs, completed, failed, discarded, deliveries)
	return err
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
