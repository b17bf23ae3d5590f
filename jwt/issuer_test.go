package rouxjwt_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// signer is a private key with its key ID and algorithm.
type signer struct {
	kid string
	alg jwt.SigningMethod
	key crypto.Signer
}

var (
	rsaKey     = sync.OnceValue(func() *rsa.PrivateKey { return must(rsa.GenerateKey(rand.Reader, 2048)) })
	rsaKey2    = sync.OnceValue(func() *rsa.PrivateKey { return must(rsa.GenerateKey(rand.Reader, 2048)) })
	attackerRS = sync.OnceValue(func() *rsa.PrivateKey { return must(rsa.GenerateKey(rand.Reader, 2048)) })
)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func newSigner(kid string, alg jwt.SigningMethod) signer {
	switch alg.Alg() {
	case "ES256":
		return signer{kid, alg, must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))}
	case "EdDSA":
		_, k, _ := ed25519.GenerateKey(rand.Reader)
		return signer{kid, alg, k}
	}
	return signer{kid, alg, rsaKey()}
}

// jwk is the public JWK of s.
func (s signer) jwk() map[string]string {
	enc := base64.RawURLEncoding.EncodeToString
	switch pub := s.key.Public().(type) {
	case *rsa.PublicKey:
		return map[string]string{"kty": "RSA", "kid": s.kid, "use": "sig", "alg": s.alg.Alg(),
			"n": enc(pub.N.Bytes()), "e": enc(big.NewInt(int64(pub.E)).Bytes())}
	case *ecdsa.PublicKey:
		b, _ := pub.Bytes()
		return map[string]string{"kty": "EC", "kid": s.kid, "crv": "P-256", "x": enc(b[1:33]), "y": enc(b[33:])}
	case ed25519.PublicKey:
		return map[string]string{"kty": "OKP", "kid": s.kid, "crv": "Ed25519", "x": enc(pub)}
	}
	panic("unknown key")
}

// sign makes a token with claims, signed by s.
func (s signer) sign(claims jwt.MapClaims) string {
	t := jwt.NewWithClaims(s.alg, claims)
	if s.kid != "" {
		t.Header["kid"] = s.kid
	}
	return must(t.SignedString(s.key))
}

// issuer is an OpenID Connect issuer over loopback: a discovery document
// and a key set that a test can change, counting the key set's fetches.
type issuer struct {
	*httptest.Server
	mu      sync.Mutex
	keys    []map[string]string
	broken  bool // answer 500
	fetches atomic.Int32
}

func newIssuer(t testing.TB, signers ...signer) *issuer {
	t.Helper()
	is := &issuer{}
	is.setKeys(signers...)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"issuer": is.URL, "jwks_uri": is.URL + "/jwks"})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		is.fetches.Add(1)
		is.mu.Lock()
		defer is.mu.Unlock()
		if is.broken {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"keys": is.keys})
	})
	is.Server = httptest.NewServer(mux)
	t.Cleanup(is.Close)
	return is
}

func (is *issuer) setKeys(signers ...signer) {
	is.mu.Lock()
	defer is.mu.Unlock()
	is.keys = nil
	for _, s := range signers {
		is.keys = append(is.keys, s.jwk())
	}
}

func (is *issuer) setBroken(b bool) {
	is.mu.Lock()
	defer is.mu.Unlock()
	is.broken = b
}

// claims are valid claims for is and audience "api", with changes.
func (is *issuer) claims(changes jwt.MapClaims) jwt.MapClaims {
	now := time.Now()
	c := jwt.MapClaims{"iss": is.URL, "aud": "api", "sub": "ann", "exp": now.Add(time.Hour).Unix(), "iat": now.Unix()}
	for k, v := range changes {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}
