package rouxotel_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/roux-go/roux"
	rouxotel "github.com/roux-go/roux/otel"
	"github.com/roux-go/roux/rouxtest"
)

type dishInput struct {
	ID int64 `path:"id" minimum:"1" doc:"Dish identifier"`
}

type dish struct {
	ID   int64  `json:"id"`
	Name string `json:"name" minLength:"1" maxLength:"80"`
}

// kitchen is an instrumented API served over loopback, with the spans
// and metrics it records.
type kitchen struct {
	srv    *httptest.Server
	spans  *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
	tp     *sdktrace.TracerProvider
}

func newKitchen(t *testing.T) *kitchen {
	t.Helper()
	k := &kitchen{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	k.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(k.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(k.reader))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		k.tp.Shutdown(ctx)
		mp.Shutdown(ctx)
	})

	api := roux.New(roux.Config{Title: "Kitchen", Logger: discardLogger(), ProblemHook: rouxotel.ProblemHook(nil)})
	roux.Get(api, "/dishes/{id}", func(ctx context.Context, in *dishInput) (*dish, error) {
		if !trace.SpanFromContext(ctx).SpanContext().IsValid() {
			return nil, errors.New("the handler's context has no span")
		}
		switch in.ID {
		case 13:
			return nil, errors.New("the oven is on fire")
		case 14:
			return nil, &roux.Error{Status: http.StatusNotFound, Detail: "no dish 14"}
		}
		return &dish{ID: in.ID, Name: "soup"}, nil
	}, roux.Response(http.StatusNotFound, "No such dish", nil))
	if err := rouxotel.Instrument(api, rouxotel.TracerProvider(k.tp), rouxotel.MeterProvider(mp)); err != nil {
		t.Fatal(err)
	}
	// Registered after Instrument: instrumented all the same.
	roux.Post(api, "/dishes", func(ctx context.Context, in *struct{ Body dish }) (*dish, error) {
		return &in.Body, nil
	}, roux.OperationID("createDish"), roux.Status(http.StatusCreated))
	rouxtest.New(t, api)
	k.srv = httptest.NewServer(api)
	t.Cleanup(k.srv.Close)
	return k
}

