package roux_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/roux-go/roux"
)

// A security scheme is a dependency that authenticates the request and is
// published in the document; Secure requires it, with OAuth 2 scopes.
func ExampleBearerAuth() {
	type Staff struct{ Name string }
	staff := roux.BearerAuth("staffToken", func(ctx context.Context, token string) (Staff, error) {
		if roux.SecretEqual(token, "s3cret") {
			return Staff{Name: "ann"}, nil
		}
		return Staff{}, roux.ErrUnauthorized
	})
	api := roux.New(roux.Config{})
	roux.RegisterWith(api, "DELETE", "/dishes/{id}", func(ctx context.Context, in *struct {
		ID int `path:"id"`
	}, s *struct {
		Staff Staff `dep:""`
	}) (*struct{}, error) {
		return &struct{}{}, nil
	}, roux.Secure(staff))

	for _, auth := range []string{"Bearer s3cret", "Bearer guess"} {
		req := httptest.NewRequest("DELETE", "/dishes/1", nil)
		req.Header.Set("Authorization", auth)
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		fmt.Println(rec.Code, rec.Header().Values("WWW-Authenticate"))
	}
	doc := api.OpenAPI()
	fmt.Println(doc.Paths["/dishes/{id}"].Delete.Security, doc.Components.SecuritySchemes["staffToken"].Scheme)
	// Output:
	// 204 []
	// 401 [Bearer realm="staffToken"]
	// [map[staffToken:[]]] bearer
}

// Health adds liveness and readiness probes; readiness runs the checks
// and answers 503 while the API drains during shutdown.
func ExampleAPI_Health() {
	api := roux.New(roux.Config{})
	api.Health("/livez", "/readyz", roux.ReadyCheck{Name: "db", Check: func(ctx context.Context) error { return nil }})
	api.OnShutdown(func(ctx context.Context) error { fmt.Println("closing the database"); return nil })

	probe := func() {
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
		fmt.Println(rec.Code)
	}
	probe()
	api.Shutdown(context.Background())
	probe()
	// Output:
	// 200
	// closing the database
	// 503
}

// Background tasks run after the response has been sent.
func ExampleTasks() {
	api := roux.New(roux.Config{})
	roux.RegisterWith(api, "POST", "/orders", func(ctx context.Context, in *struct{}, s *struct{ Tasks *roux.Tasks }) (*string, error) {
		s.Tasks.Add("confirmation email", func(ctx context.Context) error {
			fmt.Println("sending the confirmation")
			return nil
		})
		fmt.Println("order accepted")
		res := "accepted"
		return &res, nil
	})
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, httptest.NewRequest("POST", "/orders", nil))
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// order accepted
	// sending the confirmation
	// 200 "accepted"
}

// The OAuth 2 password flow: a token endpoint takes the form of RFC 6749
// §4.3, and operations require scopes the token must carry.
func ExampleOAuth2PasswordAuth() {
	type Token struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		Scope       string `json:"scope,omitempty"`
	}
	type User struct {
		Name   string
		Scopes []string
	}
	tokens := map[string]User{} // issued tokens; a real service signs them
	oauth := roux.OAuth2PasswordAuth("oauth", "/token", map[string]string{
		"menu:read": "Read the menu", "menu:write": "Change the menu",
	}, func(ctx context.Context, token string) (User, []string, error) {
		u, ok := tokens[token]
		if !ok {
			return User{}, nil, roux.ErrUnauthorized
		}
		return u, u.Scopes, nil
	})

	api := roux.New(roux.Config{})
	roux.Post(api, "/token", func(ctx context.Context, in *struct {
		Form struct {
			GrantType string `form:"grant_type" required:"true" enum:"password"`
			Username  string `form:"username" required:"true"`
			Password  string `form:"password" required:"true" format:"password"`
			Scope     string `form:"scope"`
		}
	}) (*Token, error) {
		if in.Form.Username != "ann" || !roux.SecretEqual(in.Form.Password, "s3cret") {
			return nil, roux.NewError(http.StatusBadRequest, "invalid_grant")
		}
		tokens["t-1"] = User{Name: "ann", Scopes: strings.Fields(in.Form.Scope)}
		return &Token{AccessToken: "t-1", TokenType: "bearer", Scope: in.Form.Scope}, nil
	}, roux.Summary("Get a token (OAuth 2 password flow)"))
	roux.RegisterWith(api, "PUT", "/menu", func(ctx context.Context, in *struct{}, s *struct {
		User User `dep:""`
	}) (*string, error) {
		return &s.User.Name, nil
	}, roux.Secure(oauth, "menu:write"))

	send := func(method, target, body, contentType, auth string) {
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		fmt.Println(rec.Code, rec.Body.String())
	}
	send("POST", "/token", "grant_type=password&username=ann&password=s3cret&scope=menu:read", "application/x-www-form-urlencoded", "")
	send("PUT", "/menu", "", "", "Bearer t-1")
	// Output:
	// 200 {"access_token":"t-1","token_type":"bearer","scope":"menu:read"}
	// 403 {"type":"about:blank","title":"Forbidden","status":403,"detail":"the token lacks the scope \"menu:write\""}
}
