package kitchen

// This file holds GET /orders/{id}/events: the order's event log as
// server-sent events.
//
// The log is in the store, so the stream is a thin layer over it: read
// the events after the last one sent, write them, wait, repeat. Waiting
// ends early when this instance writes an event of the order (the hub);
// events written by other instances are found by polling every
// Config.Poll. Polling works the same on SQLite and PostgreSQL; LISTEN/
// NOTIFY would save the polls on PostgreSQL alone.
//
// TODO(lead): replace eventStream's hand-written text/event-stream
// framing with package github.com/roux-go/roux/sse once it is merged; the
// store-backed loop stays.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/openapi"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
)

// OrderEvent is the data of one server-sent event.
type OrderEvent struct {
	Seq     int64     `json:"seq" example:"3" doc:"The event's number in the order's log; also the SSE id"`
	OrderID int64     `json:"order_id" example:"1"`
	At      time.Time `json:"at"`
	Kind    string    `json:"kind" enum:"order,item" example:"item" doc:"order: the order's status changed; item: a line's"`
	Line    int       `json:"line,omitempty" example:"1" doc:"The line, for item events"`
	Dish    string    `json:"dish,omitempty" example:"Tomato soup" doc:"The line's dish, for item events"`
	Status  string    `json:"status" example:"cooking" doc:"The new status of the order or the line"`
}

// keepAlive is how often an idle stream sends a comment, so that proxies
// do not close it.
const keepAlive = 15 * time.Second

type eventsInput struct {
	orderPath
	LastEventID string         `header:"Last-Event-ID" example:"3" doc:"Resume after this event (browsers send it when they reconnect)"`
	Customer    store.Customer `dep:""`
}

func (s *Service) orderEvents(ctx context.Context, in *eventsInput) (*struct{ Body *eventStream }, error) {
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
	names := map[int]string{}
	for _, it := range o.Items {
		names[it.Line] = it.Name
	}
	return &struct{ Body *eventStream }{&eventStream{s: s, db: db, order: o.ID, after: after, names: names}}, nil
}

// eventStream writes an order's events as text/event-stream.
type eventStream struct {
	s     *Service
	db    store.Store
	order int64
	after int64
	names map[int]string
}

// DescribeBody documents the stream: text/event-stream whose events carry
// an OrderEvent.
func (e *eventStream) DescribeBody(d *roux.BodyDoc) error {
	sch, err := d.Registry.Schema(reflectOrderEvent)
	if err != nil {
		return err
	}
	d.Response.Description = "The order's events, until it is ready or cancelled. Each event's data is an OrderEvent."
	d.Response.Content = map[string]*openapi.MediaType{"text/event-stream": {Schema: sch}}
	return nil
}

// WriteResponse streams until the order is finished, the client leaves or
// the server shuts down.
func (e *eventStream) WriteResponse(rc *roux.ResponseContext) error {
	w := rc.W
	ctl := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	// A stream outlives the server's read and write timeouts (package
	// cli's are 30s): lift the read deadline, whose expiry would cancel
	// the request, and give each write a deadline of its own.
	ctl.SetReadDeadline(time.Time{}) //nolint:errcheck // not every writer has deadlines
	w.WriteHeader(http.StatusOK)
	ctx := rc.R.Context()
	poll := time.NewTicker(e.s.cfg.Poll)
	defer poll.Stop()
	lastWrite := time.Now()
	for {
		// Ask to be woken before reading, so that no event written
		// between the read and the wait is missed.
		wake := e.s.hub.wait(e.order)
		evs, err := e.db.Events(ctx, e.order, e.after, 100)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		var b strings.Builder
		done := false
		for _, ev := range evs {
			data, _ := json.Marshal(OrderEvent{Seq: ev.Seq, OrderID: ev.OrderID, At: ev.At, Kind: ev.Kind, Line: ev.Line,
				Dish: e.names[ev.Line], Status: ev.Status})
			fmt.Fprintf(&b, "id: %d\nevent: %s\ndata: %s\n\n", ev.Seq, ev.Kind, data)
			e.after = ev.Seq
			if ev.Kind == store.EventOrder && (ev.Status == store.OrderReady || ev.Status == store.OrderCancelled) {
				done = true
			}
		}
		if b.Len() == 0 && time.Since(lastWrite) >= keepAlive {
			b.WriteString(": keep-alive\n\n")
		}
		if b.Len() > 0 {
			ctl.SetWriteDeadline(time.Now().Add(2 * keepAlive)) //nolint:errcheck // not every writer has deadlines
			if _, err := w.Write([]byte(b.String())); err != nil {
				return err
			}
			if err := ctl.Flush(); err != nil {
				return err
			}
			lastWrite = time.Now()
		}
		if done {
			return nil
		}
		if len(evs) == 100 {
			continue // more to read at once
		}
		select {
		case <-ctx.Done():
			return nil
		case <-rc.Stopping():
			return nil // the client reconnects to another instance with Last-Event-ID
		case <-wake:
		case <-poll.C:
		}
	}
}

var reflectOrderEvent = reflect.TypeFor[OrderEvent]()
