package client_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/client"
)

// A POST is retried only with an idempotency key: here the server's
// first answer is a 503 after it took the order, and the retry, with the
// same key, gets the stored answer instead of a second order.
func ExampleIdempotencyKeys() {
	api := roux.New(roux.Config{Title: "Kitchen", Version: "1.0.0"})
	var orders atomic.Int32
	place := roux.Post(api, "/orders", func(ctx context.Context, in *struct{ Body []string }) (*struct {
		Number int32 `json:"number"`
	}, error) {
		n := orders.Add(1)
		return &struct {
			Number int32 `json:"number"`
		}{n}, nil
	}, roux.Status(http.StatusCreated), roux.Idempotent(roux.NewMemoryIdempotencyStore(0), 24*time.Hour))
	lost := false
	flaky := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !lost {
				lost = true
				next.ServeHTTP(httptest.NewRecorder(), r) // the order is taken, but its answer lost
				w.Header().Set("Retry-After", "0")
				http.Error(w, "gateway trouble", http.StatusServiceUnavailable)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	srv := httptest.NewServer(flaky(api))
	defer srv.Close()

	c := client.New(srv.URL, client.Retry(3), client.RetryBackoff(10*time.Millisecond, 0), client.IdempotencyKeys())
	got, err := client.Call(context.Background(), c, place, &struct{ Body []string }{[]string{"soup"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("order", got.Number, "placed; orders taken:", orders.Load())
	// Output:
	// order 1 placed; orders taken: 1
}
