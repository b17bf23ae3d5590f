package roux_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/rouxtest"
)

func ptr[T any](v T) *T { return &v }

func TestSearchBinding(t *testing.T) {
	t.Parallel()
	c := rouxtest.New(t, kitchenAPI())
	for _, tt := range []struct {
		name, target string
		headers      []string
		want         SearchResult
	}{
		{"defaults", "/search?q=soup", []string{"X-Tenant: acme"},
			SearchResult{Query: "soup", Limit: 10, Tags: []string{}, IDs: []int{}, Tenant: "acme"}},
		{"everything", "/search?q=so%20up&limit=5&level=hard&tag=a&tag=b&ids=1,2,3&since=2026-01-02T03:04:05Z&small=-128&ratio=0.5",
			[]string{"X-Tenant: acme", "Cookie: session=abc"},
			SearchResult{Query: "so up", Limit: 5, Level: "hard", Tags: []string{"a", "b"}, IDs: []int{1, 2, 3}, Tenant: "acme", Small: -128}},
		{"plus is space", "/search?q=a+b", []string{"X-Tenant: acme"},
			SearchResult{Query: "a b", Limit: 10, Tags: []string{}, IDs: []int{}, Tenant: "acme"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := rouxtest.JSON[SearchResult](c.Get(tt.target, tt.headers...), http.StatusOK)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestValidationCollectsEverything sends a request with many faults and
// checks that one 422 lists every one of them, parameters and body alike.
func TestValidationCollectsEverything(t *testing.T) {
	t.Parallel()
	c := rouxtest.New(t, kitchenAPI())
	p := rouxtest.Problem(c.Get("/search?q=x&limit=0&level=medium&tag=a&tag=b&tag=c&tag=d&ids=1,x&small=300&ratio=0"), http.StatusUnprocessableEntity)
	got := map[string]string{}
	for _, e := range p.Errors {
		got[e.In+":"+e.Parameter] = e.Code
	}
	want := map[string]string{
		"query:q": "minLength", "query:limit": "minimum", "query:level": "enum", "query:tag": "maxItems",
		"query:ids": "type", "query:small": "maximum", "query:ratio": "exclusiveMinimum", "header:X-Tenant": "required",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("failures (-want +got):\n%s\nproblem: %+v", diff, p)
	}

	body := `{"customer":"A","email":"not-an-email","items":[{"dish":"Soup!","quantity":0},{"dish":"ok","quantity":11}],
		"tags":["hot","hot","warm"],"tip":0.3,"delivery":{"street":"","city":"x"},"when":"yesterday","extra":{"a":"1","b":"2","c":"3"},"unknown":1}`
	p = rouxtest.Problem(c.Post("/orders", body, "Content-Type: application/json"), http.StatusUnprocessableEntity)
	gotBody := map[string]string{}
	for _, e := range p.Errors {
		if e.Pointer == nil {
			t.Errorf("body failure without pointer: %+v", e)
			continue
		}
		gotBody[*e.Pointer] = e.Code
	}
	wantBody := map[string]string{
		"/customer": "minLength", "/email": "format", "/items/0/dish": "pattern", "/items/0/quantity": "minimum",
		"/items/1/quantity": "maximum", "/tags": "uniqueItems", "/tags/2": "enum", "/tip": "multipleOf",
		"/delivery/street": "minLength", "/when": "format", "/extra": "maxProperties", "/unknown": "additionalProperties",
	}
	if diff := cmp.Diff(wantBody, gotBody); diff != "" {
		t.Errorf("body failures (-want +got):\n%s\nproblem: %+v", diff, p.Errors)
	}
}

func TestProblemShape(t *testing.T) {
	t.Parallel()
	c := rouxtest.New(t, kitchenAPI())
	r := c.Get("/search?limit=abc", "X-Tenant: acme")
	want := `{"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"query parameter \"limit\": must be an integer","errors":[{"detail":"must be an integer","parameter":"limit","in":"query","code":"type","value":"abc"}]}`
	if string(r.Body) != want {
		t.Errorf("got  %s\nwant %s", r.Body, want)
	}
}

func TestStatuses(t *testing.T) {
	t.Parallel()
	c := rouxtest.New(t, kitchenAPI())
	valid := `{"customer":"Ann","email":"ann@example.com","items":[{"dish":"soup","quantity":1}],"when":"2026-11-26T12:00:00Z"}`
	for _, tt := range []struct {
		name                 string
		method, target, body string
		headers              []string
		status               int
		allow, contentType   string
	}{
		{name: "unknown path", method: "GET", target: "/nowhere", status: 404, contentType: "application/problem+json"},
		{name: "wrong method", method: "PATCH", target: "/orders", status: 405, allow: "OPTIONS, POST", contentType: "application/problem+json"},
		{name: "options", method: "OPTIONS", target: "/search", status: 204, allow: "GET, HEAD, OPTIONS"},
		{name: "head", method: "HEAD", target: "/categories", status: 200, contentType: "application/json"},
		{name: "created", method: "POST", target: "/orders", body: valid, headers: []string{"Content-Type: application/json"}, status: 201, contentType: "application/json"},
		{name: "unpublished json suffix type", method: "POST", target: "/orders", body: valid, headers: []string{"Content-Type: application/vnd.kitchen+json; charset=utf-8"}, status: 415, contentType: "application/problem+json"},
		{name: "wrong content type", method: "POST", target: "/orders", body: valid, headers: []string{"Content-Type: text/plain"}, status: 415, contentType: "application/problem+json"},
		{name: "malformed json", method: "POST", target: "/orders", body: `{"customer":`, headers: []string{"Content-Type: application/json"}, status: 400},
		{name: "duplicate member", method: "POST", target: "/orders", body: `{"customer":"Ann","customer":"Bob"}`, headers: []string{"Content-Type: application/json"}, status: 400},
		{name: "trailing data", method: "POST", target: "/orders", body: valid + `{}`, headers: []string{"Content-Type: application/json"}, status: 400},
		{name: "missing body", method: "POST", target: "/orders", status: 422},
		{name: "null body", method: "POST", target: "/orders", body: `null`, headers: []string{"Content-Type: application/json"}, status: 422},
		{name: "too large", method: "POST", target: "/orders", body: `{"customer":"` + strings.Repeat("a", 2<<20) + `"}`, headers: []string{"Content-Type: application/json"}, status: 413},
		{name: "handler error", method: "GET", target: "/menu/mains/404", status: 404, contentType: "application/problem+json"},
		{name: "path enum", method: "GET", target: "/menu/desserts/1", status: 422},
		{name: "no content", method: "DELETE", target: "/orders/0b9f4f48-1a1c-4f4e-9a39-4f5b0b7d3c21", status: 204},
		{name: "rest wildcard", method: "PUT", target: "/files/a/b/c.txt", status: 200},
		{name: "bad query escape", method: "GET", target: "/search?q=%zz", headers: []string{"X-Tenant: acme"}, status: 400},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var body any
			if tt.body != "" {
				body = tt.body
			}
			r := c.Request(tt.method, tt.target, body, tt.headers...)
			if r.Status != tt.status {
				t.Fatalf("got %s, want status %d", r, tt.status)
			}
			if got := r.Header.Get("Allow"); got != tt.allow {
				t.Errorf("got Allow %q, want %q", got, tt.allow)
			}
			if tt.contentType != "" && r.Header.Get("Content-Type") != tt.contentType {
				t.Errorf("got Content-Type %q, want %q", r.Header.Get("Content-Type"), tt.contentType)
			}
			if tt.status == 204 && len(r.Body) != 0 {
				t.Errorf("got a body with 204: %q", r.Body)
			}
			if tt.method != "HEAD" && len(r.Body) > 0 && r.Header.Get("Content-Length") == "" {
				t.Errorf("no Content-Length")
			}
		})
	}
}

func TestEnvelope(t *testing.T) {
	t.Parallel()
	c := rouxtest.New(t, kitchenAPI())
	r := c.Post("/orders", map[string]any{
		"customer": "Ann", "email": "ann@example.com", "when": "2026-11-26T12:00:00Z",
		"items": []map[string]any{{"dish": "soup", "quantity": 2}},
	})
	got := rouxtest.JSON[struct {
		Order Order `json:"order"`
	}](r, http.StatusCreated)
	if r.Header.Get("Location") != "/orders/0b9f4f48-1a1c-4f4e-9a39-4f5b0b7d3c21" {
		t.Errorf("got Location %q", r.Header.Get("Location"))
	}
	if got.Order.Priority != 3 {
		t.Errorf("got priority %d, want the default 3", got.Order.Priority)
	}
	if got.Order.Customer != "Ann" || got.Order.Items[0].Quantity != 2 {
		t.Errorf("got %+v", got.Order)
	}
}

func TestInternalErrorsAreHiddenAndLogged(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	api := roux.New(roux.Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	roux.Get(api, "/fail", func(ctx context.Context, in *struct{}) (*struct{}, error) {
		return nil, errors.New("database password is hunter2")
	})
	roux.Get(api, "/panic", func(ctx context.Context, in *struct{}) (*struct{}, error) {
		panic("secret panic value")
	})
	roux.Get(api, "/nil", func(ctx context.Context, in *struct{}) (*[]int, error) {
		return nil, nil
	})
	c := rouxtest.New(t, api)
	for _, path := range []string{"/fail", "/panic", "/nil"} {
		r := c.Get(path)
		p := rouxtest.Problem(r, http.StatusInternalServerError)
		if strings.Contains(string(r.Body), "hunter2") || strings.Contains(string(r.Body), "secret") {
			t.Errorf("%s leaked its cause: %s", path, r.Body)
		}
		if p.Detail == "" {
			t.Errorf("%s: empty detail", path)
		}
	}
	for _, want := range []string{"hunter2", "secret panic value", "neither an output nor an error"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
	if got := c.Get("/fail").Status; got != http.StatusInternalServerError {
		t.Errorf("the API stopped serving after a panic: %d", got)
	}
}

func TestProblemHook(t *testing.T) {
	t.Parallel()
	api := roux.New(roux.Config{ProblemHook: func(r *http.Request, p *roux.Error) {
		p.Type = "https://example.com/problems/" + http.StatusText(p.Status)
		p.Instance = r.URL.Path
		p.Extensions = map[string]any{"traceId": "t-1"}
	}})
	roux.Get(api, "/teapot", func(ctx context.Context, in *struct{}) (*struct{}, error) {
		return nil, roux.NewError(http.StatusTeapot, "short and stout").WithHeader("Retry-After", "5")
	}, roux.Response(http.StatusTeapot, "", struct {
		RetryAfter string `header:"Retry-After"`
	}{}))
	r := rouxtest.New(t, api).Get("/teapot")
	want := `{"type":"https://example.com/problems/I'm a teapot","title":"I'm a teapot","status":418,"detail":"short and stout","instance":"/teapot","traceId":"t-1"}`
	if string(r.Body) != want {
		t.Errorf("got  %s\nwant %s", r.Body, want)
	}
	if r.Header.Get("Retry-After") != "5" {
		t.Errorf("got Retry-After %q, want 5", r.Header.Get("Retry-After"))
	}
}

// groupsAPI registers operations in nested groups with middleware; the
// middleware records what it saw in seen.
func groupsAPI(seen *atomic.Value) *roux.API {
	api := roux.New(roux.Config{Title: "Groups"})
	mark := func(name string) func(http.Handler) http.Handler {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Add("X-Through", name+":"+r.PathValue("id"))
				next.ServeHTTP(w, r)
			})
		}
	}
	v1 := api.Group("/v1", roux.Tags("v1"), roux.Middleware(mark("v1")))
	admin := v1.Group("/admin/", roux.Tags("admin"), roux.Middleware(mark("admin")))
	roux.Get(admin, "/users/{id}", func(ctx context.Context, in *struct {
		ID int `path:"id"`
	}) (*struct {
		ID int `json:"id"`
	}, error) {
		return &struct {
			ID int `json:"id"`
		}{in.ID}, nil
	}, roux.Middleware(mark("op")))
	roux.Get(v1, "/ping", func(ctx context.Context, in *struct{}) (*string, error) {
		s := "pong"
		return &s, nil
	})
	return api
}

func TestGroups(t *testing.T) {
	t.Parallel()
	api := groupsAPI(nil)
	c := rouxtest.New(t, api)
	r := c.Get("/v1/admin/users/7")
	if got := rouxtest.JSON[map[string]int](r, http.StatusOK); got["id"] != 7 {
		t.Errorf("got %v", got)
	}
	if diff := cmp.Diff([]string{"v1:7", "admin:7", "op:7"}, r.Header.Values("X-Through")); diff != "" {
		t.Errorf("middleware order (-want +got):\n%s", diff)
	}
	doc := api.OpenAPI()
	op := doc.Paths["/v1/admin/users/{id}"].Get
	if diff := cmp.Diff([]string{"v1", "admin"}, op.Tags); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	if got := rouxtest.JSON[string](c.Get("/v1/ping"), http.StatusOK); got != "pong" {
		t.Errorf("got %q", got)
	}
}

func TestAPIMiddlewareSeesEverything(t *testing.T) {
	t.Parallel()
	api := roux.New(roux.Config{})
	var n atomic.Int32
	api.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			next.ServeHTTP(w, r)
		})
	})
	c := rouxtest.New(t, api)
	c.Get("/missing")
	c.Get("/openapi.json")
	if n.Load() != 2 {
		t.Errorf("got %d calls, want 2", n.Load())
	}
}

