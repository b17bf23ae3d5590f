package stacks

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/roux-go/roux/bench/conformance"
)

// Serve starts the stack on a loopback port and returns its base URL and
// a function that stops it.
func serve(t testing.TB, s Stack) (string, func()) {
	t.Helper()
	if s.Handler != nil {
		srv := httptest.NewServer(s.Handler())
		return srv.URL, srv.Close
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	app := s.Fiber()
	go app.Listener(ln)
	return "http://" + ln.Addr().String(), func() { app.Shutdown() }
}

// TestConformance checks every Go stack with the shared cases, over
// loopback HTTP.
func TestConformance(t *testing.T) {
	for _, s := range All {
		t.Run(s.Name, func(t *testing.T) {
			base, stop := serve(t, s)
			defer stop()
			c := &http.Client{}
			for _, err := range conformance.Check(c, base) {
				t.Error(err)
			}
		})
	}
}
