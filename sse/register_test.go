package sse_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/openapi"
	"github.com/roux-go/roux/rouxtest"
	"github.com/roux-go/roux/schema"
	"github.com/roux-go/roux/sse"
)

// register registers a stream of E and returns the registration error.
func register[E any](t *testing.T) (err error) {
	t.Helper()
	defer func() {
		if v := recover(); v != nil {
			var ok bool
			if err, ok = v.(error); !ok {
				t.Fatalf("panicked with %v, want a *roux.RegistrationError", v)
			}
		}
	}()
	api := roux.New(roux.Config{})
	roux.Get(api, "/events", func(ctx context.Context, in *struct{}) (*sse.Stream[E], error) { return nil, nil })
	return nil
}

func TestRegistrationRejectsBadEventTypes(t *testing.T) {
	t.Parallel()
	type noField struct{}
	type notPointer struct {
		A Progress `event:"a"`
	}
	type untagged struct {
		A *Progress
	}
	type emptyTag struct {
		A *Progress `event:""`
	}
	type duplicate struct {
		A *Progress `event:"x"`
		B *Done     `event:"x"`
	}
	type unexported struct {
		a *Progress `event:"a"`
	}
	type newline struct {
		A *Progress `event:"a\nb"`
	}
	type leadingSpace struct {
		A *Progress `event:" a"`
	}
	type unencodable struct {
		A *chan int `event:"a"`
	}
	for _, tt := range []struct {
		name     string
		register func(*testing.T) error
		want     string
	}{
		{"not a struct", register[int], "must be a struct of pointer fields"},
		{"no field", register[noField], "declares no event"},
		{"not a pointer", register[notPointer], "must be a pointer"},
		{"untagged", register[untagged], "has no event tag"},
		{"empty tag", register[emptyTag], "the event tag is empty"},
		{"duplicate", register[duplicate], `fields A and B of event type sse_test.duplicate are both tagged event:"x"`},
		{"unexported", register[unexported], "must be an exported"},
		{"newline", register[newline], "control character"},
		{"leading space", register[leadingSpace], "starts or ends with a space"},
		{"unencodable", register[unencodable], "cannot be encoded as JSON"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.register(t)
			var re *roux.RegistrationError
			if !errors.As(err, &re) {
				t.Fatalf("got %v, want a *roux.RegistrationError", err)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(re.Site, "register_test.go") {
				t.Errorf("got %q, want it to mention %q and this file", err, tt.want)
			}
		})
	}
}

func TestRegistrationRejectsAnotherContentType(t *testing.T) {
	t.Parallel()
	defer func() {
		if err, _ := recover().(error); err == nil || !strings.Contains(err.Error(), "text/event-stream") {
			t.Errorf("got %v, want a registration error about the content type", err)
		}
	}()
	type Out struct {
		Body *sse.Stream[OrderEvent] `contentType:"application/x-ndjson"`
	}
	api := roux.New(roux.Config{})
	roux.Get(api, "/events", func(ctx context.Context, in *struct{}) (*Out, error) { return nil, nil })
}

