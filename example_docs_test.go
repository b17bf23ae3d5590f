package roux_test

import (
	"fmt"
	"net/http/httptest"

	"github.com/roux-go/roux"
)

// Every API serves an interactive reference at /docs (Swagger UI,
// embedded: it needs no network access) and its document in OpenAPI 3.1
// and, for older tools, 3.0.3.
func Example_docs() {
	api := roux.New(roux.Config{Title: "Kitchen"}) // DocsPath: "-" turns the page off
	for _, path := range []string{"/docs", "/openapi.json", "/openapi-3.0.json", "/openapi-3.0.yaml"} {
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		fmt.Println(path, rec.Code, rec.Header().Get("Content-Type"))
	}
	// Output:
	// /docs 200 text/html; charset=utf-8
	// /openapi.json 200 application/json
	// /openapi-3.0.json 200 application/json
	// /openapi-3.0.yaml 200 application/yaml
}
