package roux_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/roux-go/roux"
)

// An operation secured by a cookie refuses unsafe requests that a page
// of another origin sends (the browser attaches the cookie whatever page
// asks): CSRF protection, on by default for cookie schemes only.
func TestCookieSchemesRefuseCrossOrigin(t *testing.T) {
	t.Parallel()
	session := roux.APIKeyAuth("session", roux.InCookie, "sid", func(ctx context.Context, key string) (string, error) {
		if key != "s-1" {
			return "", roux.ErrUnauthorized
		}
		return "ann", nil
	})
	bearer := roux.BearerAuth("bearer", func(ctx context.Context, token string) (string, error) { return "bob", nil })
	api := roux.New(roux.Config{CheckResponses: true, Logger: slog.New(slog.DiscardHandler),
		TrustedOrigins: []string{"https://partner.example"}})
	ok := func(ctx context.Context, in *struct{}) (*string, error) { s := "done"; return &s, nil }
	roux.Post(api, "/cookie", ok, roux.Secure(session))
	roux.Get(api, "/cookie", ok, roux.Secure(session))
	roux.Post(api, "/bearer", ok, roux.Secure(bearer))

	for _, tt := range []struct {
		name, method, path string
		headers            []string
		status             int
	}{
		{"same origin", "POST", "/cookie", []string{"Sec-Fetch-Site", "same-origin"}, 200},
		{"no browser headers (a program)", "POST", "/cookie", nil, 200},
		{"cross-site page", "POST", "/cookie", []string{"Sec-Fetch-Site", "cross-site"}, 403},
		{"cross-origin Origin", "POST", "/cookie", []string{"Origin", "https://evil.example"}, 403},
		{"cross-site without a cookie is refused before the credentials", "POST", "/cookie", []string{"Sec-Fetch-Site", "cross-site", "Cookie", ""}, 403},
		{"trusted origin", "POST", "/cookie", []string{"Origin", "https://partner.example", "Sec-Fetch-Site", "cross-site"}, 200},
		{"safe method", "GET", "/cookie", []string{"Sec-Fetch-Site", "cross-site"}, 200},
		{"bearer tokens are not sent by the browser on their own", "POST", "/bearer", []string{"Sec-Fetch-Site", "cross-site", "Authorization", "Bearer t"}, 200},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, nil)
			req.Header.Set("Cookie", "sid=s-1")
			for i := 0; i+1 < len(tt.headers); i += 2 {
				req.Header.Set(tt.headers[i], tt.headers[i+1])
			}
			rec := httptest.NewRecorder()
			api.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("got %d %s, want %d", rec.Code, rec.Body, tt.status)
			}
			if tt.status == 403 && !strings.Contains(rec.Body.String(), "cross-origin") {
				t.Errorf("the 403 does not say why: %s", rec.Body)
			}
		})
	}
	if r := api.OpenAPI().Paths["/cookie"].Post.Responses["403"]; r == nil {
		t.Error("the cookie-secured POST does not publish its 403")
	}
	if r := api.OpenAPI().Paths["/bearer"].Post.Responses["403"]; r != nil {
		t.Error("the bearer-secured POST publishes a 403")
	}
}

func TestTrustedOriginMalformed(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("New accepted a malformed trusted origin")
		}
	}()
	roux.New(roux.Config{TrustedOrigins: []string{"not an origin"}})
}
