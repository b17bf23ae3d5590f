package roux_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/roux-go/roux"
)

// A *roux.File body answers Range and conditional requests.
func ExampleFile() {
	api := roux.New(roux.Config{})
	roux.Get(api, "/notes.txt", func(ctx context.Context, in *struct{}) (*roux.File, error) {
		return &roux.File{
			Content: strings.NewReader("hello, range requests"),
			Name:    "notes.txt",
			ModTime: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
			ETag:    `"n1"`,
		}, nil
	})

	req := httptest.NewRequest("GET", "/notes.txt", nil)
	req.Header.Set("Range", "bytes=7-11")
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("Content-Range"), rec.Body.String())

	req = httptest.NewRequest("GET", "/notes.txt", nil)
	req.Header.Set("If-None-Match", `"n1"`)
	rec = httptest.NewRecorder()
	api.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	// Output:
	// 206 bytes 7-11/21 range
	// 304
}

// A Body field with a contentType tag is sent as it is.
func Example_rawBody() {
	type Report struct {
		Body string `contentType:"text/csv"`
	}
	api := roux.New(roux.Config{})
	roux.Get(api, "/report", func(ctx context.Context, in *struct{}) (*Report, error) {
		return &Report{Body: "dish,orders\nsoup,12\n"}, nil
	})
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, httptest.NewRequest("GET", "/report", nil))
	fmt.Println(rec.Header().Get("Content-Type"))
	fmt.Print(rec.Body.String())
	// Output:
	// text/csv
	// dish,orders
	// soup,12
}

// Formats registered in Config are offered besides JSON and chosen by
// the Accept header. CBOR is wired the same way, for example with
// github.com/fxamacker/cbor/v2: Marshal: func(w io.Writer, v any) error
// { return cbor.NewEncoder(w).Encode(v) }.
func ExampleFormat() {
	type Dish struct {
		XMLName xml.Name `json:"-" xml:"dish"`
		Name    string   `json:"name" xml:"name"`
	}
	api := roux.New(roux.Config{Formats: []roux.Format{{
		MediaType: "application/xml",
		Marshal:   func(w io.Writer, v any) error { return xml.NewEncoder(w).Encode(v) },
	}}})
	roux.Get(api, "/dish", func(ctx context.Context, in *struct{}) (*Dish, error) {
		return &Dish{Name: "soup"}, nil
	})
	for _, accept := range []string{"application/json", "application/xml", "image/png"} {
		req := httptest.NewRequest("GET", "/dish", nil)
		req.Header.Set("Accept", accept)
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		fmt.Println(rec.Code, rec.Header().Get("Content-Type"), strings.SplitN(rec.Body.String(), ",", 2)[0])
	}
	// Output:
	// 200 application/json {"name":"soup"}
	// 200 application/xml <dish><name>soup</name></dish>
	// 406 application/problem+json {"type":"about:blank"
}
