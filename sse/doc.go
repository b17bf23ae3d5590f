// Package sse streams typed server-sent events from roux operations and
// reads them back.
//
// # Declaring events
//
// The events of a stream are declared once, as a struct of pointer
// fields, each tagged with an event name; the field's type is the event's
// data, sent as one line of JSON:
//
//	type OrderEvent struct {
//		Progress *Progress `event:"progress"`
//		Done     *Done     `event:"done"`
//	}
//
// One value of it carries one event: the one field that is set.
//
// # Serving a stream
//
// A handler returns a [Stream] made by [New], whose producer sends the
// events with a [Sender]:
//
//	roux.Get(api, "/orders/{id}/events", func(ctx context.Context, in *EventsInput) (*sse.Stream[OrderEvent], error) {
//		if !exists(in.ID) {
//			return nil, roux.NewError(http.StatusNotFound, "no such order")
//		}
//		return sse.New(func(ctx context.Context, s *sse.Sender[OrderEvent]) error {
//			return s.Send(OrderEvent{Progress: &Progress{Percent: 50}})
//		}), nil
//	})
//
// Failures found before the handler returns — a bad parameter, an
// unknown order — are problems, as for any operation; after it, the
// response is a 200 text/event-stream. Each message is flushed as it is
// sent, a comment is sent when the stream is silent ([KeepAlive]), and a
// client that stops reading is found out ([WriteTimeout]). The producer's
// context is cancelled, and its sends fail, when the client goes away or
// the server starts to shut down ([roux.API.Drain]).
//
// A Stream can also be the Body of an envelope, whose headers and status
// are then sent with it.
//
// # Resuming
//
// An event sent with [Sender.SendID] carries an ID; a browser's
// EventSource that reconnects sends the last one it received in the
// Last-Event-ID header. Declare it in the input, where it is documented
// and handed to the handler, or read it from [Sender.LastEventID]:
//
//	type EventsInput struct {
//		ID          int64  `path:"id" minimum:"1"`
//		LastEventID string `header:"Last-Event-ID"`
//	}
//
// # Ending a stream
//
// A browser's EventSource reconnects whenever a stream ends, after a few
// seconds, with the Last-Event-ID of the last event it received; it stops
// only when an answer is not a 200 stream. So a stream that has sent its
// last event ends as usual, and the reconnection that follows is answered
// with [Finished], a 204 No Content:
//
//	if order.Done() && in.LastEventID == order.LastEventID() {
//		return sse.Finished[OrderEvent](), nil
//	}
//
// Every stream operation documents the 204.
//
// # Load shedding
//
// A stream that starts tells the load shedder of package middleware that
// admitted it ([middleware.MarkLongLived]): it leaves the shedder's
// concurrency limit, whose places are for requests that end soon, and
// takes one of its places for long-lived responses. When those are all
// taken, the stream is refused with a 503 problem and Retry-After.
//
// # The document
//
// The operation's success response is documented as text/event-stream
// whose schema is that of each event's data (shared component schemas for
// named structs; anyOf them when events carry different types), the
// convention OpenAPI generators read: ogen, @hey-api/openapi-ts and
// openapi-typescript type each event's data with it. The extension
// x-roux-events maps each event name to its data schema, and
// x-ogen-raw-response lets ogen's default configuration, which cannot
// serve a typed stream, hand its client the raw response. A 204 response
// is documented for [Finished] streams.
//
// # Reading a stream
//
// [Read] parses an event stream, as the HTML standard specifies, and
// decodes its events: for clients and tests. [ReadFrom] reads one
// connection of a stream that spans several, keeping the last event ID
// and the retry delay in a [Cursor]; package client's Events follows a
// stream that way, reconnecting with Last-Event-ID.
package sse
