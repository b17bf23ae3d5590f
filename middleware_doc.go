package roux

import (
	"maps"
	"net/http"
	"slices"

	"github.com/roux-go/roux/openapi"
)

// DocumentedMiddleware is net/http middleware that says what it adds to
// the responses of the operations it wraps, so that the published
// document — and the response check ([Config.CheckResponses]) — know it:
// the responses it may send itself (a 429 of a rate limit, a 503 of load
// shedding) and the headers it adds to every response (X-Request-ID, say).
// The middleware of package middleware that answer or add headers
// implement it; [Describe] makes one of any other middleware.
type DocumentedMiddleware interface {
	// Wrap returns next wrapped by the middleware.
	Wrap(next http.Handler) http.Handler
	// Responses returns the responses the middleware may send itself, by
	// status code ("429"). A response of status 400 or more without
	// Content is published as roux's problem+json. The maps are read at
	// registration and not kept.
	Responses() map[string]*openapi.Response
	// Headers returns the headers the middleware adds to every response
	// of the operation, by name.
	Headers() map[string]*openapi.Header
}

// Describe returns mw as a [DocumentedMiddleware] that sends responses
// and adds headers (either may be nil), for plain net/http middleware.
func Describe(mw func(http.Handler) http.Handler, responses map[string]*openapi.Response, headers map[string]*openapi.Header) DocumentedMiddleware {
	return described{mw, responses, headers}
}

type described struct {
	mw        func(http.Handler) http.Handler
	responses map[string]*openapi.Response
	headers   map[string]*openapi.Header
}

func (d described) Wrap(next http.Handler) http.Handler     { return d.mw(next) }
func (d described) Responses() map[string]*openapi.Response { return d.responses }
func (d described) Headers() map[string]*openapi.Header     { return d.headers }

// Wrap wraps an operation, or every operation of a group, in the
// documented middleware m (the first outermost, after [Middleware]'s),
// and publishes what each adds.
func Wrap(m ...DocumentedMiddleware) Option {
	return serverOption{"Wrap", func(c *opConfig) {
		for _, d := range m {
			c.middleware = append(c.middleware, d.Wrap)
			c.documented = append(c.documented, d)
		}
	}}
}

// UseDocumented adds documented middleware that wraps the whole API, as
// [API.Use] does (the first added runs outermost), and publishes what it
// adds on every operation, those registered already and those registered
// later. A middleware's headers are published on the responses of what it
// wraps: the operations' and those of the documented middleware added
// after it, not on those of the middleware added before it, which answer
// without calling it. So a load shedder added first, in front of a
// request ID and security headers, is published refusing without them.
func (a *API) UseDocumented(m ...DocumentedMiddleware) {
	for _, d := range m {
		a.Use(d.Wrap)
		a.documented = append(a.documented, d)
	}
	a.redescribe()
}

// DocumentFront publishes on every operation, those registered already and
// those registered later, the responses that something in front of the
// API sends in its place — a connection cap refusing a connection, say —
// by status code ("503"), as [DocumentedMiddleware.Responses] are given.
// They pass through none of the API's middleware, so none of its headers
// are published on them but X-Content-Type-Options, which they must send
// as every answer of the API does. Where an operation answers the same
// status, the two merge, a header being required only where both send
// it. A later call replaces a status given before. Like [API.Use], it
// configures the API and is not safe for concurrent use with another
// change, but a call giving only responses already given (the same
// pointers) changes nothing and only reads, so a program that documents
// the same front on every run of its command line may run it
// concurrently.
func (a *API) DocumentFront(responses map[string]*openapi.Response) {
	if a.documentsFront(responses) {
		return
	}
	if a.front == nil {
		a.front = map[string]*openapi.Response{}
	}
	maps.Copy(a.front, responses)
	a.redescribe()
}

// documentsFront reports whether every response given is already
// published in front of the API.
func (a *API) documentsFront(responses map[string]*openapi.Response) bool {
	for code, r := range responses {
		if a.front[code] != r {
			return false
		}
	}
	return true
}

// redescribe publishes the API's documented middleware and front
// responses anew on every operation registered.
func (a *API) redescribe() {
	for _, op := range a.ops {
		op.describeAPIMiddleware(op.doc)
		describeNosniff(op.doc)
		a.shared.share(op.doc)
	}
	a.invalidateDocument()
}

// describeAPIMiddleware sets d's responses to the operation's own (inner)
// with what the API's documented middleware and the responses in front of
// it add, innermost first.
func (op *operation) describeAPIMiddleware(d *openapi.Operation) {
	d.Responses = maps.Clone(op.inner)
	for _, m := range slices.Backward(op.api.documented) {
		op.describeMiddleware(d, m)
	}
	if len(op.api.front) > 0 {
		op.describeMiddleware(d, described{responses: op.api.front})
	}
}

// describeMiddleware adds to d what the documented middleware m sends.
func (op *operation) describeMiddleware(d *openapi.Operation, m DocumentedMiddleware) {
	problems := problemContent(op.api.problems.problem)
	for code, r := range m.Responses() {
		c := *r
		c.Headers = maps.Clone(r.Headers)
		if c.Content == nil && len(code) == 3 && code[0] >= '4' {
			c.Content = problems
		}
		if prev := d.Responses[code]; prev != nil {
			// The operation answers this status too: keep its content and
			// add the middleware's headers. A header is required only
			// where both answers send it (nosniff aside: every answer
			// carries it, see describeNosniff).
			merged := *prev
			merged.Headers = maps.Clone(prev.Headers)
			if merged.Headers == nil {
				merged.Headers = map[string]*openapi.Header{}
			}
			for name, h := range merged.Headers {
				if _, ok := c.Headers[name]; !ok && h.Required && name != headerNosniff {
					o := *h
					o.Required = false
					merged.Headers[name] = &o
				}
			}
			for name, h := range c.Headers {
				if _, ok := merged.Headers[name]; !ok {
					o := *h
					o.Required = false
					merged.Headers[name] = &o
				}
			}
			d.Responses[code] = &merged
			continue
		}
		d.Responses[code] = &c
	}
	if hs := m.Headers(); len(hs) > 0 {
		for code, r := range d.Responses {
			c := *r
			c.Headers = maps.Clone(r.Headers)
			if c.Headers == nil {
				c.Headers = map[string]*openapi.Header{}
			}
			for name, h := range hs {
				if _, ok := c.Headers[name]; !ok {
					c.Headers[name] = h
				}
			}
			d.Responses[code] = &c
		}
	}
}
