package rouxotel_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/roux-go/roux"
	rouxotel "github.com/roux-go/roux/otel"
)

// tickBody writes a line and flushes it, once through
// http.NewResponseController and once through an http.Flusher
// assertion, then writes the last line only once the client has read the
// others: it hangs unless both flushes reach the connection.
type tickBody struct{ read chan struct{} }

func (b tickBody) WriteResponse(rc *roux.ResponseContext) error {
	rc.W.Header().Set("Content-Type", "text/plain")
	rc.W.WriteHeader(rc.Status)
	io.WriteString(rc.W, "one\n")
	if err := http.NewResponseController(rc.W).Flush(); err != nil {
		return err
	}
	io.WriteString(rc.W, "two\n")
	f, ok := rc.W.(http.Flusher)
	if !ok {
		io.WriteString(rc.W, "not a flusher\n")
		return nil
	}
	f.Flush()
	select {
	case <-b.read:
	case <-time.After(5 * time.Second):
		io.WriteString(rc.W, "timeout\n")
		return nil
	}
	_, err := io.Copy(rc.W, strings.NewReader("three\n")) // through ReadFrom
	return err
}

func TestStreamingFlushes(t *testing.T) {
	t.Parallel()
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	api := roux.New(roux.Config{})
	read := make(chan struct{})
	roux.Get(api, "/ticks", func(ctx context.Context, in *struct{}) (*struct{ Body tickBody }, error) {
		return &struct{ Body tickBody }{tickBody{read}}, nil
	})
	if err := rouxotel.Instrument(api, rouxotel.TracerProvider(tp)); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api)
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/ticks", nil)
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	br := bufio.NewReader(res.Body)
	for _, want := range []string{"one\n", "two\n"} {
		if got, err := br.ReadString('\n'); err != nil || got != want {
			t.Fatalf("got line %q, %v; want %q", got, err, want)
		}
	}
	close(read)
	if rest, err := io.ReadAll(br); err != nil || string(rest) != "three\n" {
		t.Errorf("got the rest %q, %v; want \"three\\n\"", rest, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(spans.Ended()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if ended := spans.Ended(); len(ended) != 1 || ended[0].Name() != "get-ticks" {
		t.Errorf("got spans %v, want one named get-ticks", ended)
	}
}

// TestPanicInMiddleware: a panic in an operation's own middleware
// escapes the operation; its span still ends, as a 500.
func TestPanicInMiddleware(t *testing.T) {
	t.Parallel()
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	api := roux.New(roux.Config{Logger: discardLogger()})
	roux.Get(api, "/boom", func(ctx context.Context, in *struct{}) (*struct{}, error) { return &struct{}{}, nil },
		roux.Middleware(func(http.Handler) http.Handler {
			return http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("middleware bug") })
		}))
	if err := rouxotel.Instrument(api, rouxotel.TracerProvider(tp)); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, httptest.NewRequest("GET", "/boom", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("got status %d, want 500", rec.Code)
	}
	ended := spans.Ended()
	if len(ended) != 1 {
		t.Fatalf("got %d spans, want 1", len(ended))
	}
	if got := attrs(ended[0].Attributes())["http.response.status_code"]; got != "500" {
		t.Errorf("got status code attribute %q, want 500", got)
	}
}
