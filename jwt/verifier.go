package rouxjwt

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Config says which tokens a [Verifier] accepts. Issuer and Audience are
// required; the other fields have defaults.
type Config struct {
	// Issuer is the token issuer, compared with the iss claim exactly.
	// Without JWKSURL it is an OpenID Connect issuer: its discovery
	// document (Issuer + "/.well-known/openid-configuration") names the
	// key set, and the scheme is published as openIdConnect.
	Issuer string
	// JWKSURL is the issuer's JSON Web Key Set. When set, no discovery
	// is done and the scheme is published as an http bearer scheme with
	// bearerFormat JWT.
	JWKSURL string
	// Audience lists the audiences this API answers to: a token's aud
	// claim must name one of them.
	Audience []string
	// Leeway is the clock skew allowed when checking exp, nbf and iat;
	// the default is none.
	Leeway time.Duration
	// Algorithms lists the signature algorithms accepted, among RS256,
	// RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512 and EdDSA;
	// the default is all of them. Shared-secret (HS*) and unsigned
	// (none) tokens are never accepted: a key set holds public keys.
	Algorithms []string
	// Client fetches the discovery document and the keys; it defaults to
	// a client with a 10s timeout.
	Client *http.Client
	// MaxKeyAge is how long fetched keys are used before they are fetched
	// again (in the background); it defaults to one hour.
	MaxKeyAge time.Duration
	// MinRefreshInterval is the least time between two fetches of the
	// keys, however many tokens name unknown keys; it defaults to one
	// minute.
	MinRefreshInterval time.Duration
	// Scopes lists the scopes an [roux.Override] of the scheme grants.
	Scopes []string
	// Description describes the scheme in the OpenAPI document.
	Description string
	// Logger receives why tokens are refused (at debug level) and why
	// keys could not be fetched (at warn level); it defaults to
	// slog.Default().
	Logger *slog.Logger
}

// Claims are the claims of a verified token.
type Claims struct {
	Issuer    string
	Subject   string
	Audience  []string
	ExpiresAt time.Time
	NotBefore time.Time // zero when the token has no nbf
	IssuedAt  time.Time // zero when the token has no iat
	ID        string
	// Scopes are the scopes the token grants: its scope claim (a
	// space-separated string, RFC 8693 and RFC 9068) and its scp claim
	// (an array, or a space-separated string, as some issuers send it).
	Scopes []string

	payload string // the token's second segment, for Decode
}

