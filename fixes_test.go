package roux_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/rouxtest"
)

// Tests of edge cases found in review: each guards a fixed bug.

func quietAPI() *roux.API {
	return roux.New(roux.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

func TestDurationIsNanoseconds(t *testing.T) {
	t.Parallel()
	type timeout struct {
		Timeout time.Duration `json:"timeout"`
	}
	api := quietAPI()
	roux.Post(api, "/t", func(ctx context.Context, in *struct{ Body timeout }) (*timeout, error) { return &in.Body, nil })
	r := rouxtest.New(t, api).Post("/t", `{"timeout":1500000000}`, "Content-Type: application/json")
	if r.Status != 200 || string(r.Body) != `{"timeout":1500000000}` {
		t.Errorf("got %s", r)
	}
}

func TestBodyMemberNamedBody(t *testing.T) {
	t.Parallel()
	type post struct {
		Title  string `json:"title"`
		Body   string `json:"body"`
		Status int    `json:"status"`
	}
	api := quietAPI()
	roux.Get(api, "/post", func(ctx context.Context, in *struct{}) (*post, error) {
		return &post{Title: "T", Body: "B", Status: 3}, nil
	})
	if got := rouxtest.New(t, api).Get("/post"); string(got.Body) != `{"title":"T","body":"B","status":3}` {
		t.Errorf("got %s, want the whole struct as the body", got)
	}
}

// TestSharedProblem returns one *roux.Error from many requests at once
// while the hook changes what it sees: the shared value must not change.
func TestSharedProblem(t *testing.T) {
	t.Parallel()
	shared := roux.NewError(http.StatusNotFound, "nope").WithHeader("X-Reason", "gone")
	api := roux.New(roux.Config{ProblemHook: func(r *http.Request, p *roux.Error) {
		p.Instance = r.URL.Path
	}})
	roux.Get(api, "/x/{id}", func(ctx context.Context, in *struct {
		ID string `path:"id"`
	}) (*struct{}, error) {
		return nil, shared
	}, roux.Response(http.StatusNotFound, "", struct {
		Reason string `header:"X-Reason"`
	}{}))
	c := rouxtest.New(t, api)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			r := c.Get("/x/" + strings.Repeat("a", i+1))
			r.Header.Add("X-Reason", "changed by a client of the header")
		})
	}
	wg.Wait()
	if shared.Instance != "" {
		t.Errorf("the hook changed the shared error: %q", shared.Instance)
	}
	if got := c.Get("/x/1").Header.Values("X-Reason"); len(got) != 1 || got[0] != "gone" {
		t.Errorf("got X-Reason %q, want [gone]", got)
	}
}

func TestRegistrationRejects(t *testing.T) {
	t.Parallel()
	type msg struct {
		M string `json:"m"`
	}
	for _, tt := range []struct {
		name string
		reg  func(api *roux.API)
		want string
	}{
		{"two patterns, one document path", func(api *roux.API) {
			h := func(ctx context.Context, in *struct{}) (*msg, error) { return nil, nil }
			roux.Get(api, "/a/{$}", h)
			roux.Get(api, "/a/", h)
		}, "both published as the OpenAPI path /a/"},
		{"204 with a body", func(api *roux.API) {
			roux.Get(api, "/a", func(ctx context.Context, in *struct{}) (*msg, error) { return nil, nil }, roux.Status(204))
		}, "status 204 sends no body"},
		{"body for the success status", func(api *roux.API) {
			roux.Get(api, "/a", func(ctx context.Context, in *struct{}) (*msg, error) { return nil, nil }, roux.Response(200, "", msg{}))
		}, "success status"},
		{"parameter default out of range", func(api *roux.API) {
			roux.Get(api, "/a", func(ctx context.Context, in *struct {
				Limit int `query:"limit" default:"0" minimum:"1"`
			}) (*msg, error) {
				return nil, nil
			})
		}, `default 0 fails its own minimum keyword`},
		{"parameter default not in enum", func(api *roux.API) {
			roux.Get(api, "/a", func(ctx context.Context, in *struct {
				Sort string `query:"sort" default:"zzz" enum:"asc,desc"`
			}) (*msg, error) {
				return nil, nil
			})
		}, `default "zzz" fails its own enum keyword`},
		{"body default too long", func(api *roux.API) {
			roux.Post(api, "/a", func(ctx context.Context, in *struct {
				Body struct {
					Name string `json:"name,omitempty" default:"toolong" maxLength:"3"`
				}
			}) (*msg, error) {
				return nil, nil
			})
		}, `default "toolong" fails its own maxLength keyword`},
		{"unencodable output", func(api *roux.API) {
			roux.Get(api, "/a", func(ctx context.Context, in *struct{}) (*struct {
				F func() `json:"f"`
			}, error) {
				return nil, nil
			})
		}, "func"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			re := registrationError(t, func() { tt.reg(quietAPI()) })
			if !strings.Contains(re.Error(), tt.want) {
				t.Errorf("got %q, want it to contain %q", re, tt.want)
			}
		})
	}
}

