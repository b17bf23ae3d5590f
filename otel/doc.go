// Package rouxotel instruments a roux API with OpenTelemetry: a server
// span per operation, the HTTP server metrics of the semantic
// conventions per operation, and trace context carried in from incoming
// requests and out by clients.
//
// It lives in its own module (github.com/roux-go/roux/otel) so that the
// roux module depends on no OpenTelemetry package; an API that is not
// instrumented pays nothing for it.
//
// # Server
//
// [Instrument] wraps every operation of an API (through
// [roux.API.WrapOperations]):
//
//	api := roux.New(roux.Config{})
//	roux.Get(api, "/dishes/{id}", getDish)
//	if err := rouxotel.Instrument(api, rouxotel.TracerProvider(tp), rouxotel.MeterProvider(mp)); err != nil {
//		return err
//	}
//
// Each request an operation serves gets a server span named after the
// operationId ("get-dishes-id"), child of the span context found in the
// request's headers (W3C traceparent by default), with the attributes of
// the HTTP server semantic conventions: http.request.method, http.route
// (the pattern "/dishes/{id}", never the raw path) and url.scheme, which
// samplers see, then on a recorded span url.path, server.address,
// server.port, client.address (the peer: forwarding headers are not
// trusted), user_agent.original, network.protocol.version,
// http.response.status_code and, for a 5xx answer, error.type and the
// span status Error. 4xx answers leave the span status unset, as the
// conventions require of servers. The operation's handler finds the span
// in its context (trace.SpanFromContext).
//
// The metrics are those of the conventions — http.server.request.duration
// (seconds), http.server.active_requests, http.server.request.body.size
// and http.server.response.body.size — with the attributes
// http.request.method, url.scheme, http.route, roux.operation.id, and,
// except for active requests, http.response.status_code and error.type.
//
// The counter roux.server.refusals ([RefusalsMetric]) counts, by
// roux.refusal.reason, the requests refused before an operation served
// them — with 503 when the CPU pool is full, at a load shedder's limit or
// its cap on long-lived responses, with 429 at a rate limit — and the
// connections refused at a
// server's cap: what [roux.API.Refusals] reports, the CPU pool's and those
// of the counters registered with [roux.API.CountRefusals] (package cli
// registers its connection cap's). In Prometheus it is
// roux_server_refusals_total{roux_refusal_reason="load_shed"}, and so on.
//
// Requests that match no operation (404, 405, automatic OPTIONS,
// redirects) and the document and docs routes are not instrumented:
// they have no operation. Wrap the whole API in otelhttp for those.
//
// [ProblemHook] adds the problem roux answers with to the span as an
// event, with its type, title, status and detail.
//
// # Client
//
// [Transport] is an http.RoundTripper for any http.Client, the typed
// client's included: it starts a client span for each request and
// injects its context into the request's headers, so the server's span
// becomes its child.
//
// # Cost
//
// An API that is not instrumented serves exactly as before: roux's
// operation wrappers are only consulted at registration. Instrumented
// with no-op providers, a request costs five allocations more: the span
// context, the request carrying it and the response recorder, and two for
// the path values roux hands every wrapped operation through
// r.SetPathValue. With the SDK recording every span and metric it costs
// about twelve; BenchmarkInstrument measures it:
//
//	go test -run '^$' -bench Instrument -count 10 ./otel
package rouxotel