func TestOperationIDs(t *testing.T) {
	t.Parallel()
	api := roux.New(roux.Config{})
	type none struct{}
	type byID struct {
		ID string `path:"id"`
	}
	type byPath struct {
		Path string `path:"path"`
	}
	for _, tt := range []struct {
		name string
		reg  func() interface{ ID() string }
		want string
	}{
		{"plain", func() interface{ ID() string } {
			return roux.Get(api, "/dishes", func(ctx context.Context, in *none) (*none, error) { return nil, nil })
		}, "get-dishes"},
		{"wildcard", func() interface{ ID() string } {
			return roux.Get(api, "/dishes/{id}", func(ctx context.Context, in *byID) (*none, error) { return nil, nil })
		}, "get-dishes-id"},
		{"collision gets a suffix", func() interface{ ID() string } {
			return roux.Get(api, "/dishes/id", func(ctx context.Context, in *none) (*none, error) { return nil, nil })
		}, "get-dishes-id-2"},
		{"given", func() interface{ ID() string } {
			return roux.Post(api, "/dishes", func(ctx context.Context, in *none) (*none, error) { return nil, nil }, roux.OperationID("createDish"))
		}, "createDish"},
		{"rest wildcard", func() interface{ ID() string } {
			return roux.Get(api, "/files/{path...}", func(ctx context.Context, in *byPath) (*none, error) { return nil, nil })
		}, "get-files-path"},
	} {
		if got := tt.reg().ID(); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestFailuresAreCapped(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString(`{"customer":"Ann"`)
	for i := range 250 {
		b.WriteString(`,"u` + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + `_` + strconvItoa(i) + `":1`)
	}
	b.WriteString("}")
	p := rouxtest.Problem(rouxtest.New(t, kitchenAPI()).Post("/orders", b.String(), "Content-Type: application/json"), http.StatusUnprocessableEntity)
	if len(p.Errors) != 100 {
		t.Errorf("got %d errors, want the first 100", len(p.Errors))
	}
	if !strings.Contains(p.Detail, "first 100 of") {
		t.Errorf("got detail %q, want it to say how many were left out", p.Detail)
	}
}

func strconvItoa(i int) string { return strconv.Itoa(i) }

func TestEnvelopeHeaders(t *testing.T) {
	t.Parallel()
	type out struct {
		Status   int
		Count    int        `header:"X-Count"`
		Ratio    float32    `header:"X-Ratio"`
		Fresh    bool       `header:"X-Fresh"`
		Modified time.Time  `header:"Last-Modified"`
		Links    []string   `header:"Link"`
		Addr     netip.Addr `header:"X-Addr"`
		Unset    string     `header:"X-Unset"`
		Zero     uint16     `header:"X-Zero"`
		Never    time.Time  `header:"Expires"`
	}
	api := roux.New(roux.Config{})
	roux.Get(api, "/h", func(ctx context.Context, in *struct{}) (*out, error) {
		return &out{
			Status: http.StatusAccepted, Count: -3, Ratio: 0.25, Fresh: true,
			Modified: time.Date(2026, 11, 26, 12, 0, 0, 0, time.FixedZone("X", 3600)),
			Links:    []string{"</a>; rel=next", "</b>; rel=prev"}, Addr: netip.MustParseAddr("::1"),
		}, nil
	}, roux.Response(http.StatusAccepted, "", nil))
	r := rouxtest.New(t, api).Get("/h")
	if r.Status != http.StatusAccepted || len(r.Body) != 0 {
		t.Fatalf("got %s, want 202 without a body", r)
	}
	want := http.Header{
		"X-Count": {"-3"}, "X-Ratio": {"0.25"}, "X-Fresh": {"true"}, "Last-Modified": {"Thu, 26 Nov 2026 11:00:00 GMT"},
		"Link": {"</a>; rel=next", "</b>; rel=prev"}, "X-Addr": {"::1"},
	}
	for k, v := range want {
		if diff := cmp.Diff(v, r.Header.Values(k)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", k, diff)
		}
	}
	for _, k := range []string{"X-Unset", "X-Zero", "Expires", "Content-Type"} {
		if v, ok := r.Header[k]; ok {
			t.Errorf("got %s %q, want no such header", k, v)
		}
	}
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	api := roux.New(roux.Config{MaxBodyBytes: 64})
	h := func(ctx context.Context, in *struct{ Body string }) (*string, error) { return &in.Body, nil }
	roux.Post(api, "/small", h)
	roux.Post(api, "/large", h, roux.BodyLimit(1<<10))
	c := rouxtest.New(t, api)
	exact := `"` + strings.Repeat("a", 62) + `"` // 64 bytes
	for _, tt := range []struct {
		name, target, body string
		chunked            bool
		status             int
	}{
		{"at the limit", "/small", exact, false, 200},
		{"over the limit", "/small", exact + " ", false, 413},
		{"over the limit, chunked", "/small", exact + "  ", true, 413},
		{"at the limit, chunked", "/small", exact, true, 200},
		{"operation limit", "/large", `"` + strings.Repeat("a", 500) + `"`, false, 200},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", tt.target, strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/json")
			if tt.chunked {
				req.ContentLength = -1
			}
			if r := c.Do(req); r.Status != tt.status {
				t.Errorf("got %s, want %d", r, tt.status)
			}
		})
	}
}

func TestContentTypes(t *testing.T) {
	t.Parallel()
	api := roux.New(roux.Config{})
	roux.Post(api, "/", func(ctx context.Context, in *struct{ Body int }) (*int, error) { return &in.Body, nil })
	c := rouxtest.New(t, api)
	for _, tt := range []struct {
		ct     string
		status int
	}{
		{"application/json", 200},
		{"Application/JSON; charset=utf-8", 200},
		{" application/json ; x=y", 200},
		// Only what the document publishes: other +json types name
		// formats of their own.
		{"application/problem+json", 415},
		{" application/vnd.api+json ; x=y", 415},
		{"application/json-patch+json", 415},
		{"application/merge-patch+json", 415},
		{"", 415},
		{"text/json", 415},
		{"application/jsonx", 415},
		{"application/+json/x", 415},
		{"multipart/form-data; boundary=x", 415},
	} {
		if r := c.Post("/", "1", "Content-Type: "+tt.ct); r.Status != tt.status {
			t.Errorf("Content-Type %q: got %s, want %d", tt.ct, r, tt.status)
		}
	}
}
