package roux

import (
	"net/http"
	"reflect"
)

// Option configures an operation, or every operation of a [Group]. Build
// options with the constructors in this file; the interface is sealed.
type Option interface {
	apply(*opConfig)
}

type optionFunc func(*opConfig)

func (f optionFunc) apply(c *opConfig) { f(c) }

// serverOption is an option only a server can carry out (middleware,
// dependencies, security, the CPU pool): [NewOperation] refuses it, so a
// package of declarations holds no server code.
type serverOption struct {
	name string // the constructor, for messages
	f    func(*opConfig)
}

func (o serverOption) apply(c *opConfig) { o.f(c) }

// opConfig is what the options of one operation add up to.
type opConfig struct {
	id          string
	summary     string
	description string
	tags        []string
	deprecated  bool
	status      int
	bodyLimit   int64
	responses   []extraResponse
	middleware  []func(http.Handler) http.Handler
	documented  []DocumentedMiddleware // published with the operation (their Wrap is in middleware)
	provides    []Provider             // outermost first
	requires    []Provider
	secure      []securityReq
	cpuBound    bool
	callbacks   []callbackDecl // webhook.go
	idem        *idemPlan      // idempotency.go
	mergePatch  bool
}

type extraResponse struct {
	status      int
	description string
	body        reflect.Type // nil: no content, or a problem for status >= 400
}

// OperationID sets the operation's operationId. Without it roux derives
// one from the method and the pattern ("get-dishes-id" for
// GET /dishes/{id}), which stays the same as long as they do. IDs must be
// unique within an API.
func OperationID(id string) Option { return optionFunc(func(c *opConfig) { c.id = id }) }

// Summary sets the operation's one-line summary.
func Summary(s string) Option { return optionFunc(func(c *opConfig) { c.summary = s }) }

// Description sets the operation's longer description (CommonMark).
func Description(s string) Option { return optionFunc(func(c *opConfig) { c.description = s }) }

// Tags adds tags that group the operation in the docs.
func Tags(tags ...string) Option {
	return optionFunc(func(c *opConfig) { c.tags = append(c.tags, tags...) })
}

// Deprecated marks the operation deprecated in the document.
func Deprecated() Option { return optionFunc(func(c *opConfig) { c.deprecated = true }) }

// Status sets the status of a successful response. It defaults to 200,
// or 204 when the output has no body. An output with a Status field can
// still choose another status per response.
func Status(code int) Option { return optionFunc(func(c *opConfig) { c.status = code }) }

// BodyLimit sets the largest request body the operation accepts, in
// bytes; larger bodies get 413. It overrides Config.MaxBodyBytes.
func BodyLimit(n int64) Option { return optionFunc(func(c *opConfig) { c.bodyLimit = n }) }

// Response documents another response of the operation. body is a value
// of the response body's type (for example Dish{}), or nil: for a status
// of 400 or more a nil body documents a problem+json response, below 400
// a response without content. body may also be a struct whose fields are
// all tagged header, such as
//
//	struct {
//		ETag string `header:"ETag" doc:"The current version"`
//	}{}
//
// to document the headers of a response without a body of its own (a
// problem from 400 on); each is required unless it is a pointer or
// tagged `required:"false"`.
//
// roux documents the responses it sends itself (400, 401 and 403 with
// WWW-Authenticate where the operation is secured, 413, 415, 422, 500,
// 503 with Retry-After for [CPUBound] operations); Response with nil
// only changes their description.
func Response(status int, description string, body any) Option {
	var t reflect.Type
	if body != nil {
		t = reflect.TypeOf(body)
	}
	return optionFunc(func(c *opConfig) {
		c.responses = append(c.responses, extraResponse{status, description, t})
	})
}

// Middleware wraps the operation's handler in mw, the first outermost.
// Inside, r.PathValue returns the path parameters.
func Middleware(mw ...func(http.Handler) http.Handler) Option {
	return serverOption{"Middleware", func(c *opConfig) { c.middleware = append(c.middleware, mw...) }}
}
