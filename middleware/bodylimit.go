package middleware

import (
	"fmt"
	"net/http"
)

// BodyLimit caps request bodies at n bytes: a request that declares a
// larger Content-Length is answered 413 at once, and reading past n bytes
// of any other body fails with *http.MaxBytesError (roux answers that 413
// too; so does http.Request.ParseForm's caller, by convention). roux's own
// per-operation limit (roux.BodyLimit) applies as well; the smaller wins.
func BodyLimit(n int64) func(http.Handler) http.Handler {
	if n <= 0 {
		panic("middleware: BodyLimit needs a positive size")
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > n {
				writeProblem(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than the limit of %d bytes", n))
				return
			}
			if r.Body != nil && r.Body != http.NoBody {
				r.Body = http.MaxBytesReader(w, r.Body, n)
			}
			next.ServeHTTP(w, r)
		})
	}
}
