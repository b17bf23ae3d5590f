package rouxotel

import (
	"io"
	"net/http"

	"go.opentelemetry.io/otel/propagation"
)

// recorder is the writer an instrumented operation writes through: it
// keeps the status and counts the body bytes. Unwrap lets
// http.NewResponseController reach the writer's Flush, Hijack and
// deadlines; Flush and ReadFrom are also methods of its own for code
// that asserts the interfaces directly.
type recorder struct {
	http.ResponseWriter
	status  int
	written int64
	body    countingBody // the request body, when its length is unknown
}

// WriteHeader records the first final status.
func (w *recorder) WriteHeader(code int) {
	if w.status == 0 && (code >= 200 || code < 100) {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write counts the body bytes written.
func (w *recorder) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.written += int64(n)
	return n, err
}

// ReadFrom counts the bytes copied, keeping the writer's own ReadFrom
// (sendfile) when it has one.
func (w *recorder) ReadFrom(r io.Reader) (int64, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := io.Copy(w.ResponseWriter, r)
	w.written += n
	return n, err
}

// Flush sends buffered data to the client, if the writer can.
func (w *recorder) Flush() {
	http.NewResponseController(w.ResponseWriter).Flush() //nolint:errcheck // http.Flusher has no error to return
}

// Unwrap returns the wrapped writer, for http.NewResponseController.
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// countingBody counts the bytes read from a request body.
type countingBody struct {
	io.ReadCloser
	n int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	return n, err
}

// headerCarrier reads and writes trace context in HTTP headers, like
// propagation.HeaderCarrier, but finds the W3C headers without
// canonicalizing their lowercase names, which allocates on every request.
type headerCarrier http.Header

// Get returns the first value of key.
func (c headerCarrier) Get(key string) string {
	var vs []string
	switch key {
	case "traceparent":
		vs = c["Traceparent"]
	case "tracestate":
		vs = c["Tracestate"]
	case "baggage":
		vs = c["Baggage"]
	default:
		return http.Header(c).Get(key)
	}
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// Set sets key to value.
func (c headerCarrier) Set(key, value string) { http.Header(c).Set(key, value) }

// Keys lists the header names.
func (c headerCarrier) Keys() []string { return propagation.HeaderCarrier(c).Keys() }
