// Package rouxjwt is a roux security scheme for JWT bearer tokens (RFC
// 7519, and the access tokens of RFC 9068), checked against the public
// keys an issuer publishes: at a JWKS URL, or found through an OpenID
// Connect issuer's discovery document.
//
//	auth := rouxjwt.Auth("oidc", rouxjwt.Config{
//		Issuer:   "https://id.example.com",
//		Audience: []string{"https://api.example.com"},
//		Leeway:   30 * time.Second,
//	})
//	roux.Get(api, "/orders", listOrders, roux.Secure(auth, "orders:read"))
//
// A handler reads the token's claims as the scheme's value, a *[Claims]
// (subject, scopes, and [Claims.Decode] for claims of its own).
//
// # What is checked
//
// The signature, with the issuer's key named by the token's kid, for the
// algorithms of [Config].Algorithms only: RSA (RS*, PS*), ECDSA (ES*) and
// Ed25519 (EdDSA). Tokens with alg none or a shared-secret algorithm
// (HS256, ...) are refused whatever key they name, so a public key can
// never be used as an HMAC secret, and a key is used only for the
// algorithms its type and its own alg allow. Then the claims: iss equals
// [Config].Issuer, aud names one of [Config].Audience, exp is required and
// in the future, nbf and iat are not in the future, each within
// [Config].Leeway. Scopes come from the scope claim (space-separated) and
// the scp claim (an array or space-separated), and map onto roux's scopes:
// [roux.Secure](auth, "orders:read") answers 403 to a token without that
// scope.
//
// # Keys, rotation and caching
//
// Keys are fetched on first use and kept for [Config].MaxKeyAge, then
// refreshed in the background while the old ones keep serving. A token
// naming a key the set lacks — the issuer has rotated its keys — makes
// the verifier fetch the set again at once, at most once per
// [Config].MinRefreshInterval, so tokens with made-up key IDs cannot flood
// the issuer; a key the issuer removed stops being accepted with the
// fetch that no longer finds it. When the issuer is unreachable, known
// keys keep working, and a token no known key can check gets 503 with
// Retry-After rather than 401: it may well be valid.
//
// # In the document
//
// With [Config].JWKSURL the scheme is published as
// {type: http, scheme: bearer, bearerFormat: JWT}; with discovery, as
// {type: openIdConnect, openIdConnectUrl: <issuer>/.well-known/openid-configuration},
// where scopes in security requirements are allowed by OpenAPI 3.0 as well
// as 3.1 (3.0 allows them only for oauth2 and openIdConnect schemes).
//
// # Why golang-jwt
//
// The token parsing and checks are github.com/golang-jwt/jwt/v5's: the
// most used JWT library in Go, with no dependencies of its own, a parser
// that checks exp, nbf, iat, iss and aud with leeway, and a whitelist of
// algorithms enforced before any key is looked up. The key set is this
// package's own, under 400 lines on the standard library (JWK parsing
// with the curve-point check of crypto/ecdsa, fetching, rotation):
// lestrrat-go/jwx v3 has a caching JWKS client but brings several modules
// with it, and coreos/go-oidc v3 is built for OpenID Connect ID tokens (one
// client ID as the audience, a fixed clock skew, a key refetch whenever no
// cached key verifies a token), not for the access tokens an API receives.
package rouxjwt
