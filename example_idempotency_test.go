package roux_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/roux-go/roux"
)

type PlaceInput struct {
	Body struct {
		Dishes []string `json:"dishes" minItems:"1"`
	}
}

type Placed struct {
	Location string `header:"Location"`
	Body     struct {
		ID int `json:"id"`
	}
}

// A POST made idempotent: a retry with the same Idempotency-Key gets the
// first answer. The handler also records the scoped key with the order,
// as a unique column would in its own transaction, so that a retry after
// a crash between its commit and the store's update finds the order
// instead of placing a second one.
func ExampleIdempotent() {
	var mu sync.Mutex
	byKey := map[string]int{} // the orders table's idempotency_key column
	api := roux.New(roux.Config{Title: "Kitchen", Version: "1.0.0"})
	roux.Post(api, "/orders", func(ctx context.Context, in *PlaceInput) (*Placed, error) {
		mu.Lock()
		defer mu.Unlock()
		key, _ := roux.IdempotencyKeyFrom(ctx)
		id, ok := byKey[key]
		if !ok || key == "" {
			id = len(byKey) + 1
			byKey[key] = id
		}
		out := &Placed{Location: fmt.Sprintf("/orders/%d", id)}
		out.Body.ID = id
		return out, nil
	}, roux.Status(http.StatusCreated), roux.Idempotent(roux.NewMemoryIdempotencyStore(10000), 24*time.Hour))
	srv := httptest.NewServer(api)
	defer srv.Close()

	send := func(key, body string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/orders", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		res.Body.Close()
		fmt.Println(res.StatusCode, res.Header.Get("Location"), "replayed:", res.Header.Get("Idempotent-Replayed") == "true")
	}
	send(`"order-1"`, `{"dishes":["soup"]}`)
	send(`"order-1"`, `{"dishes":["soup"]}`) // the retry
	send(`"order-1"`, `{"dishes":["pie"]}`)  // another order with the same key
	send(`"order-2"`, `{"dishes":["pie"]}`)
	// Output:
	// 201 /orders/1 replayed: false
	// 201 /orders/1 replayed: true
	// 422  replayed: false
	// 201 /orders/2 replayed: false
}
