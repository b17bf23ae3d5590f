package kitchen

// This file holds the kitchen's webhook: a customer registers an
// endpoint (kitchenapi.SetWebhook) and gets the secret its messages are
// signed with; when one of their orders is ready, the store queues its
// delivery as a job (in the transaction that makes it ready), and the job
// calls deliver, which sends the signed message with roux's sender and
// says what the queue does next. The queue owns the retries: see
// store.WorkConfig.Deliver.
//
// Receivers' URLs come from outside, so the requests must not reach what
// the kitchen's own network exposes (server-side request forgery): the
// client the sender uses (roux.WebhookSender.Client, which roux leaves
// to the service for this) dials through a guard (guard.go) that
// refuses loopback, private, link-local and other non-public addresses —
// checked on the address the connection is made to, after the name is
// resolved, so a name that resolves to 127.0.0.1 is refused as 127.0.0.1
// is — and has no proxy and follows no redirect. Registration refuses the
// URLs whose host is such an address already, to say so at once.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/roux-go/roux"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
	"github.com/roux-go/roux/examples/kitchen/kitchenapi"
)

// DefaultWebhookAttempts is how many times the kitchen tries to deliver a
// webhook message, unless Config.WebhookAttempts says otherwise.
const DefaultWebhookAttempts = 10

// registerWebhooks registers the operations on the caller's webhook and
// publishes the webhook in the document.
func (s *Service) registerWebhooks() {
	me := s.api.Group("/customers/me", s.customerOptions()...)
	roux.HandleWith(me, kitchenapi.SetWebhook, storeErrorsWith(s, s.setWebhook))
	roux.HandleWith(me, kitchenapi.DeleteWebhook, storeErrorsWith(s, s.deleteWebhook))
	s.api.Webhook(kitchenapi.OrderReady)
}

func (s *Service) setWebhook(ctx context.Context, in *kitchenapi.SetWebhookInput, c *customerOnly) (*kitchenapi.WebhookSet, error) {
	db, err := s.db()
	if err != nil {
		return nil, err
	}
	if err := checkEndpoint(in.Body.URL, s.cfg.WebhookTo); err != nil {
		ptr := "/url"
		e := roux.Errorf(http.StatusUnprocessableEntity, "url: %v", err)
		e.Errors = []roux.ErrorDetail{{Detail: err.Error(), Pointer: &ptr, Code: "url"}}
		return nil, e
	}
	secret := roux.NewWebhookSecret()
	replaced, err := db.SetWebhook(ctx, c.Customer.ID, store.Webhook{URL: in.Body.URL, Secret: secret})
	if err != nil {
		return nil, err
	}
	out := &kitchenapi.WebhookSet{Body: kitchenapi.Webhook{URL: in.Body.URL, Secret: secret}}
	if replaced {
		out.Status = http.StatusOK
	}
	return out, nil
}

func (s *Service) deleteWebhook(ctx context.Context, _ *kitchenapi.DeleteWebhookInput, c *customerOnly) (*struct{}, error) {
	db, err := s.db()
	if err != nil {
		return nil, err
	}
	if err := db.DeleteWebhook(ctx, c.Customer.ID); err != nil {
		return nil, storeError(err, "your webhook")
	}
	return &struct{}{}, nil
}

// checkEndpoint checks a URL a customer registers: an absolute http or
// https URL without credentials, whose host, when it is an address (or
// localhost), is one of the classes allow lets the kitchen send to. A
// host name is checked when the message is sent, on the addresses it
// resolves to then; a kitchen that sends to loopback only takes no
// other name than localhost, so that it never resolves one.
func checkEndpoint(raw string, allow AddressClass) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return errors.New("not a URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("the scheme must be http or https")
	case u.Host == "" || u.Hostname() == "":
		return errors.New("the URL has no host")
	case u.User != nil:
		return errors.New("the URL must not hold credentials")
	case u.Fragment != "" || strings.HasSuffix(raw, "#"):
		return errors.New("the URL must not have a fragment")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return errors.New("the port must be 1 to 65535")
		}
	}
	host := u.Hostname()
	if class, kind, ok := hostClass(host); ok {
		if !allow.allows(class) {
			return fmt.Errorf("%s is %s address, and this kitchen sends webhooks to %s addresses only", host, article(kind), allow)
		}
		return nil
	}
	if allow.only(Loopback) {
		return errors.New("this kitchen sends webhooks to loopback addresses only (-webhook-to loopback)")
	}
	return nil
}

// deliver sends the message of a ready order to its customer's endpoint
// once, and tells the queue what to do next (store.WorkConfig.Deliver):
// nothing when the receiver accepted it (2xx); retry, after the
// receiver's Retry-After when it sent one, when it did not answer or
// answered 408, 409, 425, 429 or 5xx (or 3xx: redirects are not
// followed); give up on any other answer, or on an address the guard
// refuses.
func (s *Service) deliver(ctx context.Context, d store.Delivery) error {
	ev := &kitchenapi.OrderReadyEvent{Type: "order.ready", Timestamp: d.Order.UpdatedAt, Data: orderView(d.Order)}
	to := roux.WebhookEndpoint{URL: d.Endpoint.URL, Secret: d.Endpoint.Secret}
	_, err := kitchenapi.OrderReady.Send(ctx, s.sender, to, d.MessageID, ev)
	var we *roux.WebhookError
	if err == nil || !errors.As(err, &we) {
		return err
	}
	st := we.Status
	switch {
	case errors.Is(err, errRefusedAddress):
		return &store.DeliveryError{Err: err, Permanent: true}
	case st == 0:
		return &store.DeliveryError{Err: err, Permanent: !we.Retryable}
	case st/100 == 4 && st != http.StatusRequestTimeout && st != http.StatusConflict && st != http.StatusTooEarly && st != http.StatusTooManyRequests:
		return &store.DeliveryError{Err: err, Permanent: true}
	}
	return &store.DeliveryError{Err: err, RetryAfter: we.RetryAfter}
}
