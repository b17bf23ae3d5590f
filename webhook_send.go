package roux

// This file sends webhook messages: one signed attempt per call, whose
// outcome says whether and when to try again. Retrying is the caller's:
// a job queue (River, say) owns the schedule, the attempts and their
// record, and the message's id stays the same across them.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/roux-go/roux/internal/retryafter"
)

// WebhookEndpoint is where a receiver takes a webhook's messages: its
// URL, and the secret the messages are signed with ("whsec_" and base64,
// as [NewWebhookSecret] makes, or any other non-empty string, used as
// it is).
type WebhookEndpoint struct {
	URL    string
	Secret string
}

// WebhookSender sends webhook messages ([Webhook.Send]). The zero value
// is ready to use; a WebhookSender is safe for concurrent use.
type WebhookSender struct {
	// Client sends the requests. nil means a client of roux's own that
	// does not follow redirects (a redirect is a failure, as Standard
	// Webhooks want). Receivers' URLs come from outside: in production,
	// give a Client whose Transport dials only public addresses, so that a
	// URL cannot reach your internal network.
	Client *http.Client
	// Timeout bounds each attempt, from sending to reading the answer; 0
	// means 15 seconds.
	Timeout time.Duration
}

var webhookClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// maxWebhookAnswer is how much of a receiver's answer a result keeps;
// up to maxWebhookDrain more is read so that the connection can be
// reused.
const (
	maxWebhookAnswer = 4 << 10
	maxWebhookDrain  = 64 << 10
)

// WebhookResult is the receiver's answer to one message.
type WebhookResult struct {
	// Status is the answer's status code.
	Status int
	// RetryAfter is the delay the answer's Retry-After header asked for
	// (delay-seconds or an HTTP-date), or 0.
	RetryAfter time.Duration
	// Body holds the first 4 KiB of the answer's body, for logs.
	Body []byte
	// Duration is the time from sending the request to the end of the
	// answer.
	Duration time.Duration
}

// WebhookError is the error of a message that was not delivered: the
// receiver answered with a status other than 2xx, or did not answer.
// Retryable says whether trying again later may succeed: it is true for
// no answer (a network error or timeout), 408, 429 and 5xx, and false
// for other statuses, a malformed endpoint and a payload that cannot be
// encoded. A job queue retries the retryable ones after RetryAfter, when
// the receiver gave one, or its own backoff, and gives up on the rest
// (a 410 Gone says the receiver wants no more messages).
type WebhookError struct {
	// Status is the receiver's status code, or 0 when none came.
	Status int
	// RetryAfter is the delay the receiver asked for, or 0.
	RetryAfter time.Duration
	// Retryable reports whether the message may be delivered later.
	Retryable bool
	// Err is the cause when no answer came: a transport error (which
	// wraps context.DeadlineExceeded for a timeout), or the reason the
	// message could not be sent at all.
	Err error
}

// Error says what happened: "roux: webhook: receiver answered 503 (retry
// after 30s)" or "roux: webhook: <cause>".
func (e *WebhookError) Error() string {
	if e.Status == 0 {
		return "roux: webhook: " + e.Err.Error()
	}
	msg := "roux: webhook: receiver answered " + strconv.Itoa(e.Status)
	if e.RetryAfter > 0 {
		msg += " (retry after " + e.RetryAfter.String() + ")"
	}
	return msg
}

// Unwrap returns Err.
func (e *WebhookError) Unwrap() error { return e.Err }

// Send sends one message of the webhook to the endpoint to: payload
// encoded as JSON (as roux encodes response bodies), signed with the
// endpoint's secret, with id as its webhook-id and the current time as
// its webhook-timestamp. Give every message its own id and keep it for
// the message's retries, so that the receiver can tell a retry from a
// new message (an event's or a job's id does). s may be nil for the
// defaults of a zero [WebhookSender].
//
// When the receiver answers 2xx, Send returns its answer and nil.
// Otherwise it returns a *[WebhookError], which says whether to retry
// and when, and, if an answer came, the answer too. ctx ends the
// attempt early.
func (w *Webhook[P]) Send(ctx context.Context, s *WebhookSender, to WebhookEndpoint, id string, payload *P) (*WebhookResult, error) {
	if payload == nil {
		return nil, &WebhookError{Err: fmt.Errorf("webhook %s: the payload is nil", w.decl.name)}
	}
	body, err := json.Marshal(payload, jsonOptions)
	if err != nil {
		return nil, &WebhookError{Err: fmt.Errorf("webhook %s: encoding the payload: %w", w.decl.name, err)}
	}
	return s.send(ctx, to, id, body)
}

func (s *WebhookSender) send(ctx context.Context, to WebhookEndpoint, id string, body []byte) (*WebhookResult, error) {
	permanent := func(err error) (*WebhookResult, error) { return nil, &WebhookError{Err: err} }
	if err := checkMessageID(id); err != nil {
		return permanent(err)
	}
	u, err := url.Parse(to.URL)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return permanent(errors.New("the endpoint's URL is not an absolute http or https URL"))
	}
	ts := time.Now()
	sig, err := SignWebhook(to.Secret, id, ts, body)
	if err != nil {
		return permanent(err)
	}
	hc, timeout := webhookClient, 15*time.Second
	if s != nil && s.Client != nil {
		hc = s.Client
	}
	if s != nil && s.Timeout > 0 {
		timeout = s.Timeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return permanent(err)
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set(WebhookIDHeader, id)
	h.Set(WebhookTimestampHeader, strconv.FormatInt(ts.Unix(), 10))
	h.Set(WebhookSignatureHeader, sig)
	start := time.Now()
	resp, err := hc.Do(req)
	if err != nil {
		return nil, &WebhookError{Retryable: true, Err: err}
	}
	// The status is the answer; a body cut short does not change it.
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxWebhookAnswer))
	io.CopyN(io.Discard, resp.Body, maxWebhookDrain) //nolint:errcheck // only to reuse the connection
	resp.Body.Close()
	res := &WebhookResult{Status: resp.StatusCode, Body: answer, Duration: time.Since(start)}
	res.RetryAfter, _ = retryafter.Parse(resp.Header.Get("Retry-After"), time.Now())
	st := resp.StatusCode
	if st/100 == 2 {
		return res, nil
	}
	return res, &WebhookError{Status: st, RetryAfter: res.RetryAfter,
		Retryable: st == http.StatusRequestTimeout || st == http.StatusTooManyRequests || st >= 500}
}

// checkMessageID checks a webhook-id: 1 to 255 visible ASCII characters.
func checkMessageID(id string) error {
	if id == "" || len(id) > 255 {
		return errors.New("the message id must have 1 to 255 characters")
	}
	for _, c := range []byte(id) {
		if c <= ' ' || c >= 0x7f {
			return fmt.Errorf("the message id %q must be visible ASCII characters", id)
		}
	}
	return nil
}
