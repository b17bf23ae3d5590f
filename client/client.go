package client

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/roux-go/roux/internal/plan"
	"github.com/roux-go/roux/ws"
)

// ErrInvalid is wrapped by the errors of a call that sent nothing because
// its input is invalid: a value no request can carry so that the server
// reads it back unchanged (a comma in an item of a comma-separated list,
// NaN, a line break in a header), or, with [Validation], a value the
// server's validators reject, reported as a 422 *roux.Error.
var ErrInvalid = errors.New("client: invalid input")

// ErrUnsupported is wrapped by the error of a [Call] of an operation whose
// response body is a roux.ResponseBody that Call cannot read: an event
// stream (read it with [Events]), a WebSocket session (open it with
// [Dial]) or a type of the application's own (call it with an
// http.Client).
var ErrUnsupported = errors.New("client: operation not supported by the typed client")

// Client calls the operations of one roux API at one base URL. Create it
// with [New] and call operations with [Call]. A Client is safe for
// concurrent use; its configuration does not change after New.
type Client struct {
	base    *url.URL
	baseErr error
	cfg     config
	plans   sync.Map // operation (a *roux.Operation[In, Out]) -> *plan.Operation
}

// config is what options set; a call copies the client's and applies its
// own options to the copy.
type config struct {
	hc        *http.Client
	header    http.Header
	editors   []func(*http.Request) error
	validate  bool
	retry     retryConfig     // retry.go
	reconnect reconnectConfig // of Events (events.go)
	socket    socketConfig    // of Dial (dial.go)

	idempotencyKey bool // IdempotencyKeys (idempotency.go)
}

// defaults is the configuration of a client without options.
var defaults = config{
	hc:        http.DefaultClient,
	retry:     retryConfig{attempts: 1, backoff: 100 * time.Millisecond, maxBackoff: 5 * time.Second, maxRetryAfter: 30 * time.Second},
	reconnect: reconnectConfig{attempts: 5, delay: time.Second, maxDelay: 30 * time.Second},
	socket:    socketConfig{readLimit: ws.DefaultReadLimit},
}

// Option configures a [Client] (given to [New]) or one call (given to
// [Call], [Events], [EventsOf] or [Dial], where it applies after the
// client's options). Build options with the constructors of this package,
// named for what they set: [HTTPClient], [Header], [RequestEditor],
// [Validation], [IdempotencyKeys], [Retry], [RetryBackoff],
// [MaxRetryAfter], [Reconnect], [ReconnectDelay], [IdleTimeout],
// [Subprotocols] and [ReadLimit]. An option that concerns one kind of
// call only (a WebSocket's read limit, say) does nothing to the others.
// The interface is sealed.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// New returns a client of the API served at baseURL, an absolute http or
// https URL ("http://127.0.0.1:8080", or "https://example.com/api" for
// an API mounted under a path prefix). A baseURL that is not one makes
// every call fail with an error that says why.
//
// Without [HTTPClient] the client uses http.DefaultClient.
func New(baseURL string, opts ...Option) *Client {
	c := &Client{cfg: defaults}
	c.base, c.baseErr = parseBase(baseURL)
	for _, o := range opts {
		o.apply(&c.cfg)
	}
	return c
}

func parseBase(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return nil, fmt.Errorf("client: base URL: %w", err)
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		return nil, fmt.Errorf("client: base URL %q is not an absolute http or https URL", s)
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return nil, fmt.Errorf("client: base URL %q has a query, fragment or user info; give the scheme, host and path prefix only", s)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = strings.TrimSuffix(u.RawPath, "/")
	return u, nil
}

// HTTPClient makes calls with hc, which decides timeouts, redirects,
// TLS, cookies (its Jar) and what its Transport adds: wrap the transport
// with otelhttp, say, and every call carries the trace context of the
// context given to [Call].
func HTTPClient(hc *http.Client) Option {
	return optionFunc(func(c *config) {
		if hc != nil {
			c.hc = hc
		}
	})
}

// Header adds a header to every request, such as an API key that a
// dependency of the operation reads: dependencies' parameters are not
// fields of the input, so the client cannot fill them. A header the input
// sets itself wins over one set here.
func Header(key, value string) Option {
	return optionFunc(func(c *config) {
		c.header = c.header.Clone()
		if c.header == nil {
			c.header = http.Header{}
		}
		c.header.Add(key, value)
	})
}

// RequestEditor runs fn on every request just before it is sent (on
// each attempt when retrying), after the input has been encoded into it:
// to sign it, say. An error from fn fails the call.
func RequestEditor(fn func(*http.Request) error) Option {
	return optionFunc(func(c *config) {
		c.editors = append(c.editors[:len(c.editors):len(c.editors)], fn)
	})
}

// Validation validates every input with the server's own compiled
// validators before sending it, as the server will after binding it.
// An invalid input sends nothing and fails with the *roux.Error the
// server would answer (status 422, with every failure in Errors), which
// also wraps [ErrInvalid].
func Validation() Option {
	return optionFunc(func(c *config) { c.validate = true })
}

// setPositive sets *dst to v when v is positive: the options that take a
// duration or a size keep the default for zero or less.
func setPositive[T ~int64](dst *T, v T) {
	if v > 0 {
		*dst = v
	}
}

// planOf returns the plan of op, built once per client.
func (c *Client) planOf(op any) (*plan.Operation, error) {
	if p, ok := c.plans.Load(op); ok {
		return p.(*plan.Operation), nil
	}
	p, err := plan.Of(op)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	if err := checkHeaders(p); err != nil {
		return nil, err
	}
	c.plans.Store(op, p)
	return p, nil
}
