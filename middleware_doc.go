package roux

import (
	"maps"
	"net/http"

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
// [API.Use] does, and publishes what it adds on every operation, those
// registered already and those registered later.
func (a *API) UseDocumented(m ...DocumentedMiddleware) {
	for _, d := range m {
		a.Use(d.Wrap)
		a.documented = append(a.documented, d)
		for _, op := range a.ops {
			op.describeMiddleware(op.doc, d)
			describeNosniff(op.doc)
			a.shared.share(op.doc)
		}
	}
	a.invalidateDocument()
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
