package ws

// This file checks a handshake before it is accepted, so that every
// refusal is a problem+json response like the rest of roux's (the
// websocket library would answer in plain text): 426 for a request that
// is no WebSocket handshake, 400 for a malformed one, 403 for an origin
// that is not allowed.

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/roux-go/roux"
)

// handshakeProblem returns the problem of a request this endpoint does
// not upgrade, or nil.
func handshakeProblem(r *http.Request, origins []string) *roux.Error {
	if !r.ProtoAtLeast(1, 1) || !hasToken(r.Header, "Connection", "upgrade") || !hasToken(r.Header, "Upgrade", "websocket") {
		return roux.NewError(http.StatusUpgradeRequired, "this endpoint is a WebSocket: send a WebSocket handshake (HTTP/1.1 GET with Connection: Upgrade and Upgrade: websocket)").
			WithHeader("Upgrade", "websocket").
			WithHeader("Connection", "Upgrade")
	}
	if r.Method != http.MethodGet {
		return roux.NewError(http.StatusMethodNotAllowed, "a WebSocket handshake is a GET request, not "+r.Method).
			WithHeader("Allow", http.MethodGet)
	}
	if v := r.Header.Values("Sec-WebSocket-Version"); len(v) != 1 || strings.TrimSpace(v[0]) != "13" {
		return roux.NewError(http.StatusUpgradeRequired, "only version 13 of the WebSocket protocol (RFC 6455) is supported").
			WithHeader("Sec-WebSocket-Version", "13")
	}
	keys := r.Header.Values("Sec-WebSocket-Key")
	if len(keys) != 1 {
		return roux.NewError(http.StatusBadRequest, "a WebSocket handshake carries exactly one Sec-WebSocket-Key header")
	}
	if k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(keys[0])); err != nil || len(k) != 16 {
		return roux.NewError(http.StatusBadRequest, "the Sec-WebSocket-Key header must be 16 bytes in base64")
	}
	if origin := r.Header.Get("Origin"); !originAllowed(origin, r.Host, origins) {
		return roux.NewError(http.StatusForbidden, fmt.Sprintf("the origin %q may not open this WebSocket", truncateReason(origin)))
	}
	return nil
}

// hasToken reports whether a comma-separated list in one of the header's
// values holds token, compared case-insensitively.
func hasToken(h http.Header, key, token string) bool {
	for _, v := range h.Values(key) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// originAllowed reports whether a handshake with the Origin header origin,
// sent to host (the request's Host), may proceed. Without an Origin the
// client is no browser and cross-site request forgery is not a concern.
// Otherwise the origin must be a URL whose host is host itself or matches
// one of patterns: a pattern with "://" is matched against the origin's
// scheme://host, any other against its host, both with [path.Match],
// case-insensitively. A malformed pattern matches nothing ([checkPatterns]
// finds it earlier).
func originAllowed(origin, host string, patterns []string) bool {
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || u.Scheme == "" {
		return false // "null" (a sandboxed or file: page) among them
	}
	if strings.EqualFold(u.Host, host) {
		return true
	}
	for _, p := range patterns {
		target := u.Host
		if strings.Contains(p, "://") {
			target = u.Scheme + "://" + u.Host
		}
		if ok, err := path.Match(strings.ToLower(p), strings.ToLower(target)); ok && err == nil {
			return true
		}
	}
	return false
}

// checkPatterns reports the first malformed origin pattern.
func checkPatterns(patterns []string) error {
	for _, p := range patterns {
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("ws: origin pattern %q is malformed: %w", p, err)
		}
	}
	return nil
}
