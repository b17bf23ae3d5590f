package redisrate_test

import (
	"net/http"
	"os"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/roux-go/roux/middleware"
	"github.com/roux-go/roux/middleware/redisrate"
)

// Every instance of the service runs the same limiter on the same Redis:
// a customer gets 30 orders a minute in all, whichever instance they reach.
// (No output is checked: the example needs a Redis server.)
func ExampleNew() {
	opts, err := redis.ParseURL(os.Getenv("REDIS_URL")) // redis://127.0.0.1:6379/0
	if err != nil {
		panic(err)
	}
	limiter := middleware.NewRateLimiter(30, time.Minute,
		middleware.PolicyName("orders"),
		middleware.KeyBy(middleware.KeyByHeader("Authorization")),
		middleware.Store(redisrate.New(redis.NewClient(opts), "")),
	)
	http.Handle("POST /orders", limiter.Wrap(http.HandlerFunc(placeOrder)))
}

func placeOrder(w http.ResponseWriter, r *http.Request) {}
