package roux_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/roux-go/roux"
)

// BenchmarkIdempotent is the cost of roux.Idempotent on the POST of
// BenchmarkPost, in process, with the in-memory store: an operation
// without the option (off), with it and a request without a key
// (no-key), a request with a new key (new-key: claim, record the answer,
// store it), and a retry answered from the store (replay).
//
//	go test -run '^$' -bench Idempotent -count 6 . | tee idem.txt
//	benchstat -col /case idem.txt
func BenchmarkIdempotent(b *testing.B) {
	keys := make([]string, 1<<20)
	for i := range keys {
		keys[i] = `"k` + strconv.Itoa(i) + `"`
	}
	for _, tc := range []struct {
		name     string
		option   bool
		key      func(i int) string
		replayed bool
	}{
		{"off", false, nil, false},
		{"no-key", true, nil, false},
		{"new-key", true, func(i int) string { return keys[i%len(keys)] }, false},
		{"replay", true, func(int) string { return `"k-replay"` }, true},
	} {
		b.Run("case="+tc.name, func(b *testing.B) {
			var opts []roux.Option
			if tc.option {
				opts = append(opts, roux.Idempotent(roux.NewMemoryIdempotencyStore(len(keys)), time.Hour))
			}
			api := roux.New(roux.Config{})
			roux.Post(api, "/orders", func(ctx context.Context, in *struct{ Body benchOrder }) (*benchOrder, error) {
				return &in.Body, nil
			}, append(opts, roux.Status(http.StatusCreated))...)
			body := &rewindBody{}
			req, _ := http.NewRequest("POST", "/orders", body)
			req.Header.Set("Content-Type", "application/json")
			req.ContentLength = int64(len(benchOrderBody))
			w := &discardWriter{h: http.Header{}}
			i := 0
			serve := func() {
				body.Reset(benchOrderBody)
				req.Body = body
				if tc.key != nil {
					req.Header[roux.IdempotencyKeyHeader] = []string{tc.key(i)}
				}
				i++
				w.reset()
				api.ServeHTTP(w, req)
			}
			serve()
			serve()
			if w.status != http.StatusCreated || (w.h.Get(roux.IdempotentReplayedHeader) == "true") != tc.replayed {
				b.Fatalf("got status %d, replayed %q", w.status, w.h.Get(roux.IdempotentReplayedHeader))
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				serve()
			}
		})
	}
}
