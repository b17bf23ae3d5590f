package rouxotel

import (
	"context"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/semconv/v1.43.0/httpconv"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/roux-go/roux"
)

// ScopeName is the instrumentation scope of the tracer and the meter
// this package uses.
const ScopeName = "github.com/roux-go/roux/otel"

// OperationIDKey is the attribute that names the roux operation on
// metrics.
const OperationIDKey = attribute.Key("roux.operation.id")

// OperationClassKey is the attribute that gives the operation's class on
// metrics and spans: "cpu" for an operation declared roux.CPUBound, "io"
// for the others.
const OperationClassKey = attribute.Key("roux.operation.class")

// RefusalReasonKey is the attribute that gives the reason of a count of
// [RefusalsMetric]: one of roux's Refusal constants, such as
// "load_shed" ([roux.RefusalLoadShed]).
const RefusalReasonKey = attribute.Key("roux.refusal.reason")

// RefusalsMetric is the name of the counter of requests (and connections)
// refused before an operation could serve them, by [RefusalReasonKey]:
// what [roux.API.Refusals] reports. Prometheus shows it as
// roux_server_refusals_total.
const RefusalsMetric = "roux.server.refusals"

// Option configures [Instrument] and [Transport].
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	tp   trace.TracerProvider
	mp   metric.MeterProvider
	prop propagation.TextMapPropagator
}

// TracerProvider sets where spans go. It defaults to the global
// provider, otel.GetTracerProvider(). With OpenTelemetry's no-op provider
// (go.opentelemetry.io/otel/trace/noop), for metrics alone, no span is
// started: a request keeps the trace context it came with, as the no-op
// tracer would leave it, and costs less.
func TracerProvider(tp trace.TracerProvider) Option {
	return optionFunc(func(c *config) { c.tp = tp })
}

// MeterProvider sets where metrics go. It defaults to the global
// provider, otel.GetMeterProvider().
func MeterProvider(mp metric.MeterProvider) Option {
	return optionFunc(func(c *config) { c.mp = mp })
}

// Propagators sets how trace context is read from incoming requests
// and written into outgoing ones. It defaults to W3C Trace Context and
// Baggage; pass otel.GetTextMapPropagator() to use the global one.
func Propagators(p propagation.TextMapPropagator) Option {
	return optionFunc(func(c *config) { c.prop = p })
}

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		o.apply(&c)
	}
	if c.tp == nil {
		c.tp = otel.GetTracerProvider()
	}
	if c.mp == nil {
		c.mp = otel.GetMeterProvider()
	}
	if c.prop == nil {
		c.prop = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
	}
	return c
}

// server holds what every instrumented operation of an API shares.
type server struct {
	tracer   trace.Tracer
	spans    bool // false for a no-op tracer provider: no span is started
	prop     propagation.TextMapPropagator
	duration metric.Float64Histogram
	reqSize  metric.Int64Histogram
	respSize metric.Int64Histogram
	inflight inflight
}

// Instrument traces and measures every operation of api, those
// registered before the call and after it. Call it once per API, during
// registration. It fails only when the meter provider refuses to create
// an instrument.
func Instrument(api *roux.API, opts ...Option) error {
	c := newConfig(opts)
	s := &server{
		tracer: c.tp.Tracer(ScopeName, trace.WithSchemaURL(semconv.SchemaURL)),
		spans:  !isNoop(c.tp),
		prop:   c.prop,
	}
	meter := c.mp.Meter(ScopeName, metric.WithSchemaURL(semconv.SchemaURL))
	// The instruments are the conventions' (names, units, buckets), used
	// directly so that recording can reuse prebuilt attribute options.
	duration, err := httpconv.NewServerRequestDuration(meter)
	if err != nil {
		return err
	}
	// Requests in flight are counted by the operations themselves and
	// read when the metrics are collected (inflight.go): the SDK's two
	// recordings a request cost more than the rest of the metrics.
	active, err := httpconv.NewServerActiveRequestsObservable(meter)
	if err != nil {
		return err
	}
	if err := s.inflight.observe(meter, active.Inst()); err != nil {
		return err
	}
	reqSize, err := httpconv.NewServerRequestBodySize(meter)
	if err != nil {
		return err
	}
	respSize, err := httpconv.NewServerResponseBodySize(meter)
	if err != nil {
		return err
	}
	s.duration, s.reqSize, s.respSize = duration.Inst(), reqSize.Inst(), respSize.Inst()
	if err := observeRefusals(api, meter); err != nil {
		return err
	}
	api.WrapOperations(s.wrap)
	return nil
}

