package roux_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/client"
	"github.com/roux-go/roux/openapi"
)

func TestParseETags(t *testing.T) {
	t.Parallel()
	all := []string{`"1"`, `W/"1"`, `"2"`, `W/"2"`, `"a"`, `"b"`, `""`}
	for _, tt := range []struct {
		in          string
		any         bool
		tags        []string
		match, weak []string // tags Match / MatchWeak accept
	}{
		{`"1"`, false, []string{`"1"`}, []string{`"1"`}, []string{`"1"`, `W/"1"`}},
		{`W/"1", "2"`, false, []string{`W/"1"`, `"2"`}, []string{`"2"`}, []string{`"1"`, `W/"1"`, `"2"`, `W/"2"`}},
		{` ,"a" , , "b",`, false, []string{`"a"`, `"b"`}, []string{`"a"`, `"b"`}, []string{`"a"`, `"b"`}},
		{`*`, true, nil, all, all},
		{`x`, false, nil, nil, nil},
		{`"1" "2"`, false, nil, nil, nil},
		{`"unterminated`, false, nil, nil, nil},
		{`""`, false, []string{`""`}, []string{`""`}, []string{`""`}},
		{"\"a\x7f\"", false, nil, nil, nil},
	} {
		e := roux.ParseETags(tt.in)
		if e.Any() != tt.any || !slices.Equal(e.Tags(), tt.tags) || !e.Sent() || e.String() != tt.in {
			t.Errorf("%q: got any=%v tags=%q", tt.in, e.Any(), e.Tags())
		}
		for _, c := range all {
			if got, want := e.Match(c), slices.Contains(tt.match, c); got != want {
				t.Errorf("%q.Match(%s) = %v, want %v", tt.in, c, got, want)
			}
			if got, want := e.MatchWeak(c), slices.Contains(tt.weak, c); got != want {
				t.Errorf("%q.MatchWeak(%s) = %v, want %v", tt.in, c, got, want)
			}
		}
	}
	if e := (roux.ETags{}); e.Sent() || e.Match(`"1"`) || e.MatchWeak(`"1"`) {
		t.Error("the zero ETags matches")
	}
}

func FuzzParseETags(f *testing.F) {
	for _, s := range []string{`"1"`, `W/"1", "2"`, `*`, `"a",,"b"`, `W/`, `"`, "\"\x80\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := roux.ParseETags(s)
		for _, tag := range e.Tags() {
			if !e.MatchWeak(tag) {
				t.Errorf("%q: its own tag %s does not match weakly", s, tag)
			}
			if !strings.HasPrefix(tag, "W/") && !e.Match(tag) {
				t.Errorf("%q: its own strong tag %s does not match", s, tag)
			}
			if again := roux.ParseETags(tag).Tags(); len(again) != 1 || again[0] != tag {
				t.Errorf("%q: tag %s parses back as %q", s, tag, again)
			}
		}
		if e.Any() && len(e.Tags()) > 0 {
			t.Errorf("%q: * with tags", s)
		}
	})
}

type condDish struct {
	Name string `json:"name" minLength:"1"`
}

type condOut struct {
	ETag string `header:"ETag"`
	Body condDish
}

type condPut struct {
	ID      int        `path:"id"`
	IfMatch roux.ETags `header:"If-Match" required:"true"`
	Body    condDish
}

func conditionalAPI() *roux.API {
	api := roux.New(roux.Config{CheckResponses: true, Logger: slog.New(slog.DiscardHandler)})
	current := `"7"`
	roux.Get(api, "/dishes/{id}", func(ctx context.Context, in *struct {
		ID int `path:"id"`
	}) (*condOut, error) {
		return &condOut{ETag: current, Body: condDish{Name: "soup"}}, nil
	})
	roux.Put(api, "/dishes/{id}", func(ctx context.Context, in *condPut) (*condOut, error) {
		if !in.IfMatch.Match(current) {
			return nil, roux.PreconditionFailed(current)
		}
		return &condOut{ETag: `"8"`, Body: in.Body}, nil
	})
	return api
}

