package roux_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/roux-go/roux"
)

// raw is a ResponseBody whose describer leaves the status alone.
type raw struct{ _ int } // a struct without fields would be "no body"

func (*raw) WriteResponse(rc *roux.ResponseContext) error {
	rc.W.WriteHeader(rc.Status)
	return nil
}

func (*raw) DescribeBody(d *roux.BodyDoc) error { return nil }

// switching documents 101, as a WebSocket handshake does.
type switching struct{ raw }

func (*switching) DescribeBody(d *roux.BodyDoc) error {
	d.Status = http.StatusSwitchingProtocols
	return nil
}

// badStatus documents a status that is none.
type badStatus struct{ raw }

func (*badStatus) DescribeBody(d *roux.BodyDoc) error {
	d.Status = 42
	return nil
}

func TestBodyDescriberStatus(t *testing.T) {
	t.Parallel()
	api := roux.New(roux.Config{})
	roux.Get(api, "/switch", func(ctx context.Context, in *struct{}) (*switching, error) { return &switching{}, nil })
	roux.Get(api, "/raw", func(ctx context.Context, in *struct{}) (*raw, error) { return &raw{}, nil })
	doc := api.OpenAPI()
	sw := doc.Paths["/switch"].Get.Responses
	if r, ok := sw["101"]; !ok || r.Description != "Switching Protocols" {
		t.Errorf("got 101 response %+v, want one described as Switching Protocols", r)
	}
	if _, ok := sw["200"]; ok {
		t.Errorf("got a 200 response beside the 101")
	}
	if _, ok := doc.Paths["/raw"].Get.Responses["200"]; !ok {
		t.Errorf("got responses %v, want the operation's 200", doc.Paths["/raw"].Get.Responses)
	}
	defer func() {
		v := recover()
		var re *roux.RegistrationError
		if err, _ := v.(error); !errors.As(err, &re) {
			t.Fatalf("got panic %v, want a *RegistrationError for the invalid status", v)
		}
	}()
	roux.Get(api, "/bad", func(ctx context.Context, in *struct{}) (*badStatus, error) { return &badStatus{}, nil })
}
