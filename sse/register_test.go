package sse_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

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
	api, _ := newAPI(t)
	roux.Get(api, "/orders/{id}/events", func(ctx context.Context, in *OrderInput) (*sse.Stream[OrderEvent], error) {
		return nil, nil
	})
	roux.Get(api, "/other", func(ctx context.Context, in *struct{}) (*sse.Stream[Other], error) { return nil, nil })
	roux.Get(api, "/shared", func(ctx context.Context, in *struct{}) (*Shared, error) { return nil, nil })
	rouxtest.New(t, api)
	doc := api.OpenAPI()

	op := doc.Paths["/other"].Get
	ok := op.Responses["200"]
	if len(ok.Content) != 1 || ok.Content["text/event-stream"] == nil {
		t.Fatalf("content: got %v, want text/event-stream only", ok.Content)
	}
	s := ok.Content["text/event-stream"].Schema
	if !s.Type.Has("array") || s.Items == nil || len(s.Items.OneOf) != 3 {
		t.Fatalf("schema: got %+v, want an array of one of 3 events", s)
	}
	for i, want := range []struct {
		name string
		data *schema.Schema
	}{
		{"progress", &schema.Schema{Ref: schema.RefPrefix + "Progress"}},
		{"count", &schema.Schema{Type: schema.Types{"integer"}, Format: "int64"}},
		{"shared", &schema.Schema{Ref: schema.RefPrefix + "Shared"}},
	} {
		ev := s.Items.OneOf[i]
		if got := ev.Properties["event"].Enum; len(got) != 1 || got[0] != want.name {
			t.Errorf("event %d: name %v, want %q", i, got, want.name)
		}
		if got := ev.Properties["data"]; got.Ref != want.data.Ref || !slices.Equal(got.Type, want.data.Type) {
			t.Errorf("event %s: data %+v, want %+v", want.name, got, want.data)
		}
		if !ev.IsRequired("event") || !ev.IsRequired("data") || ev.IsRequired("id") || ev.Properties["id"] == nil || ev.Properties["retry"] == nil {
			t.Errorf("event %s: got %+v, want required event and data, optional id and retry", want.name, ev)
		}
		if got := op.Extensions["x-roux-events"].(map[string]any)[want.name].(*schema.Schema); got != ev.Properties["data"] {
			t.Errorf("x-roux-events[%s]: got %+v, want the data schema", want.name, got)
		}
	}
	if !strings.Contains(ok.Description, "progress, count, shared") {
		t.Errorf("description %q does not name the events", ok.Description)
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
	// The OpenAPI 3.0 form keeps the events.
	b, err := openapi.Downgrade(doc)
	if err != nil || !bytes.Contains(b, []byte(`"x-roux-events"`)) || !bytes.Contains(b, []byte(`"text/event-stream"`)) {
		t.Errorf("the 3.0 form: %v, or it lost the events", err)
	}
}
