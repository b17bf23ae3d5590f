package rouxotel_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	rouxotel "github.com/roux-go/roux/otel"
)

// TestTransportPropagates follows one trace from a span in the client
// through the Transport's client span to the server's span.
func TestTransportPropagates(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		path   string
		status int
		code   codes.Code
	}{
		{"/dishes/7", 200, codes.Unset},
		{"/dishes/14", 404, codes.Error}, // a client span is an error from 4xx on
	} {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			k := newKitchen(t)
			client := &http.Client{Transport: rouxotel.Transport(k.srv.Client().Transport, rouxotel.TracerProvider(k.tp))}
			ctx, parent := k.tp.Tracer("test").Start(context.Background(), "caller")
			req := k.request(t, "GET", tt.path, "").WithContext(ctx)
			if status, _ := k.do(t, client, req); status != tt.status {
				t.Fatalf("got status %d, want %d", status, tt.status)
			}
			parent.End()
			if h := req.Header.Get("traceparent"); h != "" {
				t.Errorf("the caller's request was changed: traceparent %q", h)
			}

			var clientSpan, serverSpan sdktrace.ReadOnlySpan
			for _, s := range k.ended(t, "GET", 1) {
				clientSpan = s
			}
			for _, s := range k.ended(t, "get-dishes-id", 1) {
				serverSpan = s
			}
			if clientSpan.SpanKind() != trace.SpanKindClient {
				t.Errorf("got kind %v, want client", clientSpan.SpanKind())
			}
			if got, want := clientSpan.Parent().SpanID(), parent.SpanContext().SpanID(); got != want {
				t.Errorf("client span's parent: got %s, want the caller's %s", got, want)
			}
			if got, want := serverSpan.Parent().SpanID(), clientSpan.SpanContext().SpanID(); got != want {
				t.Errorf("server span's parent: got %s, want the client span %s", got, want)
			}
			if got, want := serverSpan.SpanContext().TraceID(), parent.SpanContext().TraceID(); got != want {
				t.Errorf("server span's trace: got %s, want %s", got, want)
			}
			got := attrs(clientSpan.Attributes())
			for key, want := range map[string]string{
				"http.request.method": "GET", "url.full": k.srv.URL + tt.path, "server.address": "127.0.0.1",
				"http.response.status_code": itoa(tt.status),
			} {
				if got[key] != want {
					t.Errorf("attribute %s: got %q, want %q", key, got[key], want)
				}
			}
			if clientSpan.Status().Code != tt.code {
				t.Errorf("got status %v, want %v", clientSpan.Status().Code, tt.code)
			}
		})
	}
}

func TestTransportFailure(t *testing.T) {
	t.Parallel()
	k := newKitchen(t)
	dead := httptest.NewServer(http.NotFoundHandler())
	url := dead.URL
	dead.Close()
	client := &http.Client{Transport: rouxotel.Transport(nil, rouxotel.TracerProvider(k.tp)), Timeout: 5 * time.Second}
	req, _ := http.NewRequest("GET", url+"/x?secret=1", nil)
	if res, err := client.Do(req); err == nil {
		res.Body.Close()
		t.Fatal("got a response from a closed server")
	}
	s := k.ended(t, "GET", 1)[0]
	if s.Status().Code != codes.Error {
		t.Errorf("got status %v, want error", s.Status().Code)
	}
	got := attrs(s.Attributes())
	if got["error.type"] == "" {
		t.Error("no error.type")
	}
	if got["url.full"] != url+"/x" {
		t.Errorf("got url.full %q, want %q (no query)", got["url.full"], url+"/x")
	}
}
