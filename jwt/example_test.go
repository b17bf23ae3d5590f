package rouxjwt_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/roux-go/roux"
	rouxjwt "github.com/roux-go/roux/jwt"
)

// An API accepting the access tokens of an OpenID Connect issuer (here a
// stand-in on loopback), with a scope required for one operation.
func ExampleAuth() {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	idp := http.NewServeMux()
	issuer := httptest.NewServer(idp)
	defer issuer.Close()
	idp.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"issuer": issuer.URL, "jwks_uri": issuer.URL + "/keys"})
	})
	idp.HandleFunc("/keys", func(w http.ResponseWriter, r *http.Request) {
		key := map[string]string{"kty": "OKP", "crv": "Ed25519", "kid": "k1", "x": base64.RawURLEncoding.EncodeToString(pub)}
		json.NewEncoder(w).Encode(map[string]any{"keys": []any{key}})
	})

	auth := rouxjwt.Auth("oidc", rouxjwt.Config{
		Issuer:   issuer.URL,
		Audience: []string{"kitchen-api"},
		Leeway:   30 * time.Second,
	})
	api := roux.New(roux.Config{})
	roux.RegisterWith(api, "GET", "/orders", func(ctx context.Context, in *struct{}, s *struct {
		Claims *rouxjwt.Claims `dep:""`
	}) (*string, error) {
		return &s.Claims.Subject, nil
	}, roux.Secure(auth, "orders:read"))

	token := func(scope string) string {
		t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, jwt.MapClaims{
			"iss": issuer.URL, "aud": "kitchen-api", "sub": "ann", "scope": scope,
			"exp": time.Now().Add(time.Hour).Unix(),
		})
		t.Header["kid"] = "k1"
		s, _ := t.SignedString(priv)
		return s
	}
	for _, bearer := range []string{token("orders:read"), token("menu:read"), "not-a-jwt"} {
		req := httptest.NewRequest("GET", "/orders", nil)
		req.Header.Set("Authorization", "Bearer "+bearer)
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		if rec.Code == http.StatusOK {
			fmt.Println(rec.Code, rec.Body.String())
		} else {
			fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"))
		}
	}
	fmt.Println(api.OpenAPI().Components.SecuritySchemes["oidc"].Type)
	// Output:
	// 200 "ann"
	// 403 Bearer error="insufficient_scope", scope="orders:read"
	// 401 Bearer realm="oidc"
	// openIdConnect
}
