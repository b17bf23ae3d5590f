package kitchen

// This file holds GET /orders/{id}/events: the order's event log as
// server-sent events, framed by package sse.
//
// The log is in the store, so the stream is a thin layer over it: read
// the events after the last one sent, send them, wait, repeat. Waiting
// ends early when this instance writes an event of the order (the hub);
// events written by other instances are found by polling every
// Config.Poll. Polling works the same on SQLite and PostgreSQL; LISTEN/
// NOTIFY would save the polls on PostgreSQL alone.
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
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/sse"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
)

// OrderEvent is one event of an order's stream: exactly one field is
// set. The event's ID (and the Last-Event-ID a client resumes with) is
// its seq.
type OrderEvent struct {
	// Order is sent when the order's status changes.
	Order *OrderChange `event:"order"`
	// Item is sent when a line's status changes.
	Item *ItemChange `event:"item"`
}

// OrderChange is the data of an "order" event: the order's new status.
type OrderChange struct {
	Seq     int64     `json:"seq" example:"1" doc:"The event's number in the order's log; also its SSE id"`
	OrderID int64     `json:"order_id" example:"1"`
	At      time.Time `json:"at"`
	Status  string    `json:"status" enum:"received,cooking,ready,cancelled" example:"cooking" doc:"The order's new status; the stream ends after ready or cancelled"`
}

// ItemChange is the data of an "item" event: a line's new status.
type ItemChange struct {
	Seq     int64     `json:"seq" example:"3" doc:"The event's number in the order's log; also its SSE id"`
	OrderID int64     `json:"order_id" example:"1"`
	At      time.Time `json:"at"`
	Line    int       `json:"line" example:"1" doc:"The line of the order"`
	Dish    string    `json:"dish" example:"Tomato soup" doc:"The line's dish"`
	Status  string    `json:"status" enum:"queued,cooking,done,cancelled" example:"done" doc:"The line's new status"`
}

// EventsInput is the input of orderEvents.
type EventsInput struct {
	ID          int64          `path:"id" minimum:"1" example:"1" doc:"Order identifier"`
	LastEventID string         `header:"Last-Event-ID" example:"3" doc:"Resume after this event (browsers send it when they reconnect)"`
	Customer    store.Customer `dep:""`
}

// eventBatch is how many events the stream reads from the store at once.
const eventBatch = 100

func (s *Service) orderEvents(ctx context.Context, in *EventsInput) (*sse.Stream[OrderEvent], error) {
	db, err := s.db()
	if err != nil {
		return nil, err
	}
	o, err := ownOrder(ctx, db, in.ID, in.Customer)
	if err != nil {
		return nil, err
	}
	var after int64
	if in.LastEventID != "" {
		after, err = strconv.ParseInt(strings.TrimSpace(in.LastEventID), 10, 64)
		if err != nil || after < 0 {
			e := roux.NewError(http.StatusUnprocessableEntity, "Last-Event-ID must be an event's seq")
			e.Errors = []roux.ErrorDetail{{Detail: "must be a non-negative integer", Parameter: "Last-Event-ID", In: "header", Code: "type"}}
			return nil, e
		}
	}
	if o.Status == store.OrderReady || o.Status == store.OrderCancelled {
		// A finished order's stream has nothing after its last event: a
		// client reconnecting with that event's ID (as EventSource does
		// after every stream) gets 204, which stops it.
		evs, err := db.Events(ctx, o.ID, after, 1)
		if err != nil {
			return nil, err
		}
		if len(evs) == 0 {
			return sse.Finished[OrderEvent](), nil
		}
	}
	names := map[int]string{}
	for _, it := range o.Items {
		names[it.Line] = it.Name
	}
	return sse.New(func(ctx context.Context, send *sse.Sender[OrderEvent]) error {
		return s.streamEvents(ctx, send, db, o.ID, after, names)
	}), nil
}

// streamEvents sends the events of order id after seq after until the
// order is ready or cancelled; package sse cancels ctx when the client
// goes away or the server shuts down (the client then reconnects, to
// this instance or another, with Last-Event-ID).
func (s *Service) streamEvents(ctx context.Context, send *sse.Sender[OrderEvent], db store.Store, id, after int64, names map[int]string) error {
	poll := time.NewTicker(s.cfg.Poll)
	defer poll.Stop()
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
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-wake:
		case <-poll.C:
		}
	}
}

// eventView is the event of the stream that ev is.
func eventView(ev store.Event, names map[int]string) OrderEvent {
	if ev.Kind == store.EventItem {
		return OrderEvent{Item: &ItemChange{Seq: ev.Seq, OrderID: ev.OrderID, At: ev.At, Line: ev.Line,
			Dish: names[ev.Line], Status: ev.Status}}
	}
	return OrderEvent{Order: &OrderChange{Seq: ev.Seq, OrderID: ev.OrderID, At: ev.At, Status: ev.Status}}
}
