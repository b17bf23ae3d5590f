package roux_test

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/openapi"
)

type Staff struct{ Name string }

// securedAPI registers one operation per scheme, and one that needs an
// OAuth 2 scope.
func securedAPI() *roux.API {
	keys := map[string]Staff{"k-123": {"ann"}}
	apiKey := func(in roux.APIKeyIn, name string) *roux.Dep[Staff] {
		return roux.APIKeyAuth("key"+string(in), in, name, func(ctx context.Context, key string) (Staff, error) {
			for k, s := range keys {
				if roux.SecretEqual(k, key) {
					return s, nil
				}
			}
			return Staff{}, roux.ErrUnauthorized
		})
	}
	bearer := roux.BearerAuth("bearer", func(ctx context.Context, token string) (Staff, error) {
		if roux.SecretEqual(token, "t-bob") {
			return Staff{"bob"}, nil
		}
		return Staff{}, roux.ErrUnauthorized
	})
	basic := roux.BasicAuth("basic", "kitchen", func(ctx context.Context, user, password string) (Staff, error) {
		if user == "cook" && roux.SecretEqual(password, "s3cret") {
			return Staff{"cook"}, nil
		}
		return Staff{}, roux.ErrUnauthorized
	})
	oauth := roux.OAuth2PasswordAuth("oauth", "/token", map[string]string{"menu:read": "Read the menu", "menu:write": "Change the menu"},
		func(ctx context.Context, token string) (Staff, []string, error) {
			switch token {
			case "reader":
				return Staff{"reader"}, []string{"menu:read"}, nil
			case "writer":
				return Staff{"writer"}, []string{"menu:read", "menu:write"}, nil
			}
			return Staff{}, nil, roux.ErrUnauthorized
		})
	api := quietAPI()
	who := func(ctx context.Context, in *struct{}, s *struct {
		Staff Staff `dep:""`
	}) (*string, error) {
		return &s.Staff.Name, nil
	}
	roux.RegisterWith(api, "GET", "/header", who, roux.Provide(apiKey(roux.InHeader, "X-API-Key")))
	roux.RegisterWith(api, "GET", "/query", who, roux.Provide(apiKey(roux.InQuery, "api_key")))
	roux.RegisterWith(api, "GET", "/cookie", who, roux.Provide(apiKey(roux.InCookie, "session")))
	roux.RegisterWith(api, "GET", "/bearer", who, roux.Provide(bearer))
	roux.RegisterWith(api, "GET", "/basic", who, roux.Provide(basic))
	roux.RegisterWith(api, "GET", "/menu", who, roux.Secure(oauth, "menu:read"))
	roux.RegisterWith(api, "PUT", "/menu", who, roux.Secure(oauth, "menu:write"))
	return api
}

func TestSecuritySchemes(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(securedAPI())
	defer srv.Close()
	basic := func(user, pass string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	}
	for _, tt := range []struct {
		name, method, target string
		headers              []string
		status               int
		body, challenge      string
	}{
		{"api key header", "GET", "/header", []string{"X-API-Key", "k-123"}, 200, `"ann"`, ""},
		{"api key header wrong", "GET", "/header", []string{"X-API-Key", "k-999"}, 401, "", `APIKey realm="keyheader", header="X-API-Key"`},
		{"api key header missing", "GET", "/header", nil, 401, "", `APIKey realm="keyheader", header="X-API-Key"`},
		{"api key query", "GET", "/query?api_key=k-123", nil, 200, `"ann"`, ""},
		{"api key cookie", "GET", "/cookie", []string{"Cookie", "session=k-123"}, 200, `"ann"`, ""},
		{"bearer", "GET", "/bearer", []string{"Authorization", "bearer t-bob"}, 200, `"bob"`, ""},
		{"bearer wrong scheme", "GET", "/bearer", []string{"Authorization", "Token t-bob"}, 401, "", `Bearer realm="bearer"`},
		{"basic", "GET", "/basic", []string{"Authorization", basic("cook", "s3cret")}, 200, `"cook"`, ""},
		{"basic wrong password", "GET", "/basic", []string{"Authorization", basic("cook", "guess")}, 401, "", `Basic realm="kitchen", charset="UTF-8"`},
		{"basic garbage", "GET", "/basic", []string{"Authorization", "Basic !!!"}, 401, "", `Basic realm="kitchen", charset="UTF-8"`},
		{"oauth scope granted", "GET", "/menu", []string{"Authorization", "Bearer reader"}, 200, `"reader"`, ""},
		{"oauth scope missing", "PUT", "/menu", []string{"Authorization", "Bearer reader"}, 403, "", `Bearer error="insufficient_scope", scope="menu:write"`},
		{"oauth write", "PUT", "/menu", []string{"Authorization", "Bearer writer"}, 200, `"writer"`, ""},
		{"oauth no token", "PUT", "/menu", nil, 401, "", `Bearer realm="oauth"`},
		// Credentials sent twice are ambiguous (a proxy may read one, the
		// server another): refused, whichever copy is valid.
		{"bearer twice", "GET", "/bearer", []string{"Authorization", "Bearer t-bob", "Authorization", "Bearer x"}, 400, "", ""},
		{"bearer twice, the valid one last", "GET", "/bearer", []string{"Authorization", "Bearer x", "Authorization", "Bearer t-bob"}, 400, "", ""},
		{"basic and bearer", "GET", "/basic", []string{"Authorization", basic("cook", "s3cret"), "Authorization", "Bearer t-bob"}, 400, "", ""},
		{"api key header twice", "GET", "/header", []string{"X-API-Key", "k-123", "X-API-Key", "k-999"}, 400, "", ""},
		{"api key query twice", "GET", "/query?api_key=k-123&api_key=k-999", nil, 400, "", ""},
		{"api key cookie twice", "GET", "/cookie", []string{"Cookie", "session=k-123; session=k-999"}, 400, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, srv.URL+tt.target, nil)
			for i := 0; i+1 < len(tt.headers); i += 2 {
				req.Header.Add(tt.headers[i], tt.headers[i+1])
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != tt.status {
				t.Fatalf("got %d %s, want %d", res.StatusCode, body, tt.status)
			}
			if tt.body != "" && string(body) != tt.body {
				t.Errorf("got body %s, want %s", body, tt.body)
			}
			if got := res.Header.Get("WWW-Authenticate"); got != tt.challenge {
				t.Errorf("got WWW-Authenticate %q, want %q", got, tt.challenge)
			}
			if tt.status >= 400 && res.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("got Content-Type %q", res.Header.Get("Content-Type"))
			}
			if strings.Contains(string(body), "k-999") || strings.Contains(string(body), "guess") {
				t.Errorf("a credential was echoed: %s", body)
			}
		})
	}
}

