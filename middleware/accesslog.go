package middleware

import (
	"log/slog"
	"net/http"
	"time"
)

// StatusClientClosedRequest is the status [AccessLog] logs for a request
// whose client went away before anything was sent to it (499, as nginx
// logs it). No response carries it.
const StatusClientClosedRequest = 499

// AccessLog logs one line per request to logger (slog.Default() when
// nil) once the response is written: method, path, status, response
// bytes, duration, and the request ID and client IP when [RequestID] and
// [ClientIP] run before it. Server errors (5xx) are logged at level
// Error, client errors (4xx) at Warn, the rest at Info. A request whose
// client went away before anything was sent is logged with
// [StatusClientClosedRequest], at Info: a client hanging up is no error
// of the server's, nor does it send one.
func AccessLog(logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			rec := &statusRecorder{ResponseWriter: w}
			defer func() {
				log := logger
				if log == nil {
					log = slog.Default()
				}
				status := rec.status
				switch {
				case status != 0:
				case r.Context().Err() != nil:
					// Nothing sent, and the client went away: roux
					// aborts such a response, and nobody reads what
					// net/http would send.
					status = StatusClientClosedRequest
				default:
					status = http.StatusOK
				}
				level := slog.LevelInfo
				switch {
				case status == StatusClientClosedRequest:
				case status >= 500:
					level = slog.LevelError
				case status >= 400:
					level = slog.LevelWarn
				}
				if !log.Enabled(r.Context(), level) {
					return // no line to write: nothing to gather
				}
				attrs := []slog.Attr{
					slog.String("method", r.Method),
					slog.String("path", r.URL.Path),
					slog.Int("status", status),
					slog.Int64("bytes", rec.bytes),
					slog.Duration("duration", time.Since(start)),
				}
				if id := RequestIDFrom(r.Context()); id != "" {
					attrs = append(attrs, slog.String("request_id", id))
				}
				if ip := ClientIPFrom(r.Context()); ip.IsValid() {
					attrs = append(attrs, slog.String("client_ip", ip.String()))
				}
				log.LogAttrs(r.Context(), level, "request", attrs...)
			}()
			next.ServeHTTP(rec, r)
		})
	}
}

// statusRecorder records the status and size of a response.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush passes a flush on, so streaming handlers keep working.
func (w *statusRecorder) Flush() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	http.NewResponseController(w.ResponseWriter).Flush() //nolint:errcheck // not every writer flushes
}