// observeRefusals publishes api.Refusals as the counter RefusalsMetric,
// read when the metrics are collected.
func observeRefusals(api *roux.API, meter metric.Meter) error {
	refused, err := meter.Int64ObservableCounter(RefusalsMetric, metric.WithUnit("{request}"),
		metric.WithDescription("Requests refused before an operation served them (503; 429 for rate_limit), and connections refused "+
			"at the server's cap, by reason: cpu_pool (CPU-bound operations' pool full), load_shed (the load "+
			"shedder's concurrency limit or scheduler gate), long_lived_limit (too many event streams or WebSocket sessions open), "+
			"connection_limit (too many connections open), rate_limit (a client over its rate limit)."))
	if err != nil {
		return err
	}
	_, err = meter.RegisterCallback(func(ctx context.Context, o metric.Observer) error {
		for reason, n := range api.Refusals() {
			o.ObserveInt64(refused, n, metric.WithAttributeSet(attribute.NewSet(RefusalReasonKey.String(reason))))
		}
		return nil
	}, refused)
	return err
}

var serverKind = trace.WithSpanKind(trace.SpanKindServer)

// schemes indexes the attribute sets of an operation: plain HTTP or TLS.
var schemes = [2]string{"http", "https"}

// opHandler instruments one operation. The metric attributes are built
// once: per scheme for active requests, and per scheme and status on
// first use for the others, so that recording does not allocate.
type opHandler struct {
	*server
	next     http.Handler
	op       roux.OperationInfo
	route    attribute.KeyValue
	opID     attribute.KeyValue
	class    attribute.KeyValue
	method   attribute.KeyValue
	start    [2][]trace.SpanStartOption // per scheme, for requests of the operation's method
	active   [2]*activeCount            // per scheme, for requests of the operation's method
	byStatus atomic.Pointer[[]statusAttrs]
}

// statusAttrs are the attributes of a finished request of the
// operation's method with a status, on a scheme.
type statusAttrs struct {
	tls, status int
	opts        []metric.RecordOption
}

// maxStatusAttrs bounds the statuses an operation keeps attributes of;
// an operation answers a handful.
const maxStatusAttrs = 32

func (s *server) wrap(op roux.OperationInfo, next http.Handler) http.Handler {
	h := &opHandler{
		server: s, next: next, op: op,
		route:  semconv.HTTPRoute(op.Pattern),
		opID:   OperationIDKey.String(op.ID),
		class:  OperationClassKey.String(class(op)),
		method: semconv.HTTPRequestMethodKey.String(op.Method),
	}
	for i, scheme := range schemes {
		h.active[i] = s.inflight.count(h.activeSet(op.Method, i))
		h.start[i] = []trace.SpanStartOption{serverKind, trace.WithAttributes(h.method, h.route, semconv.URLScheme(scheme), h.class)}
	}
	return h
}

// activeSet returns the attributes of an active request.
func (h *opHandler) activeSet(method string, tls int) attribute.Set {
	return attribute.NewSet(semconv.HTTPRequestMethodKey.String(method), semconv.URLScheme(schemes[tls]), h.route, h.opID, h.class)
}

// startOptions returns the options a request's span starts with: its
// kind and the attributes that samplers see. They are built once for the
// operation's method, so that starting a span the provider does not
// record allocates nothing here.
func (h *opHandler) startOptions(method string, tls int) []trace.SpanStartOption {
	if method == h.op.Method {
		return h.start[tls]
	}
	return []trace.SpanStartOption{serverKind, trace.WithAttributes(
		semconv.HTTPRequestMethodKey.String(method), h.route, semconv.URLScheme(schemes[tls]), h.class)}
}

// countOf returns the count of active requests of a method.
func (h *opHandler) countOf(method string, tls int) *activeCount {
	if method == h.op.Method {
		return h.active[tls]
	}
	return h.inflight.count(h.activeSet(method, tls))
}

// metricAttrs returns the attributes of a finished request. Those of the
// operation's method are built once per scheme and status, and kept in a
// short list that is replaced, not changed, when a status is added.
func (h *opHandler) metricAttrs(method string, tls, status int) []metric.RecordOption {
	cacheable := method == h.op.Method && status >= 100 && status < 600
	var known []statusAttrs
	p := h.byStatus.Load()
	if cacheable && p != nil {
		known = *p
		for i := range known {
			if known[i].status == status && known[i].tls == tls {
				return known[i].opts
			}
		}
	}
	kv := [7]attribute.KeyValue{
		semconv.HTTPRequestMethodKey.String(method), semconv.URLScheme(schemes[tls]), h.route, h.opID, h.class,
		semconv.HTTPResponseStatusCode(status),
	}
	n := 6
	if status >= 500 {
		kv[n] = semconv.ErrorTypeKey.String(strconv.Itoa(status))
		n++
	}
	opts := []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(kv[:n]...))}
	if cacheable && len(known) < maxStatusAttrs {
		// Two requests may add a status at once; the loser's list is
		// lost, and its status added again on a later request.
		added := append(known[:len(known):len(known)], statusAttrs{tls: tls, status: status, opts: opts})
		h.byStatus.CompareAndSwap(p, &added)
	}
	return opts
}

