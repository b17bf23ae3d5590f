package rouxtest_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/rouxtest"
)

type Dish struct {
	Name  string  `json:"name" minLength:"1"`
	Price float64 `json:"price" exclusiveMinimum:"0"`
}

// A test sends requests in memory and decodes typed results.
func Example() {
	api := roux.New(roux.Config{})
	roux.Post(api, "/dishes", func(ctx context.Context, in *struct{ Body Dish }) (*Dish, error) {
		return &in.Body, nil
	}, roux.Status(http.StatusCreated))

	t := &testing.T{} // in a real test, the *testing.T of the test function
	c := rouxtest.New(t, api)
	dish := rouxtest.JSON[Dish](c.Post("/dishes", Dish{Name: "Soup", Price: 4.5}), http.StatusCreated)
	fmt.Println(dish.Name, dish.Price)

	p := rouxtest.Problem(c.Post("/dishes", Dish{Price: -1}), http.StatusUnprocessableEntity)
	for _, e := range p.Errors {
		fmt.Println(*e.Pointer, e.Code)
	}
	// Output:
	// Soup 4.5
	// /name minLength
	// /price exclusiveMinimum
}
