package middleware

import (
	"log/slog"
	"net/http"
	"runtime"
)

// Recover catches a panic in the handlers below it, logs it with its
// stack to logger (slog.Default() when nil) and answers 500 with a problem
// that says nothing about the cause — if the response has not started; a
// response already under way is cut short instead. http.ErrAbortHandler
// is passed on, as net/http expects.
//
// roux recovers handler panics itself; Recover is for everything else on
// the chain, and for plain net/http handlers.
func Recover(logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sw := &startWriter{ResponseWriter: w}
			defer func() {
				v := recover()
				if v == nil {
					return
				}
				if v == http.ErrAbortHandler {
					panic(v)
				}
				buf := make([]byte, 16<<10)
				buf = buf[:runtime.Stack(buf, false)]
				log := logger
				if log == nil {
					log = slog.Default()
				}
				log.LogAttrs(r.Context(), slog.LevelError, "middleware: panic recovered",
					slog.Any("panic", v), slog.String("method", r.Method), slog.String("path", r.URL.Path),
					slog.String("stack", string(buf)))
				if sw.started {
					panic(http.ErrAbortHandler) // the client has a partial response: drop the connection
				}
				writeProblem(w, http.StatusInternalServerError, "the server failed to handle the request")
			}()
			next.ServeHTTP(sw, r)
		})
	}
}

// startWriter records whether the response has started.
type startWriter struct {
	http.ResponseWriter
	started bool
}

func (w *startWriter) WriteHeader(code int) {
	if code >= 200 {
		w.started = true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *startWriter) Write(b []byte) (int, error) {
	w.started = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *startWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush passes a flush on, so streaming handlers keep working.
func (w *startWriter) Flush() {
	w.started = true
	http.NewResponseController(w.ResponseWriter).Flush() //nolint:errcheck // not every writer flushes
}