func TestConditionalRequests(t *testing.T) {
	t.Parallel()
	api := conditionalAPI()
	for _, tt := range []struct {
		name, method, header, value, body string
		status                            int
		etag                              string
	}{
		{"current copy", "GET", "If-None-Match", `"7"`, "", 304, `"7"`},
		{"weak current copy", "GET", "If-None-Match", `W/"7"`, "", 304, `"7"`},
		{"any", "GET", "If-None-Match", `*`, "", 304, `"7"`},
		{"one of several", "GET", "If-None-Match", `"5", "7"`, "", 304, `"7"`},
		{"stale copy", "GET", "If-None-Match", `"6"`, "", 200, `"7"`},
		{"malformed If-None-Match is no match", "GET", "If-None-Match", `x`, "", 200, `"7"`},
		{"HEAD", "HEAD", "If-None-Match", `"7"`, "", 304, `"7"`},
		{"no If-Match", "PUT", "", "", `{"name":""}`, 428, ""},
		{"stale If-Match", "PUT", "If-Match", `"6"`, `{"name":"stew"}`, 412, `"7"`},
		{"weak If-Match never matches", "PUT", "If-Match", `W/"7"`, `{"name":"stew"}`, 412, `"7"`},
		{"malformed If-Match fails", "PUT", "If-Match", `7`, `{"name":"stew"}`, 412, `"7"`},
		{"current If-Match", "PUT", "If-Match", `"7"`, `{"name":"stew"}`, 200, `"8"`},
		{"current If-Match, invalid body", "PUT", "If-Match", `"7"`, `{"name":""}`, 422, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(tt.method, "/dishes/1", strings.NewReader(tt.body))
			if tt.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			if tt.header != "" {
				req.Header.Set(tt.header, tt.value)
			}
			rec := httptest.NewRecorder()
			api.ServeHTTP(rec, req)
			if rec.Code != tt.status || rec.Header().Get("ETag") != tt.etag {
				t.Fatalf("got %d ETag %q %s, want %d ETag %q", rec.Code, rec.Header().Get("ETag"), rec.Body, tt.status, tt.etag)
			}
			if tt.status == 304 && rec.Body.Len() > 0 {
				t.Errorf("a 304 with a body: %s", rec.Body)
			}
		})
	}

	doc := api.OpenAPI()
	get := doc.Paths["/dishes/{id}"].Get
	if r := get.Responses["304"]; r == nil || r.Headers["Etag"] == nil {
		t.Errorf("GET's 304 is published as %+v", r)
	}
	if !slices.ContainsFunc(get.Parameters, func(p *openapi.Parameter) bool { return p.Name == "If-None-Match" && p.In == "header" }) {
		t.Error("GET does not publish If-None-Match")
	}
	put := doc.Paths["/dishes/{id}"].Put
	if put.Responses["428"] == nil || put.Responses["412"] == nil || put.Responses["412"].Headers["Etag"] == nil {
		t.Errorf("PUT's responses: %v", put.Responses)
	}
	if !slices.ContainsFunc(put.Parameters, func(p *openapi.Parameter) bool { return p.Name == "If-Match" && p.Required }) {
		t.Error("PUT does not publish If-Match as required")
	}
}

// The typed client sends ETags as the header it was parsed from.
func TestConditionalClient(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(conditionalAPI())
	defer srv.Close()
	put := roux.NewOperation[condPut, condOut]("PUT", "/dishes/{id}")
	c := client.New(srv.URL)
	out, err := client.Call(context.Background(), c, put, &condPut{ID: 1, IfMatch: roux.ParseETags(`"7"`), Body: condDish{Name: "stew"}})
	if err != nil || out.ETag != `"8"` {
		t.Fatalf("got %+v, %v", out, err)
	}
	_, err = client.Call(context.Background(), c, put, &condPut{ID: 1, Body: condDish{Name: "stew"}})
	if e, ok := err.(*roux.Error); !ok || e.Status != http.StatusPreconditionRequired {
		t.Errorf("without If-Match: %v, want 428", err)
	}
}
