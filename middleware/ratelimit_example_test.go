package middleware_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/middleware"
)

// A rate limit per API key: the third request within a minute gets 429,
// and every response says how much of the budget is left.
func ExampleRateLimiter() {
	limiter := middleware.NewRateLimiter(2, time.Minute,
		middleware.PolicyName("orders"),
		middleware.KeyBy(middleware.KeyByHeader("X-API-Key")), // hashed: the store never sees the key
	)
	api := roux.New(roux.Config{})
	api.Use(limiter.Wrap)
	roux.Post(api, "/orders", func(ctx context.Context, in *struct{}) (*string, error) {
		s := "placed"
		return &s, nil
	})

	for range 3 {
		req := httptest.NewRequest("POST", "/orders", nil)
		req.Header.Set("X-API-Key", "k-123")
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		h := rec.Header()
		fmt.Printf("%d %s %s Retry-After=%q\n", rec.Code, h.Get("RateLimit-Policy"), h.Get("RateLimit"), h.Get("Retry-After"))
	}
	fmt.Println(limiter.Responses()["429"].Description)
	// Output:
	// 200 "orders";q=2;w=60 "orders";r=1;t=30 Retry-After=""
	// 200 "orders";q=2;w=60 "orders";r=0;t=60 Retry-After=""
	// 429 "orders";q=2;w=60 "orders";r=0;t=60 Retry-After="30"
	// Too many requests from this client; retry after the Retry-After delay
}
