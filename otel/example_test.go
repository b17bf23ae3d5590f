package rouxotel_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/roux-go/roux"
	rouxotel "github.com/roux-go/roux/otel"
)

func getDish(ctx context.Context, in *dishInput) (*dish, error) {
	return &dish{ID: in.ID, Name: "soup"}, nil
}

// Spans go to the stdout exporter. A real service passes os.Stdout (or
// nothing: it is the default) and a batcher; here the exporter writes to
// a buffer synchronously so that the example can show what it wrote.
func ExampleInstrument_stdout() {
	var out bytes.Buffer
	exporter, err := stdouttrace.New(stdouttrace.WithWriter(&out))
	if err != nil {
		panic(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	defer tp.Shutdown(context.Background())

	api := roux.New(roux.Config{})
	roux.Get(api, "/dishes/{id}", getDish)
	if err := rouxotel.Instrument(api, rouxotel.TracerProvider(tp)); err != nil {
		panic(err)
	}
	srv := httptest.NewServer(api)
	defer srv.Close()
	res, err := http.Get(srv.URL + "/dishes/7")
	if err != nil {
		panic(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()

	// The exporter wrote one JSON object per span.
	var span struct {
		Name       string
		Attributes []struct {
			Key   string
			Value struct{ Value any }
		}
	}
	if err := json.NewDecoder(&out).Decode(&span); err != nil {
		panic(err)
	}
	fmt.Println(span.Name)
	for _, a := range span.Attributes {
		switch a.Key {
		case "http.request.method", "http.route", "url.path", "http.response.status_code":
			fmt.Println(a.Key, a.Value.Value)
		}
	}
	// Output:
	// get-dishes-id
	// http.request.method GET
	// http.route /dishes/{id}
	// url.path /dishes/7
	// http.response.status_code 200
}

// Metrics are served to Prometheus from an endpoint mounted next to the
// API.
func ExampleInstrument_prometheus() {
	registry := prometheus.NewRegistry()
	exporter, err := otelprom.New(otelprom.WithRegisterer(registry), otelprom.WithoutScopeInfo(), otelprom.WithoutTargetInfo())
	if err != nil {
		panic(err)
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter))
	defer mp.Shutdown(context.Background())

	api := roux.New(roux.Config{})
	roux.Get(api, "/dishes/{id}", getDish)
	if err := rouxotel.Instrument(api, rouxotel.MeterProvider(mp)); err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(registry, promhttp.HandlerOpts{}))
	mux.Handle("/", api)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	for _, path := range []string{"/dishes/7", "/dishes/8", "/dishes/0", "/metrics"} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			panic(err)
		}
		if path == "/metrics" {
			sc := bufio.NewScanner(res.Body)
			for sc.Scan() {
				if strings.HasPrefix(sc.Text(), "http_server_request_duration_seconds_count") {
					fmt.Println(sc.Text())
				}
			}
		}
		res.Body.Close()
	}
	// Output:
	// http_server_request_duration_seconds_count{http_request_method="GET",http_response_status_code="200",http_route="/dishes/{id}",roux_operation_class="io",roux_operation_id="get-dishes-id",url_scheme="http"} 2
	// http_server_request_duration_seconds_count{http_request_method="GET",http_response_status_code="422",http_route="/dishes/{id}",roux_operation_class="io",roux_operation_id="get-dishes-id",url_scheme="http"} 1
}
