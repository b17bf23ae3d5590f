package roux_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/roux-go/roux"
)

// serve sends one request to h and prints the status and body.
func serve(h http.Handler, method, target, body string) {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Code, strings.TrimSpace(rec.Body.String()))
}

// A handler is a plain function from a typed input to a typed output;
// roux binds the path and query parameters and encodes the result.
func Example() {
	type GreetInput struct {
		Name  string `path:"name" maxLength:"20"`
		Times int    `query:"times" minimum:"1" maximum:"3" default:"1"`
	}
	type Greeting struct {
		Message string `json:"message"`
	}
	api := roux.New(roux.Config{Title: "Greeter", Version: "1.0.0"})
	roux.Get(api, "/greet/{name}", func(ctx context.Context, in *GreetInput) (*Greeting, error) {
		return &Greeting{Message: strings.Repeat("Hello, "+in.Name+"! ", in.Times)}, nil
	}, roux.Summary("Greet someone"))

	serve(api, "GET", "/greet/Ada?times=2", "")
	// Output:
	// 200 {"message":"Hello, Ada! Hello, Ada! "}
}

// Every failure of a request — parameters and body together — comes back
// in one RFC 9457 problem.
func Example_validation() {
	type NewDish struct {
		Name  string  `json:"name" minLength:"1" maxLength:"80"`
		Price float64 `json:"price" exclusiveMinimum:"0"`
	}
	type Input struct {
		Menu string `path:"menu" enum:"lunch,dinner"`
		Body NewDish
	}
	api := roux.New(roux.Config{})
	roux.Post(api, "/menus/{menu}/dishes", func(ctx context.Context, in *Input) (*NewDish, error) {
		return &in.Body, nil
	})

	serve(api, "POST", "/menus/brunch/dishes", `{"name":"","price":0,"spicy":true}`)
	// Output:
	// 422 {"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"the request has invalid values; see errors","errors":[{"detail":"must be one of: lunch, dinner","parameter":"menu","in":"path","code":"enum","value":"brunch"},{"detail":"unknown member \"spicy\"","pointer":"/spicy","code":"additionalProperties"},{"detail":"must be at least 1 character long","pointer":"/name","code":"minLength","value":""},{"detail":"must be greater than 0","pointer":"/price","code":"exclusiveMinimum","value":0}]}
}

// A handler returns a *roux.Error to choose the status and detail; any
// other error becomes a 500 whose cause is logged, not sent.
func ExampleNewError() {
	api := roux.New(roux.Config{})
	roux.Get(api, "/dishes/{id}", func(ctx context.Context, in *struct {
		ID int `path:"id"`
	}) (*struct{}, error) {
		return nil, roux.NewError(http.StatusNotFound, fmt.Sprintf("dish %d does not exist", in.ID))
	}, roux.Response(http.StatusNotFound, "No such dish", nil))

	serve(api, "GET", "/dishes/7", "")
	// Output:
	// 404 {"type":"about:blank","title":"Not Found","status":404,"detail":"dish 7 does not exist"}
}
