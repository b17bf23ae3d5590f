package roux_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/roux-go/roux"
)

// A dependency computes a value for the operations that ask for it. Its
// own parameters are bound, validated and published like the operation's;
// returning a *roux.Error stops the request.
func ExampleDepends() {
	type Caller struct{ Name string }
	caller := roux.Depends(func(ctx context.Context, in *struct {
		Key string `header:"X-API-Key" required:"true"`
	}) (Caller, error) {
		if in.Key != "secret" {
			return Caller{}, roux.NewError(http.StatusUnauthorized, "unknown API key")
		}
		return Caller{Name: "kitchen-app"}, nil
	})

	api := roux.New(roux.Config{})
	api.Provide(caller)
	roux.RegisterWith(api, "GET", "/whoami", func(ctx context.Context, in *struct{}, s *struct {
		Caller Caller `dep:""`
	}) (*string, error) {
		return &s.Caller.Name, nil
	}, roux.Response(http.StatusUnauthorized, "The API key is unknown", nil))

	for _, key := range []string{"secret", "guess"} {
		req := httptest.NewRequest("GET", "/whoami", nil)
		req.Header.Set("X-API-Key", key)
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		fmt.Println(rec.Code, rec.Body.String())
	}
	fmt.Println(api.OpenAPI().Paths["/whoami"].Get.Parameters[0].Name)
	// Output:
	// 200 "kitchen-app"
	// 401 {"type":"about:blank","title":"Unauthorized","status":401,"detail":"unknown API key"}
	// X-API-Key
}

// Override replaces a dependency in tests.
func ExampleOverride() {
	type Clock struct{ Now string }
	clock := roux.Depends(func(ctx context.Context, in *struct{}) (Clock, error) {
		return Clock{Now: "real time"}, nil
	})
	api := roux.New(roux.Config{})
	roux.RegisterWith(api, "GET", "/now", func(ctx context.Context, in *struct{}, s *struct {
		Clock Clock `dep:""`
	}) (*string, error) {
		return &s.Clock.Now, nil
	}, roux.Provide(clock))

	roux.Override(api, clock, func(ctx context.Context) (Clock, error) { return Clock{Now: "frozen"}, nil })
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, httptest.NewRequest("GET", "/now", nil))
	fmt.Println(rec.Body.String())
	// Output:
	// "frozen"
}

// A dependency declares the responses its provider may cause, once; every
// operation that uses it publishes them.
func ExampleDep_Response() {
	type Pool struct{ Name string }
	pool := roux.Depends(func(ctx context.Context, in *struct{}) (Pool, error) {
		return Pool{}, roux.NewError(http.StatusServiceUnavailable, "no database connection is free").WithHeader("Retry-After", "1")
	}).Response(http.StatusServiceUnavailable, "No database connection is free; retry after Retry-After", struct {
		RetryAfter string `header:"Retry-After"`
	}{})

	api := roux.New(roux.Config{CheckResponses: true})
	roux.RegisterWith(api, "GET", "/dishes", func(ctx context.Context, in *struct{}, s *struct {
		Pool Pool `dep:""`
	}) (*[]string, error) {
		return &[]string{"soup"}, nil
	}, roux.Provide(pool))

	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, httptest.NewRequest("GET", "/dishes", nil))
	fmt.Println(rec.Code, rec.Header().Get("Retry-After"))
	r := api.OpenAPI().Paths["/dishes"].Get.Responses["503"]
	fmt.Println(r.Description, "- header", r.Headers["Retry-After"] != nil)
	// Output:
	// 503 1
	// No database connection is free; retry after Retry-After - header true
}