func TestSuccessResponseDescription(t *testing.T) {
	t.Parallel()
	api := quietAPI()
	roux.Get(api, "/a", func(ctx context.Context, in *struct{}) (*[]int, error) { return nil, nil }, roux.Response(200, "The numbers", nil))
	ok := api.OpenAPI().Paths["/a"].Get.Responses["200"]
	if ok.Description != "The numbers" || ok.Content["application/json"] == nil {
		t.Errorf("got %+v, want the description replaced and the content kept", ok)
	}
}

func TestOutputFailures(t *testing.T) {
	t.Parallel()
	type out struct {
		Status int
		Cookie string `header:"Set-Cookie"`
		Body   struct {
			F float64 `json:"f"`
		}
	}
	api := quietAPI()
	roux.Get(api, "/nan", func(ctx context.Context, in *struct{}) (*out, error) {
		o := &out{Cookie: "session=abc"}
		o.Body.F = math.NaN()
		return o, nil
	})
	roux.Get(api, "/status/{n}", func(ctx context.Context, in *struct {
		N int `path:"n"`
	}) (*out, error) {
		return &out{Status: in.N}, nil
	}, roux.Response(http.StatusCreated, "", nil), roux.Response(http.StatusNotModified, "", nil))
	c := rouxtest.New(t, api)
	r := c.Get("/nan")
	rouxtest.Problem(r, http.StatusInternalServerError)
	if r.Header.Get("Set-Cookie") != "" {
		t.Errorf("a failed response kept the envelope's Set-Cookie")
	}
	for _, tt := range []struct {
		status, want int
	}{{42, 500}, {103, 500}, {1000, 500}, {201, 201}, {304, 304}, {0, 200}} {
		r := c.Get("/status/" + itoa(tt.status))
		if r.Status != tt.want {
			t.Errorf("Status %d: got %s, want %d", tt.status, r, tt.want)
		}
		if tt.want == 304 && len(r.Body) != 0 {
			t.Errorf("304 with a body: %q", r.Body)
		}
	}
}

func itoa(n int) string { return strconvItoa(n) }

func TestProblemExtensionsCannotReplaceMembers(t *testing.T) {
	t.Parallel()
	api := quietAPI()
	roux.Get(api, "/c", func(ctx context.Context, in *struct{}) (*struct{}, error) {
		return nil, &roux.Error{Status: 409, Detail: "taken", Extensions: map[string]any{"status": "x", "detail": 1, "owner": "ann"}}
	}, roux.Response(http.StatusConflict, "", nil))
	r := rouxtest.New(t, api).Get("/c")
	want := `{"type":"about:blank","title":"Conflict","status":409,"detail":"taken","owner":"ann"}`
	if string(r.Body) != want {
		t.Errorf("got  %s\nwant %s", r.Body, want)
	}
}

