package sse

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/openapi"
	"github.com/roux-go/roux/schema"
)

// describe fills in the document of a stream of events.
//
// OpenAPI 3.1 has no schema for a sequence of messages (3.2's itemSchema
// is refused in a 3.1 document), and the generators that read event
// streams agree on one convention instead: the media type's schema is
// the schema of one event's data. ogen takes it so by default (its
// "data-only" shape), @hey-api/openapi-ts yields each event's parsed data
// as that type, and openapi-typescript gives it to a client that parses
// the stream itself. An array of event objects, the older custom, made
// hey-api type every event as the whole array and ogen decode each
// event's data as one.
//
// So the schema is the data schema of the stream's events: the one
// schema when every event carries the same, else anyOf the distinct ones
// (anyOf, not oneOf: two events may carry values that both schemas
// accept). The event names are in the response's description and in the
// operation's extension x-roux-events, which maps each name to its data
// schema. The media type also carries x-ogen-raw-response: ogen generates
// typed event streams for clients only, and with its default
// configuration (server and client) it refuses a document whose stream
// it cannot serve; raw, it hands the client the response to read.
func describe(d *roux.BodyDoc, events *eventSet) error {
	var (
		data  []*schema.Schema
		seen  = map[string]bool{}
		refs  = make(map[string]any, len(events.events))
		names = make([]string, 0, len(events.events))
	)
	for _, ev := range events.events {
		s, err := d.Registry.Schema(ev.data)
		if err != nil {
			return fmt.Errorf("sse: event %q: %w", ev.name, err)
		}
		refs[ev.name] = s
		names = append(names, ev.name)
		key, err := json.Marshal(s)
		if err != nil {
			return fmt.Errorf("sse: event %q: %w", ev.name, err)
		}
		if !seen[string(key)] {
			seen[string(key)] = true
			data = append(data, s)
		}
	}
	if d.Response.Description == "" || d.Response.Description == http.StatusText(d.Status) {
		d.Response.Description = "A stream of server-sent events: " + strings.Join(names, ", ") +
			". Each event's data is one line of JSON, described by the schema; the operation's x-roux-events gives the data of each event."
	}
	s := data[0]
	if len(data) > 1 {
		s = &schema.Schema{AnyOf: data}
	}
	d.Response.Content = map[string]*openapi.MediaType{
		"text/event-stream": {Schema: s, Extensions: map[string]any{"x-ogen-raw-response": true}},
	}
	if d.Response.Headers == nil {
		d.Response.Headers = map[string]*openapi.Header{}
	}
	// The headers every stream starts with (see Stream.WriteResponse).
	d.Response.Headers["Cache-Control"] = constHeader("no-cache", "no-cache: a cache must not keep the stream.")
	d.Response.Headers["X-Accel-Buffering"] = constHeader("no", "no: a proxy (nginx) must pass each event on at once.")
	d.Operation.Responses[strconv.Itoa(http.StatusNoContent)] = &openapi.Response{
		Description: "The stream is over: there are no more events to send. A browser's EventSource stops reconnecting.",
	}
	if d.Operation.Extensions == nil {
		d.Operation.Extensions = map[string]any{}
	}
	d.Operation.Extensions["x-roux-events"] = refs
	return nil
}

// constHeader describes a header a stream always sends with value v.
func constHeader(v, desc string) *openapi.Header {
	return &openapi.Header{Description: desc, Required: true, Schema: &schema.Schema{Type: schema.Types{"string"}, Enum: []any{v}}}
}
