// Package startup measures what registering 1,000 operations and building
// the OpenAPI document costs, in roux and (for reference) huma:
//
//	go test -run '^$' -bench . -count 10 ./startup | tee startup.txt
//	benchstat -col /stack startup.txt
package startup

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/roux-go/roux"
)

const nOps = 1000

type in struct {
	ID    int64  `path:"id" minimum:"1"`
	Q     string `query:"q" maxLength:"50"`
	Limit int    `query:"limit" minimum:"1" maximum:"100" default:"10"`
}

type item struct {
	ID    int64    `json:"id"`
	Name  string   `json:"name" minLength:"1" maxLength:"50"`
	Price float64  `json:"price" exclusiveMinimum:"0"`
	Tags  []string `json:"tags,omitempty"`
}

type humaOut struct{ Body item }

var paths = func() []string {
	p := make([]string, nOps)
	for i := range p {
		p[i] = fmt.Sprintf("/r%d/items/{id}", i)
	}
	return p
}()

func handler(ctx context.Context, in *in) (*item, error) { return &item{ID: in.ID}, nil }

func rouxAPI() *roux.API {
	api := roux.New(roux.Config{Title: "startup", Version: "1.0.0"})
	for _, p := range paths {
		roux.Get(api, p, handler)
	}
	return api
}

// BenchmarkStartup: roux.New, 1,000 roux.Get, then the document, either
// as api.OpenAPI() or as the first GET /openapi.json (which also
// serializes it).
func BenchmarkStartup(b *testing.B) {
	b.Run("stack=roux/doc=OpenAPI", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			api := rouxAPI()
			if d := api.OpenAPI(); len(d.Paths) != nOps {
				b.Fatalf("%d paths", len(d.Paths))
			}
		}
	})
	b.Run("stack=roux/doc=GET", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			api := rouxAPI()
			w := httptest.NewRecorder()
			api.ServeHTTP(w, httptest.NewRequest("GET", "/openapi.json", nil))
			if w.Code != 200 {
				b.Fatal(w.Code)
			}
		}
	})
	b.Run("stack=huma/doc=GET", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			mux := http.NewServeMux()
			api := humago.New(mux, huma.DefaultConfig("startup", "1.0.0"))
			for i, p := range paths {
				huma.Register(api, huma.Operation{OperationID: fmt.Sprint("op", i), Method: "GET", Path: p},
					func(ctx context.Context, in *in) (*humaOut, error) { return &humaOut{Body: item{ID: in.ID}}, nil })
			}
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, httptest.NewRequest("GET", "/openapi.json", nil))
			if w.Code != 200 {
				b.Fatal(w.Code)
			}
		}
	})
}
