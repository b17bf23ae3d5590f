package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/client"
)

type GetDishInput struct {
	ID     int64  `path:"id" minimum:"1"`
	Fields string `query:"fields" enum:"all,summary" default:"all"`
}

type Plate struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Fields string `json:"fields"`
}

// The operation value that registration returns is what the client
// calls: the request and the response follow its types.
func Example() {
	api := roux.New(roux.Config{Title: "Kitchen", Version: "1.0.0"})
	getDish := roux.Get(api, "/dishes/{id}", func(ctx context.Context, in *GetDishInput) (*Plate, error) {
		if in.ID != 3 {
			return nil, roux.Errorf(http.StatusNotFound, "no dish %d", in.ID)
		}
		return &Plate{ID: 3, Name: "Soup", Fields: in.Fields}, nil
	}, roux.Response(http.StatusNotFound, "No such dish", nil))
	srv := httptest.NewServer(api)
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := client.New(srv.URL, client.HTTPClient(srv.Client()))

	dish, err := client.Call(ctx, c, getDish, &GetDishInput{ID: 3})
	fmt.Println(dish.Name, dish.Fields, err) // Fields not sent: the server's default

	_, err = client.Call(ctx, c, getDish, &GetDishInput{ID: 4})
	var pe *roux.Error
	if errors.As(err, &pe) {
		fmt.Println(pe.Status, pe.Detail)
	}
	// Output:
	// Soup all <nil>
	// 404 no dish 4
}

// With Validation the server's validators check the input first:
// an invalid one is answered without a request.
func ExampleValidation() {
	api := roux.New(roux.Config{Title: "Kitchen", Version: "1.0.0"})
	getDish := roux.Get(api, "/dishes/{id}", func(ctx context.Context, in *GetDishInput) (*Plate, error) {
		return &Plate{ID: in.ID}, nil
	})
	c := client.New("http://127.0.0.1:1", client.Validation()) // nothing listens there

	_, err := client.Call(context.Background(), c, getDish, &GetDishInput{ID: 0, Fields: "everything"})
	var pe *roux.Error
	if errors.As(err, &pe) {
		for _, e := range pe.Errors {
			fmt.Println(e.In, e.Parameter, e.Code)
		}
	}
	fmt.Println(errors.Is(err, client.ErrInvalid))
	// Output:
	// path id minimum
	// query fields enum
	// true
}

// Idempotent calls can be retried on connection errors and on 429, 502,
// 503 and 504, honouring Retry-After.
func ExampleRetry() {
	api := roux.New(roux.Config{Title: "Kitchen", Version: "1.0.0"})
	var calls atomic.Int32
	menu := roux.Get(api, "/menu", func(ctx context.Context, in *struct{}) (*[]string, error) {
		if calls.Add(1) == 1 {
			return nil, roux.NewError(http.StatusServiceUnavailable, "warming up").WithHeader("Retry-After", "0")
		}
		return &[]string{"soup", "pie"}, nil
	}, roux.Response(http.StatusServiceUnavailable, "Warming up", struct {
		RetryAfter string `header:"Retry-After"`
	}{}))
	srv := httptest.NewServer(api)
	defer srv.Close()

	c := client.New(srv.URL, client.HTTPClient(srv.Client()),
		client.Retry(3), client.RetryBackoff(10*time.Millisecond, 0))
	items, err := client.Call(context.Background(), c, menu, nil)
	fmt.Println(*items, err, calls.Load())
	// Output:
	// [soup pie] <nil> 2
}
