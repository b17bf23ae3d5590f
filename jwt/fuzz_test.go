package rouxjwt_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	rouxjwt "github.com/roux-go/roux/jwt"
)

// FuzzVerify: whatever the token, Verify neither panics nor accepts
// anything but the one genuine token of the corpus, and a refusal is
// always ErrInvalidToken (the issuer is up, so never a key failure).
func FuzzVerify(f *testing.F) {
	s := newSigner("ed", jwt.SigningMethodEdDSA)
	is := newIssuer(f, s)
	v, err := rouxjwt.NewVerifier(rouxjwt.Config{Issuer: is.URL, Audience: []string{"api"}, Logger: quiet})
	if err != nil {
		f.Fatal(err)
	}
	genuine := s.sign(is.claims(jwt.MapClaims{"sub": "genuine"}))
	for _, seed := range []string{genuine, "", "a.b.c", "..", strings.Repeat(".", 100),
		"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", genuine[:len(genuine)-2]} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		c, err := v.Verify(context.Background(), token)
		if err == nil {
			if c.Subject != "genuine" {
				t.Fatalf("accepted %q with subject %q", token, c.Subject)
			}
			return
		}
		if !errors.Is(err, rouxjwt.ErrInvalidToken) {
			t.Fatalf("%q: got %v, want ErrInvalidToken", token, err)
		}
	})
}
