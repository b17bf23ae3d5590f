package docs_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/roux-go/roux/docs"
)

// The page can serve any OpenAPI document on the same origin; here it is
// mounted on a plain http.ServeMux next to the document.
func Example() {
	page := docs.New("/openapi.json", docs.Path("/reference"), docs.Title("Kitchen"))
	mux := http.NewServeMux()
	mux.Handle("/reference", page)
	mux.Handle("/reference/", page)
	mux.HandleFunc("/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"openapi":"3.1.0","info":{"title":"Kitchen","version":"1"},"paths":{}}`)
	})

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/reference", nil))
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	fmt.Println(rec.Header().Get("Content-Security-Policy"))

	rec = httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", page.Paths()[1], nil))
	fmt.Println(rec.Code, rec.Header().Get("Cache-Control"))
	// Output:
	// 200 text/html; charset=utf-8
	// default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'
	// 200 public, max-age=31536000, immutable
}
