package idemsql_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/roux-go/roux"
)

// BenchmarkStore is what an idempotent request with a new key costs the
// database: a claim, and the update that stores the answer.
//
//	ROUX_POSTGRES_URL=$(bash .ci/postgres.sh) go test -run '^$' -bench Store -count 6 .
func BenchmarkStore(b *testing.B) {
	for name, s := range databases(b) {
		b.Run("db="+name, func(b *testing.B) {
			ctx := context.Background()
			header := http.Header{"Content-Type": {"application/json"}, "Location": {"/orders/1"}}
			body := []byte(`{"id":1,"dish":"soup","qty":1}`)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				key := "bench-" + strconv.Itoa(i)
				i++
				e := &roux.IdempotencyEntry{Fingerprint: "f", Token: "t", Expires: time.Now().Add(30 * time.Second)}
				if prev, err := s.Claim(ctx, key, e); err != nil || prev != nil {
					b.Fatalf("claim: %v, %v", prev, err)
				}
				done := *e
				done.Done, done.Status, done.Header, done.Body, done.Expires = true, 201, header, body, time.Now().Add(time.Hour)
				if err := s.Update(ctx, key, &done); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
