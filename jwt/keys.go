package rouxjwt

// This file keeps the issuer's keys. The set is fetched on first use, not
// at construction, so a service starts while its issuer is unreachable.
// Lookups read an immutable snapshot through an atomic pointer: verifying
// a token takes no lock. The set is fetched again
//
//   - when a token names a key the snapshot lacks (the issuer rotated its
//     keys), and the caller waits for the answer;
//   - when the snapshot is older than MaxKeyAge, in the background, while
//     the old keys keep serving.
//
// Fetches are rate-limited: at most one every MinRefreshInterval, one at a
// time, whatever the number of waiting requests, so tokens with made-up
// key IDs cannot turn a service into a flood against its issuer. A fetch
// runs apart from the request that started it (its own timeout), so a
// client hanging up does not cancel it for the others waiting. When a
// fetch fails the previous keys stay in use.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ErrKeysUnavailable reports that the issuer's keys could not be fetched
// and none are known that could check the token: a failure of the issuer
// or the network, not of the token. [Auth] answers it with 503.
var ErrKeysUnavailable = errors.New("rouxjwt: the signing keys are unavailable")

// errUnknownKey: the token names no key of the set, even after a fetch.
var errUnknownKey = errors.New("no key of the issuer's set fits the token")

const (
	maxDocumentBytes = 1 << 20
	fetchTimeout     = 30 * time.Second
)

type keySet struct {
	client      *http.Client
	issuer      string
	jwksURL     string // "" to discover it from the issuer
	maxAge      time.Duration
	minInterval time.Duration
	onError     func(error)

	snap atomic.Pointer[keySnapshot]

	mu       sync.Mutex
	fetching chan struct{} // open while a fetch runs
	lastTry  time.Time
	lastErr  error
}

type keySnapshot struct {
	keys    []publicKey
	fetched time.Time
}

// find returns the key for a token's kid and alg. A token without kid is
// matched when exactly one key fits its alg.
func (s *keySnapshot) find(kid, alg string) (publicKey, bool) {
	if s == nil {
		return publicKey{}, false
	}
	var found publicKey
	n := 0
	for _, k := range s.keys {
		if (kid == "" || k.kid == kid) && k.fits(alg) {
			found = k
			n++
		}
	}
	return found, n == 1
}

// key returns the key that checks a token signed with alg by key kid.
func (s *keySet) key(ctx context.Context, kid, alg string) (publicKey, error) {
	snap := s.snap.Load()
	if k, ok := snap.find(kid, alg); ok {
		if time.Since(snap.fetched) >= s.maxAge {
			s.refresh() // in the background: the old keys serve meanwhile
		}
		return k, nil
	}
	done := s.refresh()
	if done == nil { // rate-limited: no fetch now
		s.mu.Lock()
		err := s.lastErr
		s.mu.Unlock()
		if snap == nil && err != nil {
			return publicKey{}, fmt.Errorf("%w: %v", ErrKeysUnavailable, err)
		}
		return publicKey{}, errUnknownKey
	}
	select {
	case <-done:
	case <-ctx.Done():
		return publicKey{}, ctx.Err()
	}
	s.mu.Lock()
	err := s.lastErr
	s.mu.Unlock()
	if k, ok := s.snap.Load().find(kid, alg); ok {
		return k, nil
	}
	if err != nil {
		return publicKey{}, fmt.Errorf("%w: %v", ErrKeysUnavailable, err)
	}
	return publicKey{}, errUnknownKey
}

// refresh starts a fetch unless one ran less than minInterval ago, and
// returns a channel closed when the running fetch ends, or nil.
func (s *keySet) refresh() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fetching != nil {
		return s.fetching
	}
	if !s.lastTry.IsZero() && time.Since(s.lastTry) < s.minInterval {
		return nil
	}
	s.lastTry = time.Now()
	done := make(chan struct{})
	s.fetching = done
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
		defer cancel()
		keys, err := s.fetch(ctx)
		if err == nil {
			s.snap.Store(&keySnapshot{keys: keys, fetched: time.Now()})
		} else if s.onError != nil {
			s.onError(err)
		}
		s.mu.Lock()
		s.lastErr, s.fetching = err, nil
		s.mu.Unlock()
		close(done)
	}()
	return done
}

// fetch reads the key set, after discovering its URL when configured so.
func (s *keySet) fetch(ctx context.Context) ([]publicKey, error) {
	jwksURL := s.jwksURL
	if jwksURL == "" {
		var doc struct {
			Issuer  string `json:"issuer"`
			JWKSURI string `json:"jwks_uri"`
		}
		if err := s.getJSON(ctx, discoveryURL(s.issuer), &doc); err != nil {
			return nil, err
		}
		if doc.Issuer != s.issuer {
			return nil, fmt.Errorf("the discovery document names issuer %q, want %q", doc.Issuer, s.issuer)
		}
		if err := checkURL("jwks_uri", doc.JWKSURI); err != nil {
			return nil, err
		}
		jwksURL = doc.JWKSURI
	}
	var raw json.RawMessage
	if err := s.getJSON(ctx, jwksURL, &raw); err != nil {
		return nil, err
	}
	keys, err := parseJWKS(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", jwksURL, err)
	}
	return keys, nil
}

func (s *keySet) getJSON(ctx context.Context, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	res, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, res.Status)
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, maxDocumentBytes+1))
	if err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	if len(b) > maxDocumentBytes {
		return fmt.Errorf("GET %s: over %d bytes", url, maxDocumentBytes)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	return nil
}

// discoveryURL is an OpenID Connect issuer's discovery document
// (OpenID Connect Discovery 1.0 §4).
func discoveryURL(issuer string) string {
	return strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
}
