package rouxotel

import (
	"io"
	"net/http"
	"strconv"
	"sync"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// Transport returns an http.RoundTripper that sends requests through
// base (http.DefaultTransport when nil) in a client span, child of the
// span in the request's context, and injects the client span's context
// into the request's headers (W3C traceparent unless [Propagators]
// says otherwise). The span ends when the response body is read to its
// end or closed, or when the round trip fails.
//
// The span is named after the method, as the conventions say, with
// http.request.method, server.address, server.port, url.full (without
// credentials or query), http.response.status_code, and for a failure or
// a 4xx or 5xx answer error.type and the status Error. Only
// [TracerProvider] and [Propagators] apply.
func Transport(base http.RoundTripper, opts ...Option) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	c := newConfig(opts)
	return &transport{
		base:   base,
		tracer: c.tp.Tracer(ScopeName, trace.WithSchemaURL(semconv.SchemaURL)),
		prop:   c.prop,
	}
}

type transport struct {
	base   http.RoundTripper
	tracer trace.Tracer
	prop   propagation.TextMapPropagator
}

var clientKind = trace.WithSpanKind(trace.SpanKindClient)

// RoundTrip sends a copy of req carrying the trace context; req itself is
// not changed.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	u := *req.URL
	u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
	attrs := []trace.SpanStartOption{clientKind, trace.WithAttributes(
		semconv.HTTPRequestMethodKey.String(req.Method),
		semconv.URLFull(u.String()),
	)}
	if host, port := splitHostPort(req.URL.Host); host != "" {
		switch {
		case port != 0:
		case req.URL.Scheme == "https":
			port = 443
		case req.URL.Scheme == "http":
			port = 80
		}
		attrs = append(attrs, trace.WithAttributes(semconv.ServerAddress(host), semconv.ServerPort(port)))
	}
	ctx, span := t.tracer.Start(req.Context(), req.Method, attrs...)
	out := req.Clone(ctx)
	t.prop.Inject(ctx, propagation.HeaderCarrier(out.Header))
	res, err := t.base.RoundTrip(out)
	if err != nil {
		span.SetAttributes(semconv.ErrorType(err))
		span.SetStatus(codes.Error, err.Error())
		span.End()
		return nil, err
	}
	span.SetAttributes(semconv.HTTPResponseStatusCode(res.StatusCode))
	if res.StatusCode >= 400 {
		span.SetAttributes(semconv.ErrorTypeKey.String(strconv.Itoa(res.StatusCode)))
		span.SetStatus(codes.Error, "")
	}
	if res.Body == nil || res.Body == http.NoBody {
		span.End()
		return res, nil
	}
	res.Body = &spanBody{ReadCloser: res.Body, span: span}
	return res, nil
}

// spanBody ends the client span when the body is done with.
type spanBody struct {
	io.ReadCloser
	span trace.Span
	once sync.Once
}

func (b *spanBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		b.end(err)
	}
	return n, err
}

func (b *spanBody) Close() error {
	err := b.ReadCloser.Close()
	b.end(nil)
	return err
}

func (b *spanBody) end(err error) {
	b.once.Do(func() {
		if err != nil && err != io.EOF {
			b.span.RecordError(err)
		}
		b.span.End()
	})
}
