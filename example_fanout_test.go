package roux_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/roux-go/roux"
)

// Fan-out inside a handler uses errgroup with the request context: the
// calls run concurrently, the first failure cancels the others, and a
// client that goes away cancels them all. roux adds no futures library.
func Example_fanOut() {
	type Station struct {
		Name    string `json:"name"`
		Minutes int    `json:"minutes"`
	}
	cook := func(ctx context.Context, name string, d time.Duration) (Station, error) {
		select {
		case <-time.After(d): // a call to the station's service
			return Station{Name: name, Minutes: int(d / time.Millisecond)}, nil
		case <-ctx.Done():
			return Station{}, ctx.Err()
		}
	}
	api := roux.New(roux.Config{})
	roux.Post(api, "/orders", func(ctx context.Context, in *struct{}) (*[]Station, error) {
		g, ctx := errgroup.WithContext(ctx)
		stations := make([]Station, 3)
		for i, name := range []string{"grill", "fryer", "salad"} {
			g.Go(func() (err error) {
				stations[i], err = cook(ctx, name, time.Duration(10*(i+1))*time.Millisecond)
				return err
			})
		}
		if err := g.Wait(); err != nil {
			return nil, err
		}
		return &stations, nil
	})
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, httptest.NewRequest("POST", "/orders", nil))
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// 200 [{"name":"grill","minutes":10},{"name":"fryer","minutes":20},{"name":"salad","minutes":30}]
}
