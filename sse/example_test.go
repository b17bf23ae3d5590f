package sse_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/schema"
	"github.com/roux-go/roux/sse"
)

// An operation streams the progress of an order; a client reads the
// events back. A reconnecting client's Last-Event-ID says where to resume.
func Example() {
	type Progress struct {
		Percent int `json:"percent"`
	}
	type Done struct {
		Total float64 `json:"total"`
	}
	type OrderEvent struct {
		Progress *Progress `event:"progress"`
		Done     *Done     `event:"done"`
	}
	type EventsInput struct {
		ID          int64  `path:"id" minimum:"1"`
		LastEventID string `header:"Last-Event-ID"`
	}

	api := roux.New(roux.Config{Title: "Kitchen", Version: "1.0.0"})
	roux.Get(api, "/orders/{id}/events", func(ctx context.Context, in *EventsInput) (*sse.Stream[OrderEvent], error) {
		if in.ID != 42 {
			return nil, roux.NewError(http.StatusNotFound, "no such order")
		}
		step := 0
		if in.LastEventID != "" {
			step, _ = strconv.Atoi(in.LastEventID)
		}
		return sse.New(func(ctx context.Context, s *sse.Sender[OrderEvent]) error {
			for step++; step <= 2; step++ {
				if err := s.SendID(strconv.Itoa(step), OrderEvent{Progress: &Progress{Percent: 50 * step}}); err != nil {
					return err
				}
			}
			return s.Send(OrderEvent{Done: &Done{Total: 23.5}})
		}), nil
	})
	srv := httptest.NewServer(api)
	defer srv.Close()

	for _, lastID := range []string{"", "1"} {
		req, _ := http.NewRequest("GET", srv.URL+"/orders/42/events", nil)
		if lastID != "" {
			req.Header.Set("Last-Event-ID", lastID)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(resp.Header.Get("Content-Type"))
		for m, err := range sse.Read[OrderEvent](resp.Body) {
			switch {
			case err != nil:
				fmt.Println(err)
			case m.Event.Progress != nil:
				fmt.Printf("id %s: progress %d%%\n", m.ID, m.Event.Progress.Percent)
			case m.Event.Done != nil:
				fmt.Printf("id %s: done, total %.2f\n", m.ID, m.Event.Done.Total)
			}
		}
		resp.Body.Close()
	}

	// The document lists the events and their data.
	events := api.OpenAPI().Paths["/orders/{id}/events"].Get.Extensions["x-roux-events"].(map[string]any)
	for _, name := range []string{"progress", "done"} {
		fmt.Println(name, events[name].(*schema.Schema).Ref)
	}
	// Output:
	// text/event-stream
	// id 1: progress 50%
	// id 2: progress 100%
	// id 2: done, total 23.50
	// text/event-stream
	// id 2: progress 100%
	// id 2: done, total 23.50
	// progress #/components/schemas/Progress
	// done #/components/schemas/Done
}
