package roux_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/roux-go/roux"
)

// A GET whose output carries an ETag answers If-None-Match with 304 by
// itself; a write whose input requires If-Match gets 428 without it, and
// the handler answers 412 when the tag is stale.
func ExampleETags() {
	type Note struct {
		Text string `json:"text"`
	}
	type NoteOut struct {
		ETag string `header:"ETag"`
		Body Note
	}
	version := 3
	tag := func() string { return fmt.Sprintf(`"%d"`, version) }
	api := roux.New(roux.Config{})
	roux.Get(api, "/note", func(ctx context.Context, in *struct{}) (*NoteOut, error) {
		return &NoteOut{ETag: tag(), Body: Note{Text: "buy basil"}}, nil
	})
	roux.Put(api, "/note", func(ctx context.Context, in *struct {
		IfMatch roux.ETags `header:"If-Match" required:"true"`
		Body    Note
	}) (*NoteOut, error) {
		if !in.IfMatch.Match(tag()) {
			return nil, roux.PreconditionFailed(tag())
		}
		version++
		return &NoteOut{ETag: tag(), Body: in.Body}, nil
	})

	send := func(method, header, value string) {
		req := httptest.NewRequest(method, "/note", strings.NewReader(`{"text":"buy thyme"}`))
		req.Header.Set("Content-Type", "application/json")
		if header != "" {
			req.Header.Set(header, value)
		}
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		fmt.Println(strings.TrimSpace(fmt.Sprint(method, " ", header, " ", value, " -> ", rec.Code, " ", rec.Header().Get("ETag"))))
	}
	send("GET", "If-None-Match", `"3"`)
	send("PUT", "", "")
	send("PUT", "If-Match", `"2"`)
	send("PUT", "If-Match", `"3"`)
	send("GET", "If-None-Match", `"3"`)
	// Output:
	// GET If-None-Match "3" -> 304 "3"
	// PUT   -> 428
	// PUT If-Match "2" -> 412 "3"
	// PUT If-Match "3" -> 200 "4"
	// GET If-None-Match "3" -> 200 "4"
}
