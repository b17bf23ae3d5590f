package roux_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/openapi"
	"github.com/roux-go/roux/rouxtest"
)

type tokenForm struct {
	GrantType string   `form:"grant_type" required:"true" enum:"password"`
	Username  string   `form:"username" required:"true" minLength:"1"`
	Password  string   `form:"password" required:"true" format:"password"`
	Scope     string   `form:"scope"`
	Tags      []string `form:"tag" maxItems:"2"`
	Remember  bool     `form:"remember"`
}

func formAPI() *roux.API {
	api := quietAPI()
	roux.Post(api, "/token", func(ctx context.Context, in *struct{ Form tokenForm }) (*tokenForm, error) {
		return &in.Form, nil
	}, roux.Summary("Get a token"))
	return api
}

func TestForms(t *testing.T) {
	t.Parallel()
	c := rouxtest.New(t, formAPI())
	form := "Content-Type: application/x-www-form-urlencoded"
	got := rouxtest.JSON[map[string]any](c.Post("/token", "grant_type=password&username=ann&password=s3cret&scope=menu%3Aread+menu%3Awrite&tag=a&tag=b&remember=true", form), 200)
	if got["Username"] != "ann" || got["Scope"] != "menu:read menu:write" || got["Remember"] != true || len(got["Tags"].([]any)) != 2 {
		t.Errorf("got %v", got)
	}
	p := rouxtest.Problem(c.Post("/token", "grant_type=code&password=hunter2&tag=a&tag=b&tag=c&remember=maybe&extra=1", form), 422)
	var failures []string
	for _, e := range p.Errors {
		failures = append(failures, *e.Pointer+":"+e.Code)
		if e.Parameter != "" || e.In != "" {
			t.Errorf("a form failure is reported as a parameter: %+v", e)
		}
	}
	slices.Sort(failures)
	want := []string{"/extra:additionalProperties", "/grant_type:enum", "/remember:type", "/tag:maxItems", "/username:required"}
	if !slices.Equal(failures, want) {
		t.Errorf("got %v, want %v", failures, want)
	}
	if strings.Contains(string(c.Post("/token", "grant_type=password&username=a&password=x&remember=maybe", form).Body), "maybe") == false {
		t.Errorf("a plain field's bad value is not echoed")
	}
	for _, tt := range []struct {
		name, body string
		headers    []string
		status     int
	}{
		{"json body", `{"username":"ann"}`, []string{"Content-Type: application/json"}, 415},
		{"bad escape", "username=%zz", []string{form}, 400},
		{"content coding", "username=a", []string{form, "Content-Encoding: gzip"}, 415},
		{"too large", "username=" + strings.Repeat("a", 2<<20), []string{form}, 413},
		{"empty", "", []string{form}, 422},
	} {
		if r := c.Post("/token", tt.body, tt.headers...); r.Status != tt.status {
			t.Errorf("%s: got %s, want %d", tt.name, r, tt.status)
		}
	}
	body := api0(t).Paths["/token"].Post.RequestBody
	s := body.Content["application/x-www-form-urlencoded"].Schema
	if !body.Required || s.Properties["grant_type"] == nil || !slices.Equal(s.Required, []string{"grant_type", "username", "password"}) {
		t.Errorf("documented form: %+v", s)
	}
}

func api0(t *testing.T) *openapi.Document { t.Helper(); return formAPI().OpenAPI() }

func TestFormAndBodyTogether(t *testing.T) {
	t.Parallel()
	re := registrationError(t, func() {
		roux.Post(quietAPI(), "/x", func(ctx context.Context, in *struct {
			Body struct{}
			Form struct{}
		}) (*struct{}, error) {
			return nil, nil
		})
	})
	if !strings.Contains(re.Error(), "both Body and Form") {
		t.Errorf("got %v", re)
	}
	_ = http.StatusOK
}
