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
