package rouxjwt

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/openapi"
)

// Auth returns a roux security scheme called name that accepts the JWT
// bearer tokens c describes (see [NewVerifier]); its value is the token's
// *[Claims], and [roux.Secure] may require the scopes the token grants. It
// panics on a configuration NewVerifier refuses, as regexp.MustCompile
// does, so that the mistake shows at start-up.
func Auth(name string, c Config) *roux.Dep[*Claims] {
	v, err := NewVerifier(c)
	if err != nil {
		panic(err)
	}
	return v.Scheme(name)
}

// Scheme returns a roux security scheme called name that verifies tokens
// with v, published as openIdConnect (when v discovers its keys from the
// issuer) or as an http bearer scheme with bearerFormat JWT (when it was
// given a JWKSURL). A request without a valid token gets 401 with a
// Bearer challenge and no detail of what was wrong (the reason is logged
// at debug level); one whose token lacks a required scope 403; and one
// whose token cannot be checked because the issuer's keys cannot be
// fetched 503 with Retry-After, which every operation secured by the
// scheme publishes ([roux.Dep.Response]). Call it once per API: each call makes a
// new scheme, and an API refuses two schemes of one name.
func (v *Verifier) Scheme(name string) *roux.Dep[*Claims] {
	desc := openapi.SecurityScheme{Type: "http", Scheme: "bearer", BearerFormat: "JWT", Description: v.cfg.Description}
	if v.cfg.JWKSURL == "" {
		desc = openapi.SecurityScheme{Type: "openIdConnect", OpenIDConnectURL: discoveryURL(v.cfg.Issuer), Description: v.cfg.Description}
	}
	retry := strconv.Itoa(int((v.cfg.MinRefreshInterval + time.Second - 1) / time.Second))
	dep := roux.TokenAuth(name, desc, v.cfg.Scopes, func(ctx context.Context, token string) (*Claims, []string, error) {
		c, err := v.Verify(ctx, token)
		switch {
		case err == nil:
			return c, c.Scopes, nil
		case errors.Is(err, ErrKeysUnavailable):
			return nil, nil, roux.NewError(http.StatusServiceUnavailable, "the token cannot be checked now; retry later").
				WithHeader("Retry-After", retry)
		case ctx.Err() != nil:
			return nil, nil, err
		}
		v.cfg.Logger.DebugContext(ctx, "rouxjwt: token refused", "scheme", name, "error", err)
		return nil, nil, roux.ErrUnauthorized
	})
	return dep.Response(http.StatusServiceUnavailable, "The issuer's signing keys cannot be fetched now, so the token cannot be checked; retry after Retry-After", unavailable{})
}

// unavailable documents the header of the scheme's 503.
type unavailable struct {
	RetryAfter string `header:"Retry-After" doc:"Seconds until the keys are fetched again."`
}
