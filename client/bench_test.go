package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/client"
)

// handlerTransport serves requests with a handler in process, so that a
// benchmark measures the client and the server rather than loopback.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// BenchmarkCall measures Call's own path: encoding the input, decoding
// the output, with the server in process.
func BenchmarkCall(b *testing.B) {
	api := roux.New(roux.Config{Title: "Bench", Version: "1.0.0"})
	get := roux.Get(api, "/dishes/{id}", func(ctx context.Context, in *IDIn) (*Dish, error) {
		return &Dish{ID: in.ID, Name: "Soup", Price: 6.5, Tags: []string{"vegan"}}, nil
	})
	post := roux.Post(api, "/dishes", func(ctx context.Context, in *CreateIn) (*Created, error) {
		return &Created{Status: http.StatusCreated, Location: "/dishes/7", Body: in.Body}, nil
	}, roux.Response(http.StatusCreated, "Created", nil))
	c := client.New("http://bench.test", client.HTTPClient(&http.Client{Transport: handlerTransport{api}}))
	ctx := context.Background()
	b.Run("GET JSON", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := client.Call(ctx, c, get, &IDIn{ID: 3}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("POST JSON", func(b *testing.B) {
		in := &CreateIn{Tenant: "acme", Body: Dish{Name: "Soup", Price: 6.5, Tags: []string{"vegan"}}}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := client.Call(ctx, c, post, in); err != nil {
				b.Fatal(err)
			}
		}
	})
}
