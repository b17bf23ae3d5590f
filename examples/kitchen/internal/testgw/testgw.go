// Package testgw gives tests a gateway that loses an answer: a reverse
// proxy on a loopback port in front of a service, which passes on every
// request and answer but the answer to the first request of one kind,
// which it replaces with a 502 — as a gateway does when it fails after
// the service has acted on the request. Clients that retry then send
// again a request that took effect.
package testgw

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"sync"
	"testing"
)

// Gateway is a gateway that loses the first answer to requests with a
// method and path, and records the headers of those requests and of the
// service's answers to them.
type Gateway struct {
	// URL is where the gateway serves: http://127.0.0.1:port.
	URL string

	mu                sync.Mutex
	requests, answers []http.Header
}

// LoseFirst starts a gateway in front of the service at target (a base
// URL) that loses the first answer to method path. It stops when the
// test ends.
func LoseFirst(t testing.TB, target, method, path string) *Gateway {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	g := &Gateway{}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.ModifyResponse = func(res *http.Response) error {
		if res.Request.Method != method || res.Request.URL.Path != path {
			return nil
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		g.requests, g.answers = append(g.requests, res.Request.Header.Clone()), append(g.answers, res.Header.Clone())
		if len(g.requests) == 1 {
			return errors.New("testgw: the answer is lost") // the proxy answers 502
		}
		return nil
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	g.URL = srv.URL
	return g
}

// Seen returns the headers of the requests to method path that reached
// the service, and of its answers (the first lost on the way back).
func (g *Gateway) Seen() (requests, answers []http.Header) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.requests), slices.Clone(g.answers)
}
