package roux

import (
	"net/http"
	"reflect"

	"github.com/roux-go/roux/openapi"
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
	public      bool
	docs        *openapi.ExternalDocs
	examples    []namedExample
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

// ExternalDocs links documentation of the operation beyond the
// document: url, and a description of what is there (may be empty). A
// webhook ([NewWebhook]) takes it too; [Public] and the named examples
// describe served operations, and a webhook refuses them.
func ExternalDocs(url, description string) Option {
	return optionFunc(func(c *opConfig) { c.docs = &openapi.ExternalDocs{URL: url, Description: description} })
}

// Public says that the operation needs no credentials, and the document
// says so with "security": [], as linters ask of every operation of an
// API once it has security schemes (and an API without any may say it
// of all its operations, in a [Group]). An operation is public or
// secured: Public on an operation that [Secure] or a dependency on a
// security scheme secures is a registration error.
func Public() Option { return optionFunc(func(c *opConfig) { c.public = true }) }

// RequestExample publishes a named example of the request body: value,
// a value of the body's type (or any value that encodes to the JSON of
// one), with a one-line summary. roux checks at registration that the
// server accepts it, as it reads a request: decoded strictly and
// validated against the body's schema and Validate methods. Examples are
// published in the order of their names.
func RequestExample(name, summary string, value any) Option {
	return optionFunc(func(c *opConfig) {
		c.examples = append(c.examples, namedExample{kind: requestExample, name: name, summary: summary, value: value})
	})
}

// ResponseExample publishes a named example of the body of the
// operation's success response: value, of the output's body type (or a
// pointer to one), with a one-line summary. It is published as roux
// encodes it, and must satisfy the body's schema.
func ResponseExample(name, summary string, value any) Option {
	return optionFunc(func(c *opConfig) {
		c.examples = append(c.examples, namedExample{kind: responseExample, name: name, summary: summary, value: value})
	})
}

// ParamExample publishes a named example of the parameter param (its
// name as tagged: "id", "If-Match"), with a one-line summary. value is
// the parameter's value as JSON has it (1 for an integer, ["a", "b"] for
// a list), which must fit the field's type and satisfy its schema. Named
// examples replace the parameter's `example` tag in the parameter
// object; the tag's value stays in its schema.
func ParamExample(param, name, summary string, value any) Option {
	return optionFunc(func(c *opConfig) {
		c.examples = append(c.examples, namedExample{kind: paramExample, param: param, name: name, summary: summary, value: value})
	})
}
