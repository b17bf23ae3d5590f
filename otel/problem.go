package rouxotel

import (
	"net/http"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/roux-go/roux"
)

// ProblemHook returns a [roux.Config] ProblemHook that adds every
// problem an instrumented operation answers with to its span, as a
// "roux.problem" event with the attributes roux.problem.type, .title,
// .status, .detail and, for a validation failure, .errors (the number of
// faults), then calls next when it is not nil. The event holds only what
// the client is sent: a 500's detail never carries the cause.
//
//	api := roux.New(roux.Config{ProblemHook: rouxotel.ProblemHook(nil)})
func ProblemHook(next func(r *http.Request, p *roux.Error)) func(r *http.Request, p *roux.Error) {
	return func(r *http.Request, p *roux.Error) {
		if next != nil {
			next(r, p)
		}
		span := trace.SpanFromContext(r.Context())
		if !span.IsRecording() {
			return
		}
		typ, title := p.Type, p.Title
		if typ == "" {
			typ = "about:blank"
		}
		if title == "" {
			title = http.StatusText(p.Status)
		}
		attrs := []attribute.KeyValue{
			attribute.String("roux.problem.type", typ),
			attribute.String("roux.problem.title", title),
			attribute.Int("roux.problem.status", p.Status),
			attribute.String("roux.problem.detail", p.Detail),
		}
		if len(p.Errors) > 0 {
			attrs = append(attrs, attribute.Int("roux.problem.errors", len(p.Errors)))
		}
		span.AddEvent("roux.problem", trace.WithAttributes(attrs...))
	}
}
