package roux_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/openapi"
	"github.com/roux-go/roux/rouxtest"
)

// tokenScopes is a verify function granting the scopes a token lists.
func tokenScopes(ctx context.Context, token string) (string, []string, error) {
	user, scopes, ok := strings.Cut(token, ":")
	if !ok {
		return "", nil, roux.ErrUnauthorized
	}
	return user, strings.Fields(strings.ReplaceAll(scopes, ",", " ")), nil
}

func TestTokenAuth(t *testing.T) {
	t.Parallel()
	oidc := roux.TokenAuth("oidc", openapi.SecurityScheme{Type: "openIdConnect",
		OpenIDConnectURL: "https://id.example.com/.well-known/openid-configuration"}, []string{"menu:read"}, tokenScopes)
	jwt := roux.TokenAuth("jwt", openapi.SecurityScheme{Type: "http", Scheme: "bearer", BearerFormat: "JWT"}, nil, tokenScopes)
	api := quietAPI()
	who := func(ctx context.Context, in *struct{}, s *struct {
		User string `dep:""`
	}) (*string, error) {
		return &s.User, nil
	}
	roux.RegisterWith(api, "GET", "/menu", who, roux.Secure(oidc, "menu:read"))
	roux.RegisterWith(api, "GET", "/orders", who, roux.Secure(jwt, "orders:write"))
	c := rouxtest.New(t, api)
	for _, tt := range []struct {
		target, auth string
		status       int
		challenge    string
	}{
		{"/menu", "Bearer ann:menu:read", 200, ""},
		{"/menu", "Bearer ann:other", 403, `Bearer error="insufficient_scope", scope="menu:read"`},
		{"/menu", "Bearer nobody", 401, `Bearer realm="oidc"`},
		{"/menu", "Basic YTpi", 401, `Bearer realm="oidc"`},
		{"/orders", "Bearer bob:orders:write", 200, ""},
		{"/orders", "Bearer bob:menu:read", 403, `Bearer error="insufficient_scope", scope="orders:write"`},
	} {
		resp := c.Get(tt.target, "Authorization: "+tt.auth)
		if resp.Status != tt.status || resp.Header.Get("WWW-Authenticate") != tt.challenge {
			t.Errorf("%s with %q: got %d %q, want %d %q", tt.target, tt.auth, resp.Status,
				resp.Header.Get("WWW-Authenticate"), tt.status, tt.challenge)
		}
	}

	doc := api.OpenAPI()
	b, err := json.Marshal(doc.Components.SecuritySchemes)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"jwt":{"type":"http","scheme":"bearer","bearerFormat":"JWT"},` +
		`"oidc":{"type":"openIdConnect","openIdConnectUrl":"https://id.example.com/.well-known/openid-configuration"}}`
	if string(b) != want {
		t.Errorf("got schemes %s, want %s", b, want)
	}
	got := fmt.Sprint(doc.Paths["/menu"].Get.Security, doc.Paths["/orders"].Get.Security)
	if want := "[map[oidc:[menu:read]]] [map[jwt:[orders:write]]]"; got != want {
		t.Errorf("got requirements %s, want %s", got, want)
	}

	// An override grants the scopes TokenAuth was given.
	roux.Override(api, oidc, func(ctx context.Context) (string, error) { return "test", nil })
	if resp := c.Get("/menu"); resp.Status != http.StatusOK {
		t.Errorf("overridden: got %d, want 200", resp.Status)
	}
}

func TestTokenAuthRefusesOtherSchemes(t *testing.T) {
	t.Parallel()
	for _, desc := range []openapi.SecurityScheme{
		{Type: "apiKey", Name: "X-Key", In: "header"},
		{Type: "http", Scheme: "basic"},
		{Type: "openIdConnect"},
	} {
		func() {
			defer func() {
				if r := fmt.Sprint(recover()); !strings.Contains(r, "describe the scheme as") {
					t.Errorf("%+v: got panic %q", desc, r)
				}
			}()
			roux.TokenAuth("t", desc, nil, tokenScopes)
		}()
	}
}
