package rouxotel_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/client"
	rouxotel "github.com/roux-go/roux/otel"
)

// TestTypedClientPropagates: a call through package client over
// rouxotel.Transport carries the caller's trace to the server's span.
func TestTypedClientPropagates(t *testing.T) {
	t.Parallel()
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	defer tp.Shutdown(context.Background())

	api := roux.New(roux.Config{Logger: discardLogger()})
	getDish := roux.Get(api, "/dishes/{id}", func(ctx context.Context, in *dishInput) (*dish, error) {
		return &dish{ID: in.ID, Name: "soup"}, nil
	})
	if err := rouxotel.Instrument(api, rouxotel.TracerProvider(tp)); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api)
	defer srv.Close()

	c := client.New(srv.URL, client.HTTPClient(&http.Client{
		Transport: rouxotel.Transport(srv.Client().Transport, rouxotel.TracerProvider(tp)),
		Timeout:   10 * time.Second,
	}))
	ctx, caller := tp.Tracer("test").Start(context.Background(), "caller")
	got, err := client.Call(ctx, c, getDish, &dishInput{ID: 7})
	caller.End()
	if err != nil || got.ID != 7 {
		t.Fatalf("Call: %+v, %v", got, err)
	}

	var server sdktrace.ReadOnlySpan
	deadline := time.Now().Add(5 * time.Second)
	for server == nil && time.Now().Before(deadline) {
		for _, s := range spans.Ended() {
			if s.Name() == getDish.ID() {
				server = s
			}
		}
		time.Sleep(time.Millisecond)
	}
	if server == nil {
		t.Fatal("no server span")
	}
	if got, want := server.SpanContext().TraceID(), caller.SpanContext().TraceID(); got != want {
		t.Errorf("the server span is in trace %s, want the caller's %s", got, want)
	}
	if attrs(server.Attributes())["http.route"] != "/dishes/{id}" {
		t.Errorf("http.route %q", attrs(server.Attributes())["http.route"])
	}
}

// TestOperationClass: a CPU-bound operation's spans say so.
func TestOperationClass(t *testing.T) {
	t.Parallel()
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	defer tp.Shutdown(context.Background())
	api := roux.New(roux.Config{Logger: discardLogger()})
	roux.Get(api, "/bill", func(ctx context.Context, in *struct{}) (*dish, error) {
		return &dish{ID: 1, Name: "bill"}, nil
	}, roux.CPUBound())
	roux.Get(api, "/menu", func(ctx context.Context, in *struct{}) (*dish, error) {
		return &dish{ID: 2, Name: "menu"}, nil
	})
	if err := rouxotel.Instrument(api, rouxotel.TracerProvider(tp)); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api)
	defer srv.Close()
	for _, path := range []string{"/bill", "/menu"} {
		res, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	want := map[string]string{"get-bill": "cpu", "get-menu": "io"}
	deadline := time.Now().Add(5 * time.Second)
	for len(spans.Ended()) < 2 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	for _, s := range spans.Ended() {
		if got := attrs(s.Attributes())["roux.operation.class"]; got != want[s.Name()] {
			t.Errorf("span %s: class %q, want %q", s.Name(), got, want[s.Name()])
		}
		delete(want, s.Name())
	}
	if len(want) > 0 {
		t.Errorf("no span for %v", want)
	}
}
