package roux_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/client"
)

// These would live in a package of declarations (say kitchenapi), which
// imports roux and nothing of the server: wire types and operations.

// OrderRef is what a client sends to read an order.
type OrderRef struct {
	ID int64 `path:"id" minimum:"1"`
}

// OrderView is an order as clients see it.
type OrderView struct {
	ID     int64  `json:"id"`
	Status string `json:"status"`
}

// GetOrder is the declaration: server, client and document read it.
var GetOrder = roux.NewOperation[OrderRef, OrderView](http.MethodGet, "/orders/{id}",
	roux.Summary("Get an order"), roux.Tags("orders"))

// The server attaches a handler to the declaration; what the handler
// needs besides the request (here the customer a security scheme
// authenticated) comes in its second struct, never sent by clients.
func ExampleNewOperation() {
	type Customer struct{ Name string }
	customer := roux.BearerAuth("customer", func(ctx context.Context, token string) (Customer, error) {
		if token != "t-ann" {
			return Customer{}, roux.ErrUnauthorized
		}
		return Customer{Name: "ann"}, nil
	})
	api := roux.New(roux.Config{Title: "Kitchen", Version: "1.0.0"})
	roux.HandleWith(api, GetOrder, func(ctx context.Context, in *OrderRef, s *struct {
		Customer Customer `dep:""`
	}) (*OrderView, error) {
		return &OrderView{ID: in.ID, Status: "cooking for " + s.Customer.Name}, nil
	}, roux.Secure(customer))
	srv := httptest.NewServer(api)
	defer srv.Close()

	// A client program imports the declarations, not the server.
	c := client.New(srv.URL, client.Header("Authorization", "Bearer t-ann"))
	order, err := client.Call(context.Background(), c, GetOrder, &OrderRef{ID: 7})
	fmt.Println(order.ID, order.Status, err)

	_, err = client.Call(context.Background(), client.New(srv.URL), GetOrder, &OrderRef{ID: 7})
	fmt.Println(err)
	// Output:
	// 7 cooking for ann <nil>
	// roux: 401 Unauthorized: this operation needs credentials (customer)
}