// Decode decodes the token's claims into v with encoding/json, for claims
// of your own (roles, tenant, email...).
func (c *Claims) Decode(v any) error {
	b, err := base64.RawURLEncoding.DecodeString(c.payload)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// ErrInvalidToken reports a token that is malformed, badly signed,
// expired, not yet valid, or meant for another issuer or audience. The
// error wrapping it says which; do not show it to clients.
var ErrInvalidToken = errors.New("rouxjwt: invalid token")

// Verifier checks JWTs against an issuer's keys. Create it with
// [NewVerifier]; it is safe for concurrent use.
type Verifier struct {
	cfg    Config
	parser *jwt.Parser
	keys   *keySet
}

var allAlgorithms = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// maxTokenBytes bounds the tokens parsed; issuers' tokens stay far below.
const maxTokenBytes = 32 << 10

// NewVerifier returns a verifier for the tokens c describes, or an error
// naming what c lacks. It fetches nothing: keys are fetched on first use.
// Issuer, JWKSURL and discovered key set URLs must be https, except on a
// loopback host (for tests and sidecars).
func NewVerifier(c Config) (*Verifier, error) {
	if c.Issuer == "" {
		return nil, errors.New("rouxjwt: Config.Issuer is required: a token must say who issued it")
	}
	if len(c.Audience) == 0 {
		return nil, errors.New("rouxjwt: Config.Audience is required: without it, a token the issuer made for any other API would be accepted")
	}
	if c.JWKSURL == "" {
		if err := checkURL("Issuer", c.Issuer); err != nil {
			return nil, err
		}
	} else if err := checkURL("JWKSURL", c.JWKSURL); err != nil {
		return nil, err
	}
	if len(c.Algorithms) == 0 {
		c.Algorithms = allAlgorithms
	}
	for _, alg := range c.Algorithms {
		if !slices.Contains(allAlgorithms, alg) {
			return nil, fmt.Errorf("rouxjwt: algorithm %q is not accepted: use public-key algorithms (%s)", alg, strings.Join(allAlgorithms, ", "))
		}
	}
	if c.Client == nil {
		c.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if c.MaxKeyAge <= 0 {
		c.MaxKeyAge = time.Hour
	}
	if c.MinRefreshInterval <= 0 {
		c.MinRefreshInterval = time.Minute
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	v := &Verifier{
		cfg: c,
		parser: jwt.NewParser(
			jwt.WithValidMethods(c.Algorithms),
			jwt.WithIssuer(c.Issuer),
			jwt.WithAudience(c.Audience...),
			jwt.WithLeeway(c.Leeway),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithStrictDecoding(), // one encoding per token: no variants of a signature
		),
	}
	logger := c.Logger
	v.keys = &keySet{client: c.Client, issuer: c.Issuer, jwksURL: c.JWKSURL, maxAge: c.MaxKeyAge,
		minInterval: c.MinRefreshInterval,
		onError: func(err error) {
			logger.Warn("rouxjwt: fetching the issuer's keys failed", "issuer", c.Issuer, "error", err)
		}}
	return v, nil
}

// checkURL refuses a URL keys would be fetched from unless it is https or
// on a loopback host: over plain http anyone on the path could hand the
// service their own keys.
func checkURL(field, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("rouxjwt: %s %q is not an absolute URL", field, raw)
	}
	if u.Scheme == "https" {
		return nil
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); u.Scheme == "http" && (host == "localhost" || ip != nil && ip.IsLoopback()) {
		return nil
	}
	return fmt.Errorf("rouxjwt: %s %q: use https (plain http only on a loopback host)", field, raw)
}

// tokenClaims is what a token's payload is parsed into.
type tokenClaims struct {
	jwt.RegisteredClaims
	Scope string    `json:"scope"`
	Scp   scopeList `json:"scp"`
}

// scopeList is an array of scopes, or a space-separated string of them.
type scopeList []string

func (s *scopeList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = strings.Fields(one)
		return nil
	}
	return json.Unmarshal(b, (*[]string)(s))
}

// Verify checks token — its signature against the issuer's keys, its
// issuer, audience, expiry, not-before and issued-at times — and returns
// its claims. It fails with an error wrapping [ErrInvalidToken] for a
// token it refuses, [ErrKeysUnavailable] when the keys that could check
// it cannot be fetched, or ctx's error.
func (v *Verifier) Verify(ctx context.Context, token string) (*Claims, error) {
	if len(token) > maxTokenBytes {
		return nil, fmt.Errorf("%w: over %d bytes", ErrInvalidToken, maxTokenBytes)
	}
	var tc tokenClaims
	var keyErr error
	_, err := v.parser.ParseWithClaims(token, &tc, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		k, err := v.keys.key(ctx, kid, t.Method.Alg())
		if err != nil {
			keyErr = err
			return nil, err
		}
		return k.key, nil
	})
	if err != nil {
		if keyErr != nil && !errors.Is(keyErr, errUnknownKey) {
			return nil, keyErr
		}
		return nil, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	return &Claims{
		Issuer:    tc.Issuer,
		Subject:   tc.Subject,
		Audience:  tc.Audience,
		ExpiresAt: timeOf(tc.ExpiresAt),
		NotBefore: timeOf(tc.NotBefore),
		IssuedAt:  timeOf(tc.IssuedAt),
		ID:        tc.ID,
		Scopes:    append(strings.Fields(tc.Scope), tc.Scp...),
		payload:   strings.Split(token, ".")[1],
	}, nil
}

func timeOf(d *jwt.NumericDate) time.Time {
	if d == nil {
		return time.Time{}
	}
	return d.Time
}
