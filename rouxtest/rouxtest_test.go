package rouxtest_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/rouxtest"
)

type echoIn struct {
	Tenant string `header:"X-Tenant"`
	Body   *struct {
		Name string `json:"name" minLength:"1"`
	}
}

type echoOut struct {
	Tenant string `json:"tenant"`
	Name   string `json:"name"`
}

func echoAPI() *roux.API {
	api := roux.New(roux.Config{})
	h := func(ctx context.Context, in *echoIn) (*echoOut, error) {
		out := &echoOut{Tenant: in.Tenant}
		if in.Body != nil {
			out.Name = in.Body.Name
		}
		return out, nil
	}
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		roux.Register(api, m, "/echo", h)
	}
	return api
}

func TestClient(t *testing.T) {
	t.Parallel()
	c := rouxtest.New(t, echoAPI())
	c.Header.Set("X-Tenant", "acme")
	for _, tt := range []struct {
		name string
		resp *rouxtest.Response
		want echoOut
	}{
		{"get", c.Get("/echo"), echoOut{Tenant: "acme"}},
		{"post value", c.Post("/echo", map[string]string{"name": "soup"}), echoOut{Tenant: "acme", Name: "soup"}},
		{"put string", c.Put("/echo", `{"name":"stew"}`, "Content-Type: application/json"), echoOut{Tenant: "acme", Name: "stew"}},
		{"patch bytes", c.Patch("/echo", []byte(`{"name":"pie"}`), "Content-Type: application/json"), echoOut{Tenant: "acme", Name: "pie"}},
		{"delete", c.Delete("/echo", "X-Tenant: other"), echoOut{Tenant: "other"}}, // the request's own header wins
	} {
		if got := rouxtest.JSON[echoOut](tt.resp, http.StatusOK); got != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
	p := rouxtest.Problem(c.Post("/echo", map[string]string{"name": ""}), http.StatusUnprocessableEntity)
	if len(p.Errors) != 1 || *p.Errors[0].Pointer != "/name" || p.Errors[0].Code != "minLength" {
		t.Errorf("got %+v", p.Errors)
	}
	if got := c.Get("/echo").String(); got != `200 {"tenant":"acme","name":""}` {
		t.Errorf("got %q", got)
	}
}

// fakeT records failures instead of failing, to test the helpers' checks.
type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Helper() {}
func (f *fakeT) Fatalf(string, ...any) {
	f.failed = true
	panic(f)
}

func TestHelpersFailOnMismatch(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		check func(c *rouxtest.Client)
	}{
		{"JSON wrong status", func(c *rouxtest.Client) { rouxtest.JSON[echoOut](c.Get("/echo"), http.StatusCreated) }},
		{"JSON of a problem", func(c *rouxtest.Client) { rouxtest.JSON[echoOut](c.Get("/nowhere"), http.StatusNotFound) }},
		{"Problem of a success", func(c *rouxtest.Client) { rouxtest.Problem(c.Get("/echo"), http.StatusOK) }},
		{"bad header syntax", func(c *rouxtest.Client) { c.Get("/echo", "no colon") }},
		{"unencodable body", func(c *rouxtest.Client) { c.Post("/echo", func() {}) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ft := &fakeT{TB: t}
			func() {
				defer func() {
					if v := recover(); v != nil && v != ft {
						panic(v)
					}
				}()
				tt.check(rouxtest.New(ft, echoAPI()))
			}()
			if !ft.failed {
				t.Errorf("the helper did not fail the test")
			}
		})
	}
}

// recordT records what a test reports with Errorf.
type recordT struct {
	testing.TB
	errors []string
}

func (r *recordT) Helper() {}
func (r *recordT) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// A response that breaks the API's description fails the test, naming
// the operation, the status and the JSON pointer.
func TestReportsResponseViolations(t *testing.T) {
	t.Parallel()
	api := roux.New(roux.Config{CheckResponses: true, Logger: slog.New(slog.DiscardHandler)})
	roux.Get(api, "/dish", func(ctx context.Context, in *struct{}) (*echoOut, error) {
		return &echoOut{Name: ""}, nil // the schema wants a name
	})
	roux.Get(api, "/teapot", func(ctx context.Context, in *struct{}) (*echoOut, error) {
		return nil, roux.NewError(http.StatusTeapot, "undocumented")
	})
	type named struct {
		Name string `json:"name" minLength:"1"`
	}
	roux.Get(api, "/named", func(ctx context.Context, in *struct{}) (*named, error) { return &named{}, nil })
	rec := &recordT{TB: t}
	c := rouxtest.New(rec, api)
	c.Get("/dish")
	if len(rec.errors) != 0 {
		t.Errorf("a valid response was reported: %v", rec.errors)
	}
	c.Get("/teapot")
	c.Get("/named")
	if len(rec.errors) != 2 {
		t.Fatalf("got %d reports, want 2: %q", len(rec.errors), rec.errors)
	}
	for i, want := range []string{"get-teapot answered 418", "get-named answered 200 with a body its schema does not allow\n\t/name: "} {
		if !strings.Contains(rec.errors[i], want) {
			t.Errorf("report %d: %q, want it to contain %q", i, rec.errors[i], want)
		}
	}
}
