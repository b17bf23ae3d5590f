package kitchen

// This file holds GET /orders/{id}/events: the order's event log as
// server-sent events, framed by package sse.
//
// The log is in the store, so the stream is a thin layer over it: read
// the events after the last one sent, send them, wait, repeat. Waiting
// ends when the store announces new events of the order (the hub), which
// it does for events of every instance: LISTEN/NOTIFY on PostgreSQL, in
// process on SQLite. Nothing polls.
//
// Package sse does the rest: the headers, a flush per event, keep-alive
// comments while the kitchen is quiet, a deadline for each write (so that
// a stream outlives the server's WriteTimeout, and a client that stops
// reading is found out), and the end of the stream when the client goes
// away or the server starts to shut down. The server's ReadTimeout does
// not cut a stream either: net/http lifts the read deadline once a
// request without a body has been read (HTTP/1.1), and applies it to the
// request body alone (HTTP/2). TestStreamOutlivesServerTimeouts, in the
// command's tests, checks both through the real binary.

import (
	"context"

	"github.com/roux-go/roux/sse"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
	"github.com/roux-go/roux/examples/kitchen/kitchenapi"
)

// eventBatch is how many events the stream reads from the store at once.
const eventBatch = 100

func (s *Service) orderEvents(ctx context.Context, in *kitchenapi.EventsInput, c *customerOnly) (*sse.Stream[kitchenapi.OrderEvent], error) {
	db, err := s.db()
	if err != nil {
		return nil, err
	}
	o, err := ownOrder(ctx, db, in.ID, c.Customer)
	if err != nil {
		return nil, err
	}
	after := in.LastEventID
	names := map[int]string{}
	for _, it := range o.Items {
		names[it.Line] = it.Name
	}
	finished := o.Status == store.OrderReady || o.Status == store.OrderCancelled
	if finished {
		// A reconnection after the last event of a finished order: 204
		// No Content, which tells a browser's EventSource to stop.
		evs, err := db.Events(ctx, o.ID, after, 1)
		if err != nil {
			return nil, err
		}
		if len(evs) == 0 {
			return sse.Finished[kitchenapi.OrderEvent](), nil
		}
	}
	return sse.New(func(ctx context.Context, send *sse.Sender[kitchenapi.OrderEvent]) error {
		return s.streamEvents(ctx, send, db, o.ID, after, finished, names)
	}), nil
}

// streamEvents sends the events of order id after seq after until the
// order is ready or cancelled; package sse cancels ctx when the client
// goes away or the server shuts down (the client then reconnects, to
// this instance or another, with Last-Event-ID). The stream of an order
// that was finished already ends after the events the client lacks —
// none, when it has them all — instead of waiting for events that will
// never come.
func (s *Service) streamEvents(ctx context.Context, send *sse.Sender[kitchenapi.OrderEvent], db store.Store, id, after int64, finished bool, names map[int]string) error {
	for {
		// Ask to be woken before reading, so that no event written
		// between the read and the wait is missed.
		wake := s.hub.wait(id)
		evs, err := db.Events(ctx, id, after, eventBatch)
		if err != nil {
			return err
		}
		for _, ev := range evs {
			if err := send.SendID(itoa(ev.Seq), eventView(ev, names)); err != nil {
				return err
			}
			after = ev.Seq
			if ev.Kind == store.EventOrder && (ev.Status == store.OrderReady || ev.Status == store.OrderCancelled) {
				return nil
			}
		}
		if len(evs) == eventBatch {
			continue // more to read at once
		}
		if finished {
			return nil
		}
		if len(evs) == 0 && after > 0 {
			// Resumed after an event this order has not written (a
			// Last-Event-ID beyond its log): its terminal event may be
			// behind the cursor, so ask the order itself.
			o, err := db.Order(ctx, id)
			if err != nil {
				return err
			}
			if o.Status == store.OrderReady || o.Status == store.OrderCancelled {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-wake:
		}
	}
}

// eventView is the event of the stream that ev is.
func eventView(ev store.Event, names map[int]string) kitchenapi.OrderEvent {
	if ev.Kind == store.EventItem {
		return kitchenapi.OrderEvent{Item: &kitchenapi.ItemChange{Seq: ev.Seq, OrderID: ev.OrderID, At: ev.At, Line: ev.Line,
			Dish: names[ev.Line], Status: ev.Status}}
	}
	return kitchenapi.OrderEvent{Order: &kitchenapi.OrderChange{Seq: ev.Seq, OrderID: ev.OrderID, At: ev.At, Status: ev.Status}}
}
