package roux_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/roux-go/roux"
)

// A security scheme is a dependency that authenticates the request and is
// published in the document; Secure requires it, with OAuth 2 scopes.
func ExampleBearerAuth() {
	type Staff struct{ Name string }
	staff := roux.BearerAuth("staffToken", func(ctx context.Context, token string) (Staff, error) {
		if roux.SecretEqual(token, "s3cret") {
			return Staff{Name: "ann"}, nil
		}
		return Staff{}, roux.ErrUnauthorized
	})
	api := roux.New(roux.Config{})
	roux.Delete(api, "/dishes/{id}", func(ctx context.Context, in *struct {
		ID    int   `path:"id"`
		Staff Staff `dep:""`
	}) (*struct{}, error) {
		return &struct{}{}, nil
	}, roux.Secure(staff))

	for _, auth := range []string{"Bearer s3cret", "Bearer guess"} {
		req := httptest.NewRequest("DELETE", "/dishes/1", nil)
		req.Header.Set("Authorization", auth)
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		fmt.Println(rec.Code, rec.Header().Values("WWW-Authenticate"))
	}
	doc := api.OpenAPI()
	fmt.Println(doc.Paths["/dishes/{id}"].Delete.Security, doc.Components.SecuritySchemes["staffToken"].Scheme)
	// Output:
	// 204 []
	// 401 [Bearer realm="staffToken"]
	// [map[staffToken:[]]] bearer
}

// Health adds liveness and readiness probes; readiness runs the checks
// and answers 503 while the API drains during shutdown.
func ExampleAPI_Health() {
	api := roux.New(roux.Config{})
	api.Health("/livez", "/readyz", roux.ReadyCheck{Name: "db", Check: func(ctx context.Context) error { return nil }})
	api.OnShutdown(func(ctx context.Context) error { fmt.Println("closing the database"); return nil })

	probe := func() {
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
		fmt.Println(rec.Code)
	}
	probe()
	api.Shutdown(context.Background())
	probe()
	// Output:
	// 200
	// closing the database
	// 503
}

// Background tasks run after the response has been sent.
func ExampleTasks() {
	api := roux.New(roux.Config{})
	roux.Post(api, "/orders", func(ctx context.Context, in *struct{ Tasks *roux.Tasks }) (*string, error) {
		in.Tasks.Add("confirmation email", func(ctx context.Context) error {
			fmt.Println("sending the confirmation")
			return nil
		})
		fmt.Println("order accepted")
		s := "accepted"
		return &s, nil
	})
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, httptest.NewRequest("POST", "/orders", nil))
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// order accepted
	// sending the confirmation
	// 200 "accepted"
}
