package middleware

import (
	"net/http"
	"strconv"
)

// writeProblem sends an RFC 9457 problem with status and detail.
func writeProblem(w http.ResponseWriter, status int, detail string) {
	writeProblemBody(w, status, problemBody(status, detail))
}

// writeProblemBody sends body, the JSON of a problem, with status.
func writeProblemBody(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Del("Content-Encoding")
	w.WriteHeader(status)
	w.Write(body) //nolint:errcheck // nothing more can be done for this client
}
