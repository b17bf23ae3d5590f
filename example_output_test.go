package roux_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/roux-go/roux"
)

// An output with a Body field is an envelope: its header-tagged fields
// become response headers and a non-zero Status field the status.
func Example_envelope() {
	type Created struct {
		Status   int
		Location string `header:"Location"`
		Body     struct {
			ID int `json:"id"`
		}
	}
	api := roux.New(roux.Config{})
	roux.Post(api, "/dishes", func(ctx context.Context, in *struct{}) (*Created, error) {
		out := &Created{Status: http.StatusCreated, Location: "/dishes/42"}
		out.Body.ID = 42
		return out, nil
	}, roux.Status(http.StatusCreated))

	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, httptest.NewRequest("POST", "/dishes", nil))
	fmt.Println(rec.Code, rec.Header().Get("Location"), rec.Body.String())
	// Output:
	// 201 /dishes/42 {"id":42}
}

// Groups share a path prefix, tags and middleware.
func ExampleAPI_Group() {
	api := roux.New(roux.Config{})
	v1 := api.Group("/v1", roux.Tags("v1"), roux.Middleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-API-Version", "1")
			next.ServeHTTP(w, r)
		})
	}))
	roux.Get(v1, "/ping", func(ctx context.Context, in *struct{}) (*string, error) {
		pong := "pong"
		return &pong, nil
	})

	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/ping", nil))
	fmt.Println(rec.Code, rec.Header().Get("X-API-Version"), rec.Body.String())
	fmt.Println(api.OpenAPI().Paths["/v1/ping"].Get.Tags)
	// Output:
	// 200 1 "pong"
	// [v1]
}

// The OpenAPI document is derived from the same registration.
func ExampleAPI_OpenAPI() {
	api := roux.New(roux.Config{Title: "Kitchen", Version: "1.0.0"})
	roux.Get(api, "/dishes/{id}", func(ctx context.Context, in *struct {
		ID int64 `path:"id" minimum:"1" doc:"Dish identifier"`
	}) (*struct {
		Name string `json:"name"`
	}, error) {
		return nil, nil
	}, roux.Summary("Get a dish"))

	op := api.OpenAPI().Paths["/dishes/{id}"].Get
	p := op.Parameters[0]
	fmt.Println(op.OperationID, op.Summary)
	fmt.Println(p.Name, p.In, p.Required, p.Description, *p.Schema.Minimum)
	// Output:
	// get-dishes-id Get a dish
	// id path true Dish identifier 1
}

// ProblemHook sees every problem before it is sent: here it links each
// to documentation and adds the request's trace ID.
func ExampleConfig_problemHook() {
	api := roux.New(roux.Config{ProblemHook: func(r *http.Request, p *roux.Error) {
		p.Type = fmt.Sprintf("https://docs.example.com/problems/%d", p.Status)
		p.Extensions = map[string]any{"traceId": r.Header.Get("X-Trace")}
	}})
	req := httptest.NewRequest("GET", "/missing", nil)
	req.Header.Set("X-Trace", "abc123")
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// 404 {"type":"https://docs.example.com/problems/404","title":"Not Found","status":404,"detail":"no operation matches the path \"/missing\"","traceId":"abc123"}
}