func TestPaths(t *testing.T) {
	t.Parallel()
	api := quietAPI()
	roux.Get(api, "/dishes/{id}", func(ctx context.Context, in *struct {
		ID string `path:"id"`
	}) (*string, error) {
		return &in.ID, nil
	})
	c := rouxtest.New(t, api)
	for _, tt := range []struct {
		target   string
		status   int
		body     string
		location string
	}{
		{"/dishes/a%20b", 200, `"a b"`, ""},
		{"/dish%65s/1", 200, `"1"`, ""},
		{"/dishes/a%2Fb", 200, `"a/b"`, ""},
		// Unclean paths are refused, not redirected to another resource.
		{"/dishes/x/../1", 400, "", ""},
		{"/dishes/%2E%2E", 400, "", ""},
		{"/dishes/.", 400, "", ""},
		{"//dishes//7?x=1", 400, "", ""},
		{"/dishes/..%2F..%2F1", 200, `"../../1"`, ""},
	} {
		for _, method := range []string{"GET", "DELETE"} {
			req := httptest.NewRequest(method, "http://h"+tt.target, nil)
			r := c.Do(req)
			if method == "DELETE" && tt.status == 200 {
				continue // a 405
			}
			if r.Status != tt.status || (tt.body != "" && string(r.Body) != tt.body) || r.Header.Get("Location") != tt.location {
				t.Errorf("%s %s: got %s Location %q, want %d %s %q", method, tt.target, r, r.Header.Get("Location"), tt.status, tt.body, tt.location)
			}
			if tt.status == 400 {
				if p := rouxtest.Problem(r, 400); !strings.Contains(p.Detail, "normal form") {
					t.Errorf("%s %s: got detail %q", method, tt.target, p.Detail)
				}
			}
		}
	}
}

func TestEmptyChunkedBody(t *testing.T) {
	t.Parallel()
	api := quietAPI()
	roux.Post(api, "/required", func(ctx context.Context, in *struct{ Body struct{ A int } }) (*struct{}, error) {
		return &struct{}{}, nil
	})
	roux.Post(api, "/optional", func(ctx context.Context, in *struct{ Body *struct{ A int } }) (*bool, error) {
		absent := in.Body == nil
		return &absent, nil
	})
	c := rouxtest.New(t, api)
	send := func(target string) *rouxtest.Response {
		req := httptest.NewRequest("POST", target, strings.NewReader(""))
		req.ContentLength = -1
		req.Header.Set("Content-Type", "application/json")
		return c.Do(req)
	}
	p := rouxtest.Problem(send("/required"), http.StatusUnprocessableEntity)
	if p.Errors[0].Code != "required" {
		t.Errorf("got %+v", p.Errors)
	}
	if r := send("/optional"); r.Status != 200 || string(r.Body) != "true" {
		t.Errorf("got %s, want 200 true", r)
	}
}

func TestPanicsInMiddlewareAndHook(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	api := roux.New(roux.Config{
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		ProblemHook: func(r *http.Request, p *roux.Error) {
			if r.URL.Path == "/hook" {
				panic("hook exploded")
			}
		},
	})
	h := func(ctx context.Context, in *struct{}) (*struct{}, error) { return nil, roux.NewError(418, "") }
	roux.Get(api, "/mw", h, roux.Middleware(func(http.Handler) http.Handler {
		return http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("middleware exploded") })
	}))
	roux.Get(api, "/hook", h)
	c := rouxtest.New(t, api)
	for _, path := range []string{"/mw", "/hook"} {
		rouxtest.Problem(c.Get(path), http.StatusInternalServerError)
	}
	for _, want := range []string{"middleware exploded", "hook exploded"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q", want)
		}
	}
}

func TestErrorfAndWrap(t *testing.T) {
	t.Parallel()
	cause := errors.New("pq: password authentication failed")
	api := quietAPI()
	roux.Get(api, "/wrap", func(ctx context.Context, in *struct{}) (*struct{}, error) {
		return nil, roux.NewError(http.StatusNotFound, "dish 1 not found").Wrap(cause)
	}, roux.Response(http.StatusNotFound, "", nil))
	r := rouxtest.New(t, api).Get("/wrap")
	if strings.Contains(string(r.Body), "password") {
		t.Errorf("Wrap leaked its cause: %s", r.Body)
	}
	e := roux.Errorf(http.StatusConflict, "taken: %w", cause)
	if !errors.Is(e, cause) || e.Detail != "taken: pq: password authentication failed" {
		t.Errorf("got %+v; errors.Is=%v", e, errors.Is(e, cause))
	}
	if !errors.Is(roux.NewError(400, "x").Wrap(cause), cause) {
		t.Errorf("errors.Is does not see the wrapped cause")
	}
}

