package kitchen_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/client"

	"github.com/roux-go/roux/examples/kitchen/internal/kitchen"
	"github.com/roux-go/roux/examples/kitchen/internal/store"
	"github.com/roux-go/roux/examples/kitchen/internal/store/sqlite"
	"github.com/roux-go/roux/examples/kitchen/kitchenapi"
)

// A kitchen on an SQLite file: started, it migrates and seeds the
// database, then serves the menu and takes orders.
func ExampleNew() {
	dir, _ := os.MkdirTemp("", "kitchen-example-")
	defer os.RemoveAll(dir)
	svc := kitchen.New(kitchen.Config{
		Open: func(ctx context.Context) (store.Store, error) {
			return sqlite.Open(filepath.Join(dir, "kitchen.db"))
		},
		Seed:     true,
		StaffKey: "s3cret",
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	api := svc.API()
	if err := api.Start(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	defer api.Shutdown(context.Background())

	res := httptest.NewRecorder()
	api.ServeHTTP(res, httptest.NewRequest("GET", "/dishes/1", nil))
	fmt.Println(res.Code, res.Header().Get("ETag"))

	req := httptest.NewRequest("GET", "/dishes/1", nil)
	req.Header.Set("If-None-Match", `"1"`)
	res = httptest.NewRecorder()
	api.ServeHTTP(res, req)
	fmt.Println(res.Code, http.StatusText(res.Code))
	// Output:
	// 200 "1"
	// 304 Not Modified
}

// A Go program calls the kitchen with the typed client and the
// declarations of package kitchenapi: inputs and outputs are its types,
// problems are *roux.Error. Credentials go in headers.
func Example_client() {
	dir, _ := os.MkdirTemp("", "kitchen-example-")
	defer os.RemoveAll(dir)
	svc := kitchen.New(kitchen.Config{
		Open: func(ctx context.Context) (store.Store, error) {
			return sqlite.Open(filepath.Join(dir, "kitchen.db"))
		},
		Seed:     true,
		StaffKey: "s3cret",
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	ctx := context.Background()
	if err := svc.API().Start(ctx); err != nil {
		fmt.Println(err)
		return
	}
	defer svc.API().Shutdown(ctx)
	srv := httptest.NewServer(svc.API())
	defer srv.Close()

	staff := client.New(srv.URL, client.Header("X-Staff-Key", "s3cret"))
	dish, err := client.Call(ctx, staff, kitchenapi.GetDish, &kitchenapi.GetDishInput{ID: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(dish.Body.Name, dish.Body.PriceCents, dish.ETag)

	price := int64(700)
	dish, err = client.Call(ctx, staff, kitchenapi.PatchDish, &kitchenapi.PatchDishInput{
		ID: 1, IfMatch: roux.ParseETags(dish.ETag), Body: kitchenapi.DishPatch{PriceCents: roux.Some(price)}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(dish.Body.PriceCents, dish.ETag)

	// The ETag read first is stale now.
	_, err = client.Call(ctx, staff, kitchenapi.PatchDish, &kitchenapi.PatchDishInput{
		ID: 1, IfMatch: roux.ParseETags(`"1"`), Body: kitchenapi.DishPatch{PriceCents: roux.Some(price)}})
	var p *roux.Error
	if errors.As(err, &p) {
		fmt.Println(p.Status, p.Detail)
	}

	customer := client.New(srv.URL, client.Header("Authorization", "Bearer "+kitchen.DemoCustomerToken))
	order, err := client.Call(ctx, customer, kitchenapi.CreateOrder, &kitchenapi.CreateOrderInput{
		Body: kitchenapi.OrderInput{Items: []kitchenapi.OrderLine{{DishID: 1, Quantity: 2}}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(order.Status, order.Location, order.Body.TotalCents)
	// Output:
	// Tomato soup 650 "1"
	// 700 "2"
	// 412 dish 1 has changed: its ETag is now "2"
	// 202 /orders/1 1400
}

// The classes of addresses a kitchen sends webhooks to, as -webhook-to
// names them: a demo whose receiver runs on the same machine adds
// loopback to the public addresses.
func ExampleParseAddressClasses() {
	to, err := kitchen.ParseAddressClasses("public,loopback")
	fmt.Println(to, err, to&kitchen.Private != 0)
	_, err = kitchen.ParseAddressClasses("intranet")
	fmt.Println(err)
	// Output:
	// public,loopback <nil> false
	// address class "intranet": want public, loopback or private, or several separated by commas
}
