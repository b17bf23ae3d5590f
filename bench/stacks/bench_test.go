package stacks

// In-process benchmarks: every stack serves the same three requests with
// the request and response writer reused, so the numbers are the
// framework's own work (routing, binding, validation, encoding) without
// the network. Compare as ratios from one run; on a shared machine
// interleave the stacks (ten passes of -count 1) rather than -count 10:
//
//	go test -c -o stacks.test ./stacks
//	for i in $(seq 10); do (cd stacks && ../stacks.test -test.run '^$' -test.bench . -test.benchtime 0.5s); done > inproc.txt
//	benchstat -col /stack inproc.txt

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/valyala/fasthttp"
)

// discardWriter is a reusable ResponseWriter that allocates nothing.
type discardWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(s int)           { w.status = s }
func (w *discardWriter) Write(b []byte) (int, error) { w.n += len(b); return len(b), nil }

// rewindBody is a request body that is rewound before every request.
type rewindBody struct{ bytes.Reader }

func (*rewindBody) Close() error { return nil }

type endpoint struct {
	name, method, target, body string
	status                     int
}

var endpoints = []endpoint{
	{"json", "GET", "/json", "", 200},
	{"get", "GET", "/items/42?q=abc&limit=5", "", 200},
	{"post", "POST", "/items", `{"name":"Widget","price":9.5,"tags":["a","b"]}`, 201},
}

func BenchmarkJSON(b *testing.B) { benchEndpoint(b, endpoints[0]) }
func BenchmarkGet(b *testing.B)  { benchEndpoint(b, endpoints[1]) }
func BenchmarkPost(b *testing.B) { benchEndpoint(b, endpoints[2]) }

func benchEndpoint(b *testing.B, ep endpoint) {
	for _, s := range All {
		b.Run("stack="+s.Name, func(b *testing.B) {
			if s.Fiber != nil {
				benchFiber(b, s, ep)
				return
			}
			benchHandler(b, s.Handler(), ep)
		})
	}
}

func benchHandler(b *testing.B, h http.Handler, ep endpoint) {
	body := &rewindBody{}
	req, err := http.NewRequest(ep.method, ep.target, nil)
	if err != nil {
		b.Fatal(err)
	}
	if ep.body != "" {
		req.Header.Set("Content-Type", "application/json")
		req.ContentLength = int64(len(ep.body))
		req.Body = body
	}
	w := &discardWriter{h: http.Header{}}
	serve := func() {
		clear(w.h)
		w.status, w.n = 0, 0
		body.Reset([]byte(ep.body))
		h.ServeHTTP(w, req)
	}
	serve()
	if w.status != ep.status && !(w.status == 0 && ep.status == 200) {
		b.Fatalf("status %d, want %d", w.status, ep.status)
	}
	b.ReportAllocs()
	for b.Loop() {
		serve()
	}
}

func benchFiber(b *testing.B, s Stack, ep endpoint) {
	h := s.Fiber().Handler()
	var ctx fasthttp.RequestCtx
	var req fasthttp.Request
	req.Header.SetMethod(ep.method)
	req.SetRequestURI(ep.target)
	req.Header.SetHost("127.0.0.1")
	if ep.body != "" {
		req.Header.SetContentType("application/json")
		req.SetBodyString(ep.body)
	}
	ctx.Init(&req, nil, nil)
	h(&ctx)
	if got := ctx.Response.StatusCode(); got != ep.status {
		b.Fatalf("status %d, want %d: %s", got, ep.status, ctx.Response.Body())
	}
	b.ReportAllocs()
	for b.Loop() {
		ctx.Response.Reset()
		h(&ctx)
	}
}