func (h *opHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	tls := 0
	if r.TLS != nil {
		tls = 1
	}
	ctx := h.prop.Extract(r.Context(), headerCarrier(r.Header))
	var span trace.Span
	recording := false
	if h.spans {
		ctx, span = h.tracer.Start(ctx, h.op.ID, h.startOptions(r.Method, tls)...)
		if recording = span.IsRecording(); recording {
			span.SetAttributes(h.requestAttrs(r)...)
		}
	}
	active := h.countOf(r.Method, tls)
	active.add(1)

	rec := &recorder{ResponseWriter: w}
	if ctx != r.Context() { // without a span, only a propagated trace context changes it
		r = r.WithContext(ctx)
	}
	if r.ContentLength < 0 && r.Body != nil && r.Body != http.NoBody {
		rec.body.ReadCloser = r.Body
		r.Body = &rec.body
	}
	completed := false
	defer func() {
		status := rec.status
		switch {
		case !completed && status == 0:
			status = http.StatusInternalServerError // a panic, answered by roux with a 500
		case status == 0:
			status = http.StatusOK // what net/http sends for a handler that wrote nothing
		}
		if recording {
			if status >= 500 {
				span.SetAttributes(semconv.HTTPResponseStatusCode(status), semconv.ErrorTypeKey.String(strconv.Itoa(status)))
				span.SetStatus(codes.Error, "")
			} else {
				span.SetAttributes(semconv.HTTPResponseStatusCode(status))
			}
		}
		if span != nil {
			span.End()
		}
		active.add(-1)
		attrs := h.metricAttrs(r.Method, tls, status)
		h.duration.Record(ctx, time.Since(start).Seconds(), attrs...)
		switch {
		case r.ContentLength >= 0:
			h.reqSize.Record(ctx, r.ContentLength, attrs...)
		case rec.body.ReadCloser != nil:
			h.reqSize.Record(ctx, rec.body.n, attrs...)
		}
		h.respSize.Record(ctx, rec.written, attrs...)
	}()
	h.next.ServeHTTP(rec, r)
	completed = true
}

// requestAttrs returns the attributes of a recorded span that come from
// the request.
func (h *opHandler) requestAttrs(r *http.Request) []attribute.KeyValue {
	attrs := make([]attribute.KeyValue, 0, 6)
	attrs = append(attrs, semconv.URLPath(r.URL.Path))
	if host, port := splitHostPort(r.Host); host != "" {
		attrs = append(attrs, semconv.ServerAddress(host))
		if port > 0 {
			attrs = append(attrs, semconv.ServerPort(port))
		}
	}
	if host, _ := splitHostPort(r.RemoteAddr); host != "" {
		attrs = append(attrs, semconv.ClientAddress(host))
	}
	if ua := r.UserAgent(); ua != "" {
		attrs = append(attrs, semconv.UserAgentOriginal(ua))
	}
	switch {
	case r.ProtoMajor == 1 && r.ProtoMinor == 1:
		attrs = append(attrs, semconv.NetworkProtocolVersion("1.1"))
	case r.ProtoMajor == 2:
		attrs = append(attrs, semconv.NetworkProtocolVersion("2"))
	case r.ProtoMajor == 1 && r.ProtoMinor == 0:
		attrs = append(attrs, semconv.NetworkProtocolVersion("1.0"))
	}
	return attrs
}

// splitHostPort splits "host:port", "[v6]:port", "host" or "[v6]"
// without allocating; port is 0 when absent or invalid.
func splitHostPort(hp string) (host string, port int) {
	if hp == "" {
		return "", 0
	}
	if hp[0] == '[' {
		end := -1
		for i := 1; i < len(hp); i++ {
			if hp[i] == ']' {
				end = i
				break
			}
		}
		if end < 0 {
			return "", 0
		}
		host = hp[1:end]
		if rest := hp[end+1:]; len(rest) > 1 && rest[0] == ':' {
			port, _ = strconv.Atoi(rest[1:])
		}
		return host, validPort(port)
	}
	colon := -1
	for i := len(hp) - 1; i >= 0; i-- {
		if hp[i] == ':' {
			colon = i
			break
		}
	}
	if colon < 0 {
		return hp, 0
	}
	for i := 0; i < colon; i++ {
		if hp[i] == ':' {
			return hp, 0 // a bare IPv6 address
		}
	}
	port, _ = strconv.Atoi(hp[colon+1:])
	return hp[:colon], validPort(port)
}

func validPort(p int) int {
	if p < 1 || p > 65535 {
		return 0
	}
	return p
}

// isNoop reports whether tp is OpenTelemetry's no-op provider, whose
// spans record nothing: without a span, a request is served with the
// trace context it came with (what the no-op tracer would give it) and
// without the context and request copies that starting one costs.
func isNoop(tp trace.TracerProvider) bool {
	switch tp.(type) {
	case noop.TracerProvider, *noop.TracerProvider:
		return true
	}
	return false
}

// class is the value of OperationClassKey for op.
func class(op roux.OperationInfo) string {
	if op.CPUBound {
		return "cpu"
	}
	return "io"
}
