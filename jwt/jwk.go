package rouxjwt

// This file parses JSON Web Key Sets (RFC 7517) into the public keys
// the verifier accepts: RSA of 2048 bits or more, ECDSA on P-256, P-384
// and P-521 (the point checked to be on its curve), and Ed25519 (RFC
// 8037). A key the verifier cannot use — another type, a key for
// encryption, a weak or malformed one — is skipped, not an error: an
// issuer may publish keys for other purposes beside its signing keys.

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// publicKey is one usable key of a set.
type publicKey struct {
	kid string
	alg string // the key's own "alg", or "" for any its type allows
	key crypto.PublicKey
}

// fits reports whether k can verify a signature made with alg.
func (k publicKey) fits(alg string) bool {
	if k.alg != "" && k.alg != alg {
		return false
	}
	switch key := k.key.(type) {
	case *rsa.PublicKey:
		return strings.HasPrefix(alg, "RS") || strings.HasPrefix(alg, "PS")
	case *ecdsa.PublicKey:
		return alg == curveAlg[key.Curve]
	case ed25519.PublicKey:
		return alg == "EdDSA"
	}
	return false
}

var curveAlg = map[elliptic.Curve]string{elliptic.P256(): "ES256", elliptic.P384(): "ES384", elliptic.P521(): "ES512"}

var curves = map[string]elliptic.Curve{"P-256": elliptic.P256(), "P-384": elliptic.P384(), "P-521": elliptic.P521()}

const minRSABits = 2048

// parseJWKS returns the usable signing keys of a JWK Set document. It
// fails on a document that is not a key set, or one with no usable key.
func parseJWKS(b []byte) ([]publicKey, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(b, &set); err != nil {
		return nil, fmt.Errorf("not a JWK set: %w", err)
	}
	var keys []publicKey
	var skipped []string
	for i, raw := range set.Keys {
		k, err := parseJWK(raw)
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("key %d: %v", i, err))
			continue
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("no usable signing key in the set (%d keys; %s)", len(set.Keys), strings.Join(skipped, "; "))
	}
	return keys, nil
}

func parseJWK(raw json.RawMessage) (publicKey, error) {
	var j struct {
		Kty, Kid, Alg, Use, Crv, N, E, X, Y string
	}
	if err := json.Unmarshal(raw, &j); err != nil {
		return publicKey{}, err
	}
	if j.Use != "" && j.Use != "sig" {
		return publicKey{}, fmt.Errorf("use %q, not sig", j.Use)
	}
	k := publicKey{kid: j.Kid, alg: j.Alg}
	var err error
	switch j.Kty {
	case "RSA":
		k.key, err = rsaKey(j.N, j.E)
	case "EC":
		k.key, err = ecKey(j.Crv, j.X, j.Y)
	case "OKP":
		if j.Crv != "Ed25519" {
			return publicKey{}, fmt.Errorf("OKP curve %q", j.Crv)
		}
		var x []byte
		if x, err = b64(j.X); err == nil && len(x) != ed25519.PublicKeySize {
			err = errors.New("Ed25519 key of the wrong size")
		}
		k.key = ed25519.PublicKey(x)
	default:
		return publicKey{}, fmt.Errorf("key type %q", j.Kty)
	}
	if err != nil {
		return publicKey{}, err
	}
	if k.alg != "" && !k.fits(k.alg) {
		return publicKey{}, fmt.Errorf("alg %q does not fit a %s key", k.alg, j.Kty)
	}
	return k, nil
}

func rsaKey(n64, e64 string) (*rsa.PublicKey, error) {
	n, e, err := b64Pair(n64, e64)
	if err != nil {
		return nil, err
	}
	if len(e) == 0 || len(e) > 4 {
		return nil, errors.New("RSA exponent out of range")
	}
	key := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	if key.N.BitLen() < minRSABits {
		return nil, fmt.Errorf("RSA key of %d bits, under %d", key.N.BitLen(), minRSABits)
	}
	if key.E < 3 || key.E%2 == 0 {
		return nil, errors.New("RSA exponent out of range")
	}
	return key, nil
}

func ecKey(crv, x64, y64 string) (*ecdsa.PublicKey, error) {
	curve, ok := curves[crv]
	if !ok {
		return nil, fmt.Errorf("EC curve %q", crv)
	}
	x, y, err := b64Pair(x64, y64)
	if err != nil {
		return nil, err
	}
	size := (curve.Params().BitSize + 7) / 8
	if len(x) != size || len(y) != size {
		return nil, errors.New("EC coordinates of the wrong size")
	}
	point := append(append([]byte{4}, x...), y...)
	return ecdsa.ParseUncompressedPublicKey(curve, point) // checks the point is on the curve
}

// b64 decodes base64url without padding, as JWKs are written (a padded
// value is accepted too).
func b64(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

func b64Pair(a, b string) ([]byte, []byte, error) {
	x, err := b64(a)
	if err != nil {
		return nil, nil, err
	}
	y, err := b64(b)
	return x, y, err
}