func TestSecretsNotEchoed(t *testing.T) {
	t.Parallel()
	api := quietAPI()
	roux.Get(api, "/s", func(ctx context.Context, in *struct {
		Auth string `header:"Authorization" pattern:"^Bearer "`
		Pin  string `cookie:"pin" minLength:"10"`
	}) (*struct{}, error) {
		return &struct{}{}, nil
	})
	r := rouxtest.New(t, api).Get("/s", "Authorization: Basic c2VjcmV0", "Cookie: pin=1234")
	p := rouxtest.Problem(r, http.StatusUnprocessableEntity)
	if len(p.Errors) != 2 || strings.Contains(string(r.Body), "c2VjcmV0") || strings.Contains(string(r.Body), "1234") {
		t.Errorf("got %s", r.Body)
	}
}

// TestSentZeroIsValidated: an optional member sent with its zero value is
// validated like any other sent value; an absent one is not.
func TestSentZeroIsValidated(t *testing.T) {
	t.Parallel()
	type order struct {
		Qty   int    `json:"qty,omitempty" minimum:"1"`
		Color string `json:"color,omitempty" enum:"red,green"`
		Note  string `json:"note,omitempty" minLength:"2"`
	}
	api := quietAPI()
	roux.Post(api, "/o", func(ctx context.Context, in *struct{ Body order }) (*order, error) { return &in.Body, nil })
	c := rouxtest.New(t, api)
	if r := c.Post("/o", `{}`, "Content-Type: application/json"); r.Status != 200 {
		t.Errorf("absent members: got %s, want 200", r)
	}
	p := rouxtest.Problem(c.Post("/o", `{"qty":0,"color":"","note":null}`, "Content-Type: application/json"), 422)
	got := map[string]string{}
	for _, e := range p.Errors {
		got[*e.Pointer] = e.Code
	}
	want := map[string]string{"/qty": "minimum", "/color": "enum", "/note": "type"}
	if len(got) != len(want) || got["/qty"] != "minimum" || got["/color"] != "enum" || got["/note"] != "type" {
		t.Errorf("got %v, want %v (one failure each)", got, want)
	}
}

func TestSecretBodyMembersNotEchoed(t *testing.T) {
	t.Parallel()
	api := quietAPI()
	roux.Post(api, "/login", func(ctx context.Context, in *struct {
		Body struct {
			User string `json:"user"`
			Pin  int    `json:"pin" writeOnly:"true" minimum:"1000"`
			Pass string `json:"pass" format:"password" minLength:"12"`
		}
	}) (*struct{}, error) {
		return &struct{}{}, nil
	})
	c := rouxtest.New(t, api)
	for _, body := range []string{`{"user":"u","pin":"s3cr3t","pass":"hunter2"}`, `{"user":"u","pin":12,"pass":true}`} {
		r := c.Post("/login", body, "Content-Type: application/json")
		p := rouxtest.Problem(r, 422)
		for _, e := range p.Errors {
			if e.Value != nil {
				t.Errorf("%s: echoed %v for %s", body, e.Value, *e.Pointer)
			}
		}
		if len(p.Errors) != 2 {
			t.Errorf("%s: got %d failures, want 2: %s", body, len(p.Errors), r.Body)
		}
	}
}

func TestOmitEmptyAsEncodingJSON(t *testing.T) {
	t.Parallel()
	type out struct {
		N    int               `json:"n,omitempty"`
		B    bool              `json:"b,omitempty"`
		S    string            `json:"s,omitempty"`
		L    []int             `json:"l,omitempty"`
		M    map[string]int    `json:"m,omitempty"`
		P    *int              `json:"p,omitempty"`
		Kept int               `json:"kept"`
		Nil  []int             `json:"nil"`
		NilM map[string]string `json:"nilm"`
	}
	api := quietAPI()
	roux.Get(api, "/o", func(ctx context.Context, in *struct{}) (*out, error) { return &out{}, nil })
	if got := rouxtest.New(t, api).Get("/o"); string(got.Body) != `{"kept":0,"nil":[],"nilm":{}}` {
		t.Errorf("got %s", got.Body)
	}
}
