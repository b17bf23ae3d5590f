package roux

// This file holds the signatures of webhook messages, as Standard
// Webhooks (https://www.standardwebhooks.com) define them: the sender
// signs "{id}.{timestamp}.{body}" with HMAC-SHA256 under a secret it
// shares with the receiver, and sends the id, the timestamp and the
// signatures in three headers; the receiver recomputes the signature in
// constant time and refuses a timestamp too far from its clock, so a
// captured message cannot be replayed later.

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The headers of a signed webhook message.
const (
	WebhookIDHeader        = "webhook-id"
	WebhookTimestampHeader = "webhook-timestamp"
	WebhookSignatureHeader = "webhook-signature"
)

// secretPrefix starts a secret written as Standard Webhooks write them.
const secretPrefix = "whsec_"

// DefaultWebhookTolerance is how far a message's timestamp may be from
// the receiver's clock, either way, when [VerifyWebhook] is given no
// tolerance: five minutes, as Standard Webhooks suggest.
const DefaultWebhookTolerance = 5 * time.Minute

// ErrWebhookSignature is wrapped by every error of [VerifyWebhook]: the
// message is not one the holder of the secret signed, or not recently.
var ErrWebhookSignature = errors.New("roux: webhook signature not valid")

// NewWebhookSecret returns a new random secret for a webhook endpoint:
// "whsec_" and the base64 of 32 random bytes, as Standard Webhooks write
// secrets. Give it to the receiver once, when it registers its URL.
func NewWebhookSecret() string {
	var b [32]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	return secretPrefix + base64.StdEncoding.EncodeToString(b[:])
}

// webhookKey returns the HMAC key of a secret: the bytes after "whsec_"
// decoded from base64, or the secret's own bytes without that prefix.
func webhookKey(secret string) ([]byte, error) {
	if secret == "" {
		return nil, errors.New("the webhook secret is empty")
	}
	b64, ok := strings.CutPrefix(secret, secretPrefix)
	if !ok {
		return []byte(secret), nil
	}
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(key) == 0 {
		return nil, errors.New("the webhook secret starts with whsec_ but the rest is not base64")
	}
	return key, nil
}

// SignWebhook returns the webhook-signature header value of a message
// with the given id, timestamp and body, signed with secret ("whsec_"
// and base64, or any other non-empty string, used as it is): "v1," and
// the base64 HMAC-SHA256 of "{id}.{unix seconds}.{body}". [Webhook.Send]
// signs with it; use it to sign messages sent otherwise, or in tests.
func SignWebhook(secret, id string, timestamp time.Time, body []byte) (string, error) {
	key, err := webhookKey(secret)
	if err != nil {
		return "", fmt.Errorf("roux: %w", err)
	}
	return "v1," + base64.StdEncoding.EncodeToString(webhookMAC(key, id, strconv.FormatInt(timestamp.Unix(), 10), body)), nil
}

func webhookMAC(key []byte, id, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// VerifyWebhook checks that a webhook message — its headers and its body,
// exactly as received — was signed with secret no longer than tolerance
// ago (or ahead; 0 means [DefaultWebhookTolerance]). It accepts the
// message when any "v1," signature of the webhook-signature header
// matches, compared in constant time, so a sender may sign with an old
// and a new secret while the receiver changes over. It returns nil, or an
// error wrapping [ErrWebhookSignature] that says what is wrong.
//
// A receiver verifies before it decodes the body, answers a failure with
// 401 or 400, and ignores a message whose webhook-id it has handled
// already: senders retry, with the same id.
func VerifyWebhook(secret string, header http.Header, body []byte, tolerance time.Duration) error {
	return verifyWebhook(secret, header, body, tolerance, time.Now())
}

func verifyWebhook(secret string, header http.Header, body []byte, tolerance time.Duration, now time.Time) error {
	fail := func(format string, a ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrWebhookSignature}, a...)...)
	}
	key, err := webhookKey(secret)
	if err != nil {
		return fmt.Errorf("roux: %w", err)
	}
	id, ts, sigs := header.Get(WebhookIDHeader), header.Get(WebhookTimestampHeader), header.Get(WebhookSignatureHeader)
	switch {
	case id == "":
		return fail("the %s header is missing", WebhookIDHeader)
	case ts == "":
		return fail("the %s header is missing", WebhookTimestampHeader)
	case sigs == "":
		return fail("the %s header is missing", WebhookSignatureHeader)
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || secs < 0 || ts[0] == '+' {
		return fail("%s %q is not a number of seconds", WebhookTimestampHeader, ts)
	}
	if tolerance <= 0 {
		tolerance = DefaultWebhookTolerance
	}
	if d := now.Sub(time.Unix(secs, 0)); d > tolerance || d < -tolerance {
		return fail("the message was signed at %s, more than %v from now", time.Unix(secs, 0).UTC().Format(time.RFC3339), tolerance)
	}
	want := webhookMAC(key, id, ts, body)
	for sig := range strings.FieldsSeq(sigs) {
		version, b64, ok := strings.Cut(sig, ",")
		if !ok || version != "v1" {
			continue // another scheme, such as v1a (asymmetric); not ours
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return fail("no v1 signature of the message matches the secret")
}
