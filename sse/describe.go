package sse

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/openapi"
	"github.com/roux-go/roux/schema"
)

// describe fills in the document of a stream of events: OpenAPI 3.1 has
// no schema for a sequence of messages, so the stream is described, as
// is customary, as an array of the messages it carries, each one of the
// events.
func describe(d *roux.BodyDoc, events *eventSet) error {
	oneOf := make([]*schema.Schema, 0, len(events.events))
	refs := make(map[string]any, len(events.events))
	names := make([]string, 0, len(events.events))
	for _, ev := range events.events {
		data, err := d.Registry.Schema(ev.data)
		if err != nil {
			return fmt.Errorf("sse: event %q: %w", ev.name, err)
		}
		refs[ev.name] = data
		names = append(names, ev.name)
		oneOf = append(oneOf, &schema.Schema{
			Type:  schema.Types{"object"},
			Title: "Event " + ev.name,
			Properties: map[string]*schema.Schema{
				"event": {Type: schema.Types{"string"}, Enum: []any{ev.name}, Description: "The event name."},
				"data":  data,
				"id":    {Type: schema.Types{"string"}, Description: "The event ID; a client that reconnects sends the last one it received as Last-Event-ID."},
				"retry": {Type: schema.Types{"integer"}, Minimum: new(float64), Description: "How long the client should wait before reconnecting, in milliseconds."},
			},
			PropertyOrder: []string{"event", "data", "id", "retry"},
			Required:      []string{"event", "data"},
		})
	}
	if d.Response.Description == "" || d.Response.Description == http.StatusText(d.Status) {
		d.Response.Description = "A stream of server-sent events: " + strings.Join(names, ", ") + ". Each event's data is one line of JSON."
	}
	d.Response.Content = map[string]*openapi.MediaType{
		"text/event-stream": {Schema: &schema.Schema{
			Type:        schema.Types{"array"},
			Description: "The messages of the stream, in order: each is one of the events.",
			Items:       &schema.Schema{OneOf: oneOf},
		}},
	}
	d.Operation.Responses[strconv.Itoa(http.StatusNoContent)] = &openapi.Response{
		Description: "The stream is over: there are no more events to send. A browser's EventSource stops reconnecting.",
	}
	if d.Operation.Extensions == nil {
		d.Operation.Extensions = map[string]any{}
	}
	d.Operation.Extensions["x-roux-events"] = refs
	return nil
}