func TestSecurityDocument(t *testing.T) {
	t.Parallel()
	doc := securedAPI().OpenAPI()
	want := map[string]*openapi.SecurityScheme{
		"keyheader": {Type: "apiKey", Name: "X-API-Key", In: "header"},
		"keyquery":  {Type: "apiKey", Name: "api_key", In: "query"},
		"keycookie": {Type: "apiKey", Name: "session", In: "cookie"},
		"bearer":    {Type: "http", Scheme: "bearer"},
		"basic":     {Type: "http", Scheme: "basic"},
		"oauth": {Type: "oauth2", Flows: &openapi.OAuthFlows{Password: &openapi.OAuthFlow{
			TokenURL: "/token", Scopes: map[string]string{"menu:read": "Read the menu", "menu:write": "Change the menu"},
		}}},
	}
	if diff := cmp.Diff(want, doc.Components.SecuritySchemes); diff != "" {
		t.Errorf("schemes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]map[string][]string{{"oauth": {"menu:write"}}}, doc.Paths["/menu"].Put.Security); diff != "" {
		t.Errorf("PUT /menu security (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]map[string][]string{{"keyheader": {}}}, doc.Paths["/header"].Get.Security); diff != "" {
		t.Errorf("GET /header security (-want +got):\n%s", diff)
	}
	for path, item := range doc.Paths {
		for _, op := range []*openapi.Operation{item.Get, item.Put} {
			if op != nil && slices.ContainsFunc(op.Parameters, func(p *openapi.Parameter) bool {
				return p.Name == "Authorization" || p.Name == "X-API-Key" || p.Name == "api_key" || p.Name == "session"
			}) {
				t.Errorf("%s publishes a credential as a parameter", path)
			}
		}
	}
}

func TestSecurityRegistrationErrors(t *testing.T) {
	t.Parallel()
	check := func(ctx context.Context, key string) (Staff, error) { return Staff{}, nil }
	for _, tt := range []struct {
		name string
		reg  func(api *roux.API)
		want string
	}{
		{"scopes on an api key", func(api *roux.API) {
			roux.Get(api, "/a", func(ctx context.Context, in *struct{}) (*string, error) { return nil, nil },
				roux.Secure(roux.APIKeyAuth("k", roux.InHeader, "X-Key", check), "admin"))
		}, "only OAuth 2 schemes have scopes"},
		{"two schemes, one name", func(api *roux.API) {
			h := func(ctx context.Context, in *struct{}) (*string, error) { return nil, nil }
			roux.Get(api, "/a", h, roux.Secure(roux.APIKeyAuth("k", roux.InHeader, "X-Key", check)))
			roux.Get(api, "/b", h, roux.Secure(roux.APIKeyAuth("k", roux.InQuery, "key", check)))
		}, `security scheme "k" is defined twice`},
		{"not a scheme", func(api *roux.API) {
			plain := roux.Depends(func(ctx context.Context, in *struct{}) (int, error) { return 1, nil })
			roux.Get(api, "/a", func(ctx context.Context, in *struct{}) (*string, error) { return nil, nil }, roux.Secure(plain))
		}, "not a security scheme"},
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

func TestSecretEqual(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		a, b string
		want bool
	}{{"abc", "abc", true}, {"abc", "abd", false}, {"abc", "ab", false}, {"", "", true}} {
		if got := roux.SecretEqual(tt.a, tt.b); got != tt.want {
			t.Errorf("SecretEqual(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