func TestDocument(t *testing.T) {
	t.Parallel()
	type Shared struct {
		N int `json:"n"`
	}
	type Other struct {
		Progress *Progress `event:"progress"`
		Count    *int      `event:"count"`
		Shared   *Shared   `event:"shared"`
	}
	type Twice struct {
		Started *Shared `event:"started"`
		Stopped *Shared `event:"stopped"`
	}
	api, _ := newAPI(t)
	roux.Get(api, "/orders/{id}/events", func(ctx context.Context, in *OrderInput) (*sse.Stream[OrderEvent], error) {
		return nil, nil
	})
	roux.Get(api, "/other", func(ctx context.Context, in *struct{}) (*sse.Stream[Other], error) { return nil, nil })
	roux.Get(api, "/twice", func(ctx context.Context, in *struct{}) (*sse.Stream[Twice], error) { return nil, nil })
	roux.Get(api, "/shared", func(ctx context.Context, in *struct{}) (*Shared, error) { return nil, nil })
	rouxtest.New(t, api)
	doc := api.OpenAPI()

	ref := func(name string) *schema.Schema { return &schema.Schema{Ref: schema.RefPrefix + name} }
	for _, tt := range []struct {
		path   string
		schema *schema.Schema            // of the media type: each event's data
		events map[string]*schema.Schema // x-roux-events
		names  string                    // in the description
	}{
		{
			path:   "/orders/{id}/events",
			schema: &schema.Schema{AnyOf: []*schema.Schema{ref("Progress"), ref("Done")}},
			events: map[string]*schema.Schema{"progress": ref("Progress"), "done": ref("Done")},
			names:  "progress, done",
		},
		{
			path: "/other",
			schema: &schema.Schema{AnyOf: []*schema.Schema{
				ref("Progress"), {Type: schema.Types{"integer"}, Format: "int64"}, ref("Shared"),
			}},
			events: map[string]*schema.Schema{
				"progress": ref("Progress"), "count": {Type: schema.Types{"integer"}, Format: "int64"}, "shared": ref("Shared"),
			},
			names: "progress, count, shared",
		},
		{
			// Events with the same data: the schema is that data, once.
			path:   "/twice",
			schema: ref("Shared"),
			events: map[string]*schema.Schema{"started": ref("Shared"), "stopped": ref("Shared")},
			names:  "started, stopped",
		},
	} {
		t.Run(tt.path, func(t *testing.T) {
			op := doc.Paths[tt.path].Get
			ok := op.Responses["200"]
			mt := ok.Content["text/event-stream"]
			if len(ok.Content) != 1 || mt == nil {
				t.Fatalf("content: got %v, want text/event-stream only", ok.Content)
			}
			opts := cmpopts.IgnoreUnexported(schema.Schema{})
			if diff := cmp.Diff(tt.schema, mt.Schema, opts); diff != "" {
				t.Errorf("schema (-want +got):\n%s", diff)
			}
			if got := mt.Extensions["x-ogen-raw-response"]; got != true {
				t.Errorf("x-ogen-raw-response: got %v, want true", got)
			}
			events := map[string]*schema.Schema{}
			for name, s := range op.Extensions["x-roux-events"].(map[string]any) {
				events[name] = s.(*schema.Schema)
			}
			if diff := cmp.Diff(tt.events, events, opts); diff != "" {
				t.Errorf("x-roux-events (-want +got):\n%s", diff)
			}
			if !strings.Contains(ok.Description, tt.names) {
				t.Errorf("description %q does not name the events %s", ok.Description, tt.names)
			}
		})
	}
	// The data types are components shared with the rest of the document.
	for _, name := range []string{"Progress", "Done", "Shared"} {
		if doc.Components.Schemas[name] == nil {
			t.Errorf("component %s is missing", name)
		}
	}
	if doc.Paths["/shared"].Get.Responses["200"].Content["application/json"].Schema.Ref != schema.RefPrefix+"Shared" {
		t.Error("the stream and a JSON operation do not share the component Shared")
	}
	// The published forms carry the extensions: 3.1 and the 3.0 downgrade.
	b31, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	b30, err := openapi.Downgrade(doc)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"3.1": b31, "3.0": b30} {
		var d struct {
			Paths map[string]map[string]struct {
				Events    map[string]any `json:"x-roux-events"`
				Responses map[string]struct {
					Content map[string]map[string]any `json:"content"`
				} `json:"responses"`
			} `json:"paths"`
		}
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatalf("the %s form: %v", name, err)
		}
		op := d.Paths["/other"]["get"]
		mt := op.Responses["200"].Content["text/event-stream"]
		if len(op.Events) != 3 || mt["schema"] == nil || mt["x-ogen-raw-response"] != true {
			t.Errorf("the %s form: got x-roux-events %v and text/event-stream %v, want 3 events, a schema and x-ogen-raw-response", name, op.Events, mt)
		}
	}
}