// do sends a request to the kitchen and reads the whole response.
func (k *kitchen) do(t *testing.T, client *http.Client, req *http.Request) (int, string) {
	t.Helper()
	if client == nil {
		client = k.srv.Client()
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(body)
}

func (k *kitchen) request(t *testing.T, method, path, body string, headers ...string) *http.Request {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	var r io.Reader
	if body != "" {
		// A reader of unknown length: the body goes out chunked.
		r = io.MultiReader(strings.NewReader(body))
	}
	req, err := http.NewRequestWithContext(ctx, method, k.srv.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range headers {
		name, value, _ := strings.Cut(h, ": ")
		req.Header.Set(name, value)
	}
	return req
}

// ended waits for n ended spans named name and returns them.
func (k *kitchen) ended(t *testing.T, name string, n int) []sdktrace.ReadOnlySpan {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var got []sdktrace.ReadOnlySpan
		for _, s := range k.spans.Ended() {
			if s.Name() == name {
				got = append(got, s)
			}
		}
		if len(got) >= n || time.Now().After(deadline) {
			if len(got) != n {
				t.Fatalf("got %d ended spans named %q, want %d", len(got), name, n)
			}
			return got
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func attrs(kvs []attribute.KeyValue) map[string]string {
	m := map[string]string{}
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.Emit()
	}
	return m
}

func TestServerSpans(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, method, path, body string
		headers                  []string
		status                   int
		span                     string
		want                     map[string]string // a subset of the span's attributes
		absent                   []string
		code                     codes.Code
		problem                  map[string]string // the roux.problem event's attributes, if any
	}{
		{name: "ok", method: "GET", path: "/dishes/7", headers: []string{"User-Agent: kitchen-test/1"},
			status: 200, span: "get-dishes-id",
			want: map[string]string{
				"http.request.method": "GET", "http.route": "/dishes/{id}", "url.path": "/dishes/7",
				"url.scheme": "http", "server.address": "127.0.0.1", "client.address": "127.0.0.1",
				"user_agent.original": "kitchen-test/1", "network.protocol.version": "1.1",
				"http.response.status_code": "200",
			},
			absent: []string{"error.type"}, code: codes.Unset},
		{name: "handler error", method: "GET", path: "/dishes/13", status: 500, span: "get-dishes-id",
			want:    map[string]string{"http.route": "/dishes/{id}", "http.response.status_code": "500", "error.type": "500"},
			code:    codes.Error,
			problem: map[string]string{"roux.problem.status": "500", "roux.problem.title": "Internal Server Error", "roux.problem.type": "about:blank", "roux.problem.detail": "the server failed to handle the request"}},
		{name: "problem from the handler", method: "GET", path: "/dishes/14", status: 404, span: "get-dishes-id",
			want:    map[string]string{"http.response.status_code": "404"},
			absent:  []string{"error.type"},
			code:    codes.Unset,
			problem: map[string]string{"roux.problem.status": "404", "roux.problem.title": "Not Found", "roux.problem.type": "about:blank", "roux.problem.detail": "no dish 14"}},
		{name: "invalid input", method: "GET", path: "/dishes/0", status: 422, span: "get-dishes-id",
			want:   map[string]string{"http.route": "/dishes/{id}", "url.path": "/dishes/0", "http.response.status_code": "422"},
			absent: []string{"error.type"},
			code:   codes.Unset,
			problem: map[string]string{"roux.problem.status": "422", "roux.problem.title": "Unprocessable Entity", "roux.problem.type": "about:blank",
				"roux.problem.detail": `path parameter "id": must be at least 1`, "roux.problem.errors": "1"}},
		{name: "automatic HEAD", method: "HEAD", path: "/dishes/7", status: 200, span: "get-dishes-id",
			want: map[string]string{"http.request.method": "HEAD", "http.route": "/dishes/{id}", "http.response.status_code": "200"}},
		{name: "chunked body", method: "POST", path: "/dishes", body: `{"id":3,"name":"stew"}`, headers: []string{"Content-Type: application/json"},
			status: 201, span: "createDish",
			want: map[string]string{"http.request.method": "POST", "http.route": "/dishes", "http.response.status_code": "201"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k := newKitchen(t)
			status, body := k.do(t, nil, k.request(t, tt.method, tt.path, tt.body, tt.headers...))
			if status != tt.status {
				t.Fatalf("got status %d, want %d (%s)", status, tt.status, body)
			}
			s := k.ended(t, tt.span, 1)[0]
			if s.SpanKind() != trace.SpanKindServer {
				t.Errorf("got kind %v, want server", s.SpanKind())
			}
			got := attrs(s.Attributes())
			for key, want := range tt.want {
				if got[key] != want {
					t.Errorf("attribute %s: got %q, want %q", key, got[key], want)
				}
			}
			for _, key := range tt.absent {
				if v, ok := got[key]; ok {
					t.Errorf("attribute %s: got %q, want none", key, v)
				}
			}
			if s.Status().Code != tt.code {
				t.Errorf("got span status %v, want %v", s.Status().Code, tt.code)
			}
			var problem map[string]string
			for _, e := range s.Events() {
				if e.Name == "roux.problem" {
					problem = attrs(e.Attributes)
				}
			}
			if diff := cmp.Diff(tt.problem, problem); diff != "" {
				t.Errorf("problem event (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIncomingTraceContext(t *testing.T) {
	t.Parallel()
	k := newKitchen(t)
	const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	if status, _ := k.do(t, nil, k.request(t, "GET", "/dishes/7", "", "traceparent: "+parent)); status != 200 {
		t.Fatalf("got status %d", status)
	}
	s := k.ended(t, "get-dishes-id", 1)[0]
	if got, want := s.SpanContext().TraceID().String(), "4bf92f3577b34da6a3ce929d0e0e4736"; got != want {
		t.Errorf("got trace id %s, want %s", got, want)
	}
	if got, want := s.Parent().SpanID().String(), "00f067aa0ba902b7"; got != want {
		t.Errorf("got parent span id %s, want %s", got, want)
	}
	if !s.Parent().IsRemote() {
		t.Error("the parent is not remote")
	}
}

func TestUnknownRoutesAreNotTraced(t *testing.T) {
	t.Parallel()
	k := newKitchen(t)
	for _, tt := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/nowhere", 404},
		{"DELETE", "/dishes/7", 405},
		{"GET", "/dishes//7", 400},
	} {
		client := *k.srv.Client()
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		if status, _ := k.do(t, &client, k.request(t, tt.method, tt.path, "")); status != tt.status {
			t.Errorf("%s %s: got status %d, want %d", tt.method, tt.path, status, tt.status)
		}
	}
	// A traced request after them shows the server still serves and
	// that they left no span behind.
	k.do(t, nil, k.request(t, "GET", "/dishes/7", ""))
	k.ended(t, "get-dishes-id", 1)
	if n := len(k.spans.Ended()); n != 1 {
		t.Errorf("got %d spans, want 1", n)
	}
}

// point is a data point flattened for comparison.
type point struct {
	Attrs map[string]string
	Count uint64  // histograms
	Sum   float64 // histograms of sizes, and counters
}

func (k *kitchen) metrics(t *testing.T) map[string][]point {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := k.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	got := map[string][]point{}
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != rouxotel.ScopeName {
			t.Errorf("got scope %q, want %q", sm.Scope.Name, rouxotel.ScopeName)
		}
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					got[m.Name] = append(got[m.Name], point{Attrs: attrs(p.Attributes.ToSlice()), Count: p.Count})
				}
			case metricdata.Histogram[int64]:
				for _, p := range d.DataPoints {
					got[m.Name] = append(got[m.Name], point{Attrs: attrs(p.Attributes.ToSlice()), Count: p.Count, Sum: float64(p.Sum)})
				}
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					got[m.Name] = append(got[m.Name], point{Attrs: attrs(p.Attributes.ToSlice()), Sum: float64(p.Value)})
				}
			default:
				t.Errorf("metric %s: unexpected data %T", m.Name, m.Data)
			}
		}
	}
	return got
}

func TestMetricsPerOperation(t *testing.T) {
	t.Parallel()
	k := newKitchen(t)
	var sizes []int
	for _, r := range []struct{ method, path, body string }{
		{"GET", "/dishes/7", ""},
		{"GET", "/dishes/8", ""},
		{"GET", "/dishes/13", ""},
		{"POST", "/dishes", `{"id":3,"name":"stew"}`},
		{"GET", "/nowhere", ""},
	} {
		_, body := k.do(t, nil, k.request(t, r.method, r.path, r.body, "Content-Type: application/json"))
		sizes = append(sizes, len(body))
	}
	k.ended(t, "get-dishes-id", 3)
	k.ended(t, "createDish", 1)

	get := map[string]string{"http.request.method": "GET", "url.scheme": "http", "http.route": "/dishes/{id}", "roux.operation.id": "get-dishes-id", "roux.operation.class": "io"}
	with := func(m map[string]string, kv ...string) map[string]string {
		c := map[string]string{}
		for k, v := range m {
			c[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			c[kv[i]] = kv[i+1]
		}
		return c
	}
	get200 := with(get, "http.response.status_code", "200")
	get500 := with(get, "http.response.status_code", "500", "error.type", "500")
	post := map[string]string{"http.request.method": "POST", "url.scheme": "http", "http.route": "/dishes", "roux.operation.id": "createDish", "roux.operation.class": "io"}
	post201 := with(post, "http.response.status_code", "201")
	want := map[string][]point{
		"http.server.request.duration": {{Attrs: get200, Count: 2}, {Attrs: get500, Count: 1}, {Attrs: post201, Count: 1}},
		"http.server.active_requests":  {{Attrs: get}, {Attrs: post}},
		"http.server.request.body.size": {{Attrs: get200, Count: 2}, {Attrs: get500, Count: 1},
			{Attrs: post201, Count: 1, Sum: float64(len(`{"id":3,"name":"stew"}`))}},
		"http.server.response.body.size": {{Attrs: get200, Count: 2, Sum: float64(sizes[0] + sizes[1])},
			{Attrs: get500, Count: 1, Sum: float64(sizes[2])}, {Attrs: post201, Count: 1, Sum: float64(sizes[3])}},
		"roux.server.refusals": {{Attrs: map[string]string{"roux.refusal.reason": "cpu_pool"}}},
	}
	less := func(a, b point) bool {
		return a.Attrs["roux.operation.id"]+a.Attrs["http.response.status_code"] < b.Attrs["roux.operation.id"]+b.Attrs["http.response.status_code"]
	}
	if diff := cmp.Diff(want, k.metrics(t), cmpopts.SortSlices(less)); diff != "" {
		t.Errorf("metrics (-want +got):\n%s", diff)
	}
}

func TestWithPropagators(t *testing.T) {
	t.Parallel()
	// With no propagator nothing is read from the request: the span is a
	// root.
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	api := roux.New(roux.Config{})
	roux.Get(api, "/dishes/{id}", func(ctx context.Context, in *dishInput) (*dish, error) { return &dish{ID: in.ID, Name: "soup"}, nil })
	if err := rouxotel.Instrument(api, rouxotel.TracerProvider(tp), rouxotel.Propagators(propagation.NewCompositeTextMapPropagator())); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/dishes/1", nil)
	req.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	api.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("got status %d", rec.Code)
	}
	ended := spans.Ended()
	if len(ended) != 1 {
		t.Fatalf("got %d spans, want 1", len(ended))
	}
	if ended[0].Parent().IsValid() {
		t.Errorf("got parent %v, want none", ended[0].Parent())
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
