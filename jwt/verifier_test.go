package rouxjwt_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/roux-go/roux"
	rouxjwt "github.com/roux-go/roux/jwt"
	"github.com/roux-go/roux/openapi"
	"github.com/roux-go/roux/rouxtest"
)

// securedAPI serves /me (any valid token) and /menu (scope menu:read)
// behind auth, over loopback.
func securedAPI(t *testing.T, auth *roux.Dep[*rouxjwt.Claims]) (*roux.API, string) {
	t.Helper()
	api := roux.New(roux.Config{Title: "jwt", Version: "1"})
	who := func(ctx context.Context, in *struct{}, s *struct {
		Claims *rouxjwt.Claims `dep:""`
	}) (*string, error) {
		return &s.Claims.Subject, nil
	}
	// The 503 of an unreachable issuer is the scheme's own: no operation
	// declares it (TestPublished checks that it is published).
	roux.RegisterWith(api, "GET", "/me", who, roux.Secure(auth))
	roux.RegisterWith(api, "GET", "/menu", who, roux.Secure(auth, "menu:read"))
	rouxtest.New(t, api) // leaves the document for CI's kin-openapi check
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return api, srv.URL
}

var quiet = slog.New(slog.DiscardHandler)

type answer struct {
	Status    int
	Challenge string
	Body      string // the subject for a 200, the problem's detail otherwise
}

func call(t *testing.T, url, token string) answer {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	a := answer{Status: res.StatusCode, Challenge: res.Header.Get("WWW-Authenticate")}
	if res.StatusCode == http.StatusOK {
		json.Unmarshal(b, &a.Body)
	} else {
		var p struct{ Detail string }
		json.Unmarshal(b, &p)
		a.Body = p.Detail
	}
	return a
}

var (
	ok        = answer{Status: 200, Body: "ann"}
	refused   = answer{Status: 401, Challenge: `Bearer realm="oidc"`, Body: "the credentials are not valid"}
	lacksMenu = answer{Status: 403, Challenge: `Bearer error="insufficient_scope", scope="menu:read"`, Body: `the token lacks the scope "menu:read"`}
)

