package kitchen

// This file holds the service's load shedder (package middleware's
// LoadShedder), on unless Config.NoLoadShed. It admits as many requests
// at once as keep latency flat, never fewer than MinConcurrency unless it
// is refusing requests (then OverloadConcurrency), and answers the rest
// 503 with Retry-After at once. The health probes and /metrics are the
// last it refuses, so that an instance under load is neither taken for
// dead nor hidden from its operator; the bill, whose search is CPU-bound
// and can be asked for again, and the document and docs page are the
// first. Event streams take no place among the requests: they have a cap
// of their own (Config.MaxStreams), since each one holds a connection
// and reads the store at every event of its order for as long as it
// lasts. While it is refusing requests and one it admitted is running,
// it admits none but the probes and /metrics as long as the Go scheduler
// runs Config.ShedDelay late (middleware.SchedulingDelay): refusals cost
// net/http's processor time too, and a concurrency limit does not leave
// them any.
//
// The shedder stands in front of all the service's middleware: a refused
// request gets neither a request ID nor the security headers, is not
// logged, timed nor routed, since what a refusal costs is what the
// service loses of its capacity under overload (issue 14; BENCHMARKS.md).
// Above net/http (BenchmarkRefusal), a refusal cost 3.1 µs and 14
// allocations (2.5 kB) behind recover, the request ID and the security
// headers, and costs 0.9 µs and 5 allocations (0.9 kB, most of them the
// header map and its copy that net/http makes for any response) in
// front of them.
// The refusal is a 503 problem with Retry-After and
// X-Content-Type-Options (roux sets it before any middleware), and the
// document says so: roux publishes a middleware's headers only on the
// responses of what it wraps, so the request ID and the security headers,
// added after the shedder, are not published on its 503. Refusals are counted in /metrics
// (roux_server_refusals_total, by reason) instead of logged one by one.

import (
	"net/http"
	"strings"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/middleware"
)

// DefaultMaxStreams is the default of Config.MaxStreams.
const DefaultMaxStreams = 256

// shedLoad puts the load shedder in front of the API's middleware added
// after it, publishes its 503 on every operation, and counts its
// refusals in the API's (which /metrics publishes).
func (s *Service) shedLoad() {
	floor, streams := s.cfg.MinConcurrency, s.cfg.MaxStreams
	if floor <= 0 {
		floor = MinConcurrency
	}
	if streams <= 0 {
		streams = DefaultMaxStreams
	}
	delay := s.cfg.ShedDelay
	if delay == 0 {
		delay = ShedDelay
	}
	shed := middleware.NewLoadShedder(
		middleware.SchedulingDelay(delay), // off if negative
		middleware.MinLimit(floor),
		middleware.OverloadMinLimit(OverloadConcurrency),
		middleware.InitialLimit(floor),
		middleware.MaxLimit(max(floor, 1000)),
		middleware.Prioritize(priority),
		middleware.LongLived(isStream),
		middleware.MaxLongLived(streams),
	)
	s.api.UseDocumented(shed)
	s.api.CountRefusals(roux.RefusalLoadShed, shed.Shed)
	s.api.CountRefusals(roux.RefusalLongLived, shed.ShedLongLived)
}

// priority is the load shedder's class of r: the health probes and the
// metrics last, the CPU-bound bill and the documents first.
func priority(r *http.Request) middleware.Priority {
	p := r.URL.Path
	switch {
	case p == "/livez" || p == "/readyz" || p == MetricsPath:
		return middleware.Critical
	case strings.HasPrefix(p, "/orders/") && strings.HasSuffix(p, "/bill"),
		strings.HasPrefix(p, "/docs"), strings.HasPrefix(p, "/openapi."):
		return middleware.Low
	}
	return middleware.Normal
}

// isStream reports whether r asks for an order's event stream.
func isStream(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/orders/") && strings.HasSuffix(r.URL.Path, "/events")
}