func TestTokens(t *testing.T) {
	t.Parallel()
	rs := newSigner("rs1", jwt.SigningMethodRS256)
	es := newSigner("es1", jwt.SigningMethodES256)
	ed := newSigner("ed1", jwt.SigningMethodEdDSA)
	rs2 := signer{"rs2", jwt.SigningMethodRS256, rsaKey2()}
	is := newIssuer(t, rs, rs2, es, ed)
	_, url := securedAPI(t, rouxjwt.Auth("oidc", rouxjwt.Config{Issuer: is.URL, Audience: []string{"api"}, Leeway: 30 * time.Second}))

	now := time.Now()
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: must(x509.MarshalPKIXPublicKey(rsaKey().Public()))})
	hsWithPublicKey := jwt.NewWithClaims(jwt.SigningMethodHS256, is.claims(nil))
	hsWithPublicKey.Header["kid"] = "rs1"
	none := jwt.NewWithClaims(jwt.SigningMethodNone, is.claims(nil))
	none.Header["kid"] = "rs1"
	valid := rs.sign(is.claims(nil))
	parts := strings.Split(valid, ".")
	// The signature's last character carries 4 unused bits: set one, and
	// a lenient decoder would read the same signature.
	const b64url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	malleable := valid[:len(valid)-1] + string(b64url[strings.IndexByte(b64url, valid[len(valid)-1])|1])

	for _, tt := range []struct {
		name, path, token string
		want              answer
	}{
		{"RS256", "/me", valid, ok},
		{"ES256", "/me", es.sign(is.claims(nil)), ok},
		{"EdDSA", "/me", ed.sign(is.claims(nil)), ok},
		{"scope claim", "/menu", rs.sign(is.claims(jwt.MapClaims{"scope": "orders:read menu:read"})), ok},
		{"scp array", "/menu", rs.sign(is.claims(jwt.MapClaims{"scp": []string{"menu:read"}})), ok},
		{"scp string", "/menu", rs.sign(is.claims(jwt.MapClaims{"scp": "menu:read"})), ok},
		{"missing scope", "/menu", rs.sign(is.claims(jwt.MapClaims{"scope": "orders:read"})), lacksMenu},
		{"no scope at all", "/menu", valid, lacksMenu},
		{"expired", "/me", rs.sign(is.claims(jwt.MapClaims{"exp": now.Add(-time.Minute).Unix()})), refused},
		{"expired within the leeway", "/me", rs.sign(is.claims(jwt.MapClaims{"exp": now.Add(-10 * time.Second).Unix()})), ok},
		{"not yet valid", "/me", rs.sign(is.claims(jwt.MapClaims{"nbf": now.Add(2 * time.Minute).Unix()})), refused},
		{"nbf within the leeway", "/me", rs.sign(is.claims(jwt.MapClaims{"nbf": now.Add(10 * time.Second).Unix()})), ok},
		{"issued in the future", "/me", rs.sign(is.claims(jwt.MapClaims{"iat": now.Add(2 * time.Minute).Unix()})), refused},
		{"no exp", "/me", rs.sign(is.claims(jwt.MapClaims{"exp": nil})), refused},
		{"wrong audience", "/me", rs.sign(is.claims(jwt.MapClaims{"aud": "other-api"})), refused},
		{"one audience of several", "/me", rs.sign(is.claims(jwt.MapClaims{"aud": []string{"other-api", "api"}})), ok},
		{"no audience", "/me", rs.sign(is.claims(jwt.MapClaims{"aud": nil})), refused},
		{"wrong issuer", "/me", rs.sign(is.claims(jwt.MapClaims{"iss": "https://id.example.com"})), refused},
		{"scp of the wrong type", "/me", rs.sign(is.claims(jwt.MapClaims{"scp": 42})), refused},
		{"another key under a known kid", "/me", signer{"rs1", jwt.SigningMethodRS256, attackerRS()}.sign(is.claims(nil)), refused},
		{"alg none", "/me", must(none.SignedString(jwt.UnsafeAllowNoneSignatureType)), refused},
		{"HS256 with the public key as secret", "/me", must(hsWithPublicKey.SignedString(pubPEM)), refused},
		{"RS256 naming the EC key", "/me", signer{"es1", jwt.SigningMethodRS256, rsaKey()}.sign(is.claims(nil)), refused},
		{"no kid, two keys fit", "/me", signer{"", jwt.SigningMethodRS256, rsaKey()}.sign(is.claims(nil)), refused},
		{"no kid, one key fits", "/me", signer{"", jwt.SigningMethodEdDSA, ed.key}.sign(is.claims(nil)), ok},
		{"unknown kid", "/me", signer{"nope", jwt.SigningMethodRS256, rsaKey()}.sign(is.claims(nil)), refused},
		{"signature of another token", "/me", parts[0] + "." + strings.Split(rs.sign(is.claims(jwt.MapClaims{"sub": "bob"})), ".")[1] + "." + parts[2], refused},
		{"signature with unused bits set", "/me", malleable, refused},
		{"two segments", "/me", parts[0] + "." + parts[1], refused},
		{"not base64", "/me", "%%%.%%%.%%%", refused},
		{"not JSON", "/me", "bm90.anNvbg.c2ln", refused},
		{"a word", "/me", "letmein", refused},
		{"huge", "/me", strings.Repeat("a", 40_000) + "." + parts[1] + "." + parts[2], refused},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, call(t, url+tt.path, tt.token)); diff != "" {
				t.Errorf("answer (-want +got):\n%s", diff)
			}
		})
	}
}

// The issuer rotates its keys: a token signed with the new key is
// accepted after one fetch, one with the removed key is refused, and
// tokens naming unknown keys never fetch more than once a
// MinRefreshInterval.
func TestRotation(t *testing.T) {
	t.Parallel()
	a := signer{"a", jwt.SigningMethodRS256, rsaKey()}
	b := signer{"b", jwt.SigningMethodRS256, rsaKey2()}
	c := newSigner("c", jwt.SigningMethodES256)
	is := newIssuer(t, a)
	_, url := securedAPI(t, rouxjwt.Auth("oidc", rouxjwt.Config{Issuer: is.URL, Audience: []string{"api"},
		MinRefreshInterval: 2 * time.Second}))
	me := url + "/me"
	tokenA, tokenB, tokenC := a.sign(is.claims(nil)), b.sign(is.claims(nil)), c.sign(is.claims(nil))
	// Signed now, so that the interval below holds only their requests
	// (the attacker's key is made on first use).
	var forged []string
	for i := range 20 {
		forged = append(forged, signer{fmt.Sprintf("made-up-%d", i), jwt.SigningMethodRS256, attackerRS()}.sign(is.claims(nil)))
	}

	if got := call(t, me, tokenA); got != ok {
		t.Fatalf("key a: got %+v", got)
	}
	is.setKeys(b) // rotation: b replaces a
	// Until two seconds have passed since the first fetch, b is unknown.
	pollUntilOK(t, me, tokenB, refused)
	if got := is.fetches.Load(); got != 2 {
		t.Errorf("got %d fetches of the key set, want 2", got)
	}
	if got := call(t, me, tokenA); got != refused {
		t.Errorf("key a, removed: got %+v, want 401", got)
	}
	for _, forged := range forged {
		if got := call(t, me, forged); got != refused {
			t.Errorf("made-up kid: got %+v, want 401", got)
		}
	}
	if got := is.fetches.Load(); got != 2 {
		t.Errorf("20 made-up key IDs within the interval: got %d fetches, want still 2", got)
	}
	is.setKeys(b, c)
	pollUntilOK(t, me, tokenC, refused)
	if got := is.fetches.Load(); got != 3 {
		t.Errorf("got %d fetches, want 3", got)
	}
}

// pollUntilOK sends token until it is accepted, for up to 5 seconds;
// meanwhile the answer must be interim.
func pollUntilOK(t *testing.T, url, token string, interim answer) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := call(t, url, token)
		if got == ok {
			return
		}
		if got != interim || time.Now().After(deadline) {
			t.Fatalf("got %+v, want the token accepted", got)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// While the issuer cannot be reached, a token no known key checks gets
// 503, and known keys go on serving.
func TestIssuerDown(t *testing.T) {
	t.Parallel()
	s := newSigner("ed", jwt.SigningMethodEdDSA)
	is := newIssuer(t, s)
	is.setBroken(true)
	_, url := securedAPI(t, rouxjwt.Auth("oidc", rouxjwt.Config{Issuer: is.URL, Audience: []string{"api"},
		MinRefreshInterval: time.Second, MaxKeyAge: time.Millisecond, Logger: quiet}))
	me, token := url+"/me", s.sign(is.claims(nil))
	unavailable := answer{Status: 503, Body: "the token cannot be checked now; retry later"}
	for range 3 {
		if diff := cmp.Diff(unavailable, call(t, me, token)); diff != "" {
			t.Errorf("issuer down, no keys yet (-want +got):\n%s", diff)
		}
	}
	if got := is.fetches.Load(); got != 1 {
		t.Errorf("got %d fetches, want 1 within the interval", got)
	}
	req, _ := http.NewRequest("GET", me, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if res, err := http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	} else if res.Body.Close(); res.Header.Get("Retry-After") != "1" {
		t.Errorf("503: got Retry-After %q, want 1 (the MinRefreshInterval)", res.Header.Get("Retry-After"))
	}
	is.setBroken(false)
	pollUntilOK(t, me, token, unavailable)

	// Keys older than MaxKeyAge are fetched again in the background; when
	// that fails they keep serving.
	is.setBroken(true)
	before := is.fetches.Load()
	deadline := time.Now().Add(5 * time.Second)
	for is.fetches.Load() == before {
		if got := call(t, me, token); got != ok {
			t.Fatalf("issuer down, keys known: got %+v, want 200", got)
		}
		if time.Now().After(deadline) {
			t.Fatal("no background fetch within 5s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := call(t, me, token); got != ok {
		t.Errorf("after a failed background fetch: got %+v, want 200", got)
	}
}

func TestDiscoveryNamesAnotherIssuer(t *testing.T) {
	t.Parallel()
	s := newSigner("ed", jwt.SigningMethodEdDSA)
	is := newIssuer(t, s)
	// The same server under another name: its discovery document names
	// the issuer as 127.0.0.1, not localhost.
	other := strings.Replace(is.URL, "127.0.0.1", "localhost", 1)
	v, err := rouxjwt.NewVerifier(rouxjwt.Config{Issuer: other, Audience: []string{"api"}, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	_, err = v.Verify(context.Background(), s.sign(is.claims(jwt.MapClaims{"iss": other})))
	if !errors.Is(err, rouxjwt.ErrKeysUnavailable) || !strings.Contains(err.Error(), "names issuer") {
		t.Errorf("got %v, want ErrKeysUnavailable saying the discovery document names another issuer", err)
	}
}

func TestVerifyClaims(t *testing.T) {
	t.Parallel()
	s := newSigner("ed", jwt.SigningMethodEdDSA)
	is := newIssuer(t, s)
	v, err := rouxjwt.NewVerifier(rouxjwt.Config{Issuer: is.URL, JWKSURL: is.URL + "/jwks", Audience: []string{"api"}})
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Now().Add(time.Hour).Truncate(time.Second)
	c, err := v.Verify(context.Background(), s.sign(is.claims(jwt.MapClaims{"exp": exp.Unix(), "iat": nil, "jti": "t-1",
		"scope": "a b", "scp": []string{"c"}, "tenant": "north"})))
	if err != nil {
		t.Fatal(err)
	}
	want := &rouxjwt.Claims{Issuer: is.URL, Subject: "ann", Audience: []string{"api"}, ExpiresAt: exp, ID: "t-1", Scopes: []string{"a", "b", "c"}}
	if diff := cmp.Diff(want, c, cmpopts.EquateApproxTime(0), cmpopts.IgnoreUnexported(rouxjwt.Claims{})); diff != "" {
		t.Errorf("claims (-want +got):\n%s", diff)
	}
	var own struct{ Tenant string }
	if err := c.Decode(&own); err != nil || own.Tenant != "north" {
		t.Errorf("Decode: got %+v, %v, want tenant north", own, err)
	}
	_, err = v.Verify(context.Background(), "junk")
	if !errors.Is(err, rouxjwt.ErrInvalidToken) {
		t.Errorf("junk: got %v, want ErrInvalidToken", err)
	}
}

func TestPublished(t *testing.T) {
	t.Parallel()
	is := newIssuer(t, newSigner("ed", jwt.SigningMethodEdDSA))
	for _, tt := range []struct {
		name string
		c    rouxjwt.Config
		want openapi.SecurityScheme
	}{
		{"discovery", rouxjwt.Config{Issuer: is.URL, Audience: []string{"api"}, Description: "Tokens of our issuer"},
			openapi.SecurityScheme{Type: "openIdConnect", OpenIDConnectURL: is.URL + "/.well-known/openid-configuration", Description: "Tokens of our issuer"}},
		{"key set", rouxjwt.Config{Issuer: is.URL, JWKSURL: is.URL + "/jwks", Audience: []string{"api"}},
			openapi.SecurityScheme{Type: "http", Scheme: "bearer", BearerFormat: "JWT"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api, _ := securedAPI(t, rouxjwt.Auth("oidc", tt.c))
			doc := api.OpenAPI()
			if diff := cmp.Diff(&tt.want, doc.Components.SecuritySchemes["oidc"]); diff != "" {
				t.Errorf("scheme (-want +got):\n%s", diff)
			}
			if got := fmt.Sprint(doc.Paths["/menu"].Get.Security); got != "[map[oidc:[menu:read]]]" {
				t.Errorf("got requirement %s", got)
			}
			for _, path := range []string{"/me", "/menu"} {
				r := doc.Paths[path].Get.Responses["503"]
				if r == nil || r.Headers["Retry-After"] == nil {
					t.Errorf("%s: the scheme's 503 with Retry-After is not published: %+v", path, r)
				}
			}
			if _, err := openapi.Downgrade(doc); err != nil {
				t.Errorf("3.0 document: %v", err)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		c    rouxjwt.Config
		want string
	}{
		{"no issuer", rouxjwt.Config{Audience: []string{"api"}}, "Issuer is required"},
		{"no audience", rouxjwt.Config{Issuer: "https://id.example.com"}, "Audience is required"},
		{"plain http issuer", rouxjwt.Config{Issuer: "http://id.example.com", Audience: []string{"api"}}, "use https"},
		{"plain http key set", rouxjwt.Config{Issuer: "x", JWKSURL: "http://id.example.com/jwks", Audience: []string{"api"}}, "use https"},
		{"relative key set", rouxjwt.Config{Issuer: "x", JWKSURL: "/jwks", Audience: []string{"api"}}, "not an absolute URL"},
		{"HS256", rouxjwt.Config{Issuer: "https://id.example.com", Audience: []string{"api"}, Algorithms: []string{"HS256"}}, `algorithm "HS256" is not accepted`},
		{"none", rouxjwt.Config{Issuer: "https://id.example.com", Audience: []string{"api"}, Algorithms: []string{"none"}}, `algorithm "none" is not accepted`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := rouxjwt.NewVerifier(tt.c)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error saying %q", err, tt.want)
			}
		})
	}
	for _, ok := range []rouxjwt.Config{
		{Issuer: "https://id.example.com", Audience: []string{"api"}},
		{Issuer: "http://localhost:8080", Audience: []string{"api"}},
		{Issuer: "http://[::1]:8080", Audience: []string{"api"}, Algorithms: []string{"ES256"}},
	} {
		if _, err := rouxjwt.NewVerifier(ok); err != nil {
			t.Errorf("%+v: %v", ok, err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, alg := range []jwt.SigningMethod{jwt.SigningMethodRS256, jwt.SigningMethodES256, jwt.SigningMethodEdDSA} {
		b.Run(alg.Alg(), func(b *testing.B) {
			s := newSigner("k", alg)
			is := newIssuer(b, s)
			v, err := rouxjwt.NewVerifier(rouxjwt.Config{Issuer: is.URL, Audience: []string{"api"}})
			if err != nil {
				b.Fatal(err)
			}
			token := s.sign(is.claims(jwt.MapClaims{"scope": "menu:read orders:read"}))
			if _, err := v.Verify(context.Background(), token); err != nil { // fetches the keys
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(context.Background(), token); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
