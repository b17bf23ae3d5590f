// Package roux builds typed HTTP APIs: declare an operation's input and
// output once, as Go types, and roux routes, binds, validates, serializes
// and publishes an OpenAPI 3.1 document that always matches the code.
//
//	api := roux.New(roux.Config{Title: "Kitchen", Version: "1.0.0"})
//
//	type GetDishInput struct {
//		ID     int64  `path:"id" minimum:"1" doc:"Dish identifier"`
//		Fields string `query:"fields" enum:"all,summary" default:"all"`
//		Tenant string `header:"X-Tenant" required:"true"`
//	}
//
//	roux.Get(api, "/dishes/{id}", func(ctx context.Context, in *GetDishInput) (*Dish, error) {
//		...
//	}, roux.Summary("Get a dish"), roux.Tags("menu"))
//
//	http.ListenAndServe("127.0.0.1:8080", api) // an *API is an http.Handler
//
// # Declarations
//
// An operation is declared once, as a value: [NewOperation] names its
// method, path pattern, input and output types and documentation. The
// declaration holds no server code, so it can live in a package of its
// own that server and clients share:
//
//	// package kitchenapi
//	var GetDish = roux.NewOperation[GetDishInput, Dish]("GET", "/dishes/{id}",
//		roux.Summary("Get a dish"), roux.Tags("menu"))
//
//	// the server
//	roux.Handle(api, kitchenapi.GetDish, getDish)
//
//	// a client (package client)
//	dish, err := client.Call(ctx, c, kitchenapi.GetDish, &kitchenapi.GetDishInput{ID: 1})
//
// The input carries only what goes on the wire. What a handler needs
// besides — dependencies, the authenticated principal, background tasks —
// comes in a second struct, given to [HandleWith]:
//
//	roux.HandleWith(api, kitchenapi.PlaceOrder, func(ctx context.Context, in *kitchenapi.PlaceOrderInput, s *struct {
//		Customer Customer `dep:""`
//		Tasks    *roux.Tasks
//	}) (*kitchenapi.Order, error) { ... }, roux.Secure(customerAuth))
//
// Options that only a server can carry out ([Middleware], [Provide],
// [Requires], [Secure], [CPUBound]) go to Handle, HandleWith or a
// [Group]; a declaration refuses them.
//
// A service kept in one file declares and implements in one call with
// [Get], [Post], [Put], [Patch], [Delete], [Register] or [RegisterWith],
// which return the declaration.
//
// # Operations
//
// A handler is a plain func(context.Context, *In) (*Out, error), or
// func(context.Context, *In, *S) (*Out, error) with a server struct.
// Registration compiles
// everything about the operation when it is registered — the route, a
// binder per input field, the body decoder, validators, the response
// encoder and its OpenAPI description — and panic with a
// [*RegistrationError] naming the caller's file:line if any of it is
// wrong. Nothing is reflected on per request beyond what encoding the
// response needs. Register every operation before serving.
//
// Patterns use net/http's syntax: "{id}" matches one path segment,
// "{rest...}" the remainder, "{$}" only the path ending in a slash, and a
// pattern ending in "/" matches everything below it. The most specific
// pattern wins; patterns that overlap without one being more specific are
// a registration error. Unknown paths get 404, known paths with another
// method 405 with Allow; HEAD is served by GET and OPTIONS answers with
// Allow. A path with an empty, "." or ".." segment ("/orders//events",
// "/a/%2e%2e/b") is a 400 problem, neither routed nor redirected to its
// clean form as ServeMux does (see [API.ServeHTTP]); an escaped slash is
// data, so "/files/..%2F.." names one segment.
//
// # Input
//
// The fields of In are bound by their tags:
//
//	`path:"name"`    a path wildcard {name}
//	`query:"name"`   a query parameter
//	`header:"Name"`  a request header
//	`cookie:"name"`  a cookie
//	Body             the field named Body is the JSON request body
//	Form             or a struct named Form, whose fields tagged
//	                 `form:"name"` bind an application/x-www-form-urlencoded
//	                 or multipart/form-data body like query parameters;
//	                 fields of type *roux.FormFile or []*roux.FormFile take
//	                 uploaded files ([FormFile])
//
// GET, HEAD and DELETE requests take no Body or Form: RFC 9110 gives
// their content no meaning, and registration refuses it.
//
// A field tagged `dep:""` (a dependency's value, see below) or of type
// *roux.Tasks (background work to run after the response, [Tasks]) is
// filled by the server: it belongs to the server struct of [HandleWith],
// not to the input, and registration says so.
//
// Parameters may be string, bool, any int, uint or float size,
// time.Time (RFC 3339), named types of those (enums), any type whose
// pointer implements encoding.TextUnmarshaler, slices of those and
// pointers to those. A query slice is sent as repeated keys
// (?tag=a&tag=b), or comma-separated (?tag=a,b) when the field is tagged
// `explode:"false"`; path, header and cookie slices are comma-separated.
// Embedded structs are flattened, so common parameters can be shared.
//
// The body is decoded once, straight into Body, strictly: duplicate
// member names are malformed JSON (400), unknown members are failures,
// and null is a failure wherever the schema does not admit it (only
// pointers, interfaces and fields of those types admit null). An integer
// field takes an integral number in any JSON form (7, 7.0, 0.7e1), as
// JSON Schema 2020-12 counts them integers; a fractional number is a
// failure ("type"), and one outside the Go type's range a failure
// ("minimum" or "maximum"), read in time linear in its length whatever its
// exponent (1e999999). The body
// must be sent as application/json, the one media type published for it
// (application/merge-patch+json too with [MergePatch]; otherwise 415,
// other +json types included: each names a format of its own; the 415
// lists the media types the operation reads in Accept, and on PATCH in
// Accept-Patch too, as RFC 9110 and RFC 5789 ask), and
// be within the operation's limit (otherwise 413; 1 MiB by default, see
// [Config.MaxBodyBytes] and [BodyLimit]).
//
// A Form is read from an application/x-www-form-urlencoded or a
// multipart/form-data body, and only the latter once it has a file field;
// it is published as both, or as multipart/form-data with an encoding
// entry giving each file field's accepted types. Unknown fields are
// failures, as in a JSON body. A multipart body is read as a stream: the
// body limit, a file's maxBytes (413 naming the field), a limit of 1000
// parts and one of 16 KiB for each part's header apply as the bytes
// arrive; a file of a type its contentType tag does not accept is a 422
// failure with code contentMediaType and is not stored. Text values and
// part headers, which are held in memory, count against
// [Config.MaxBodyBytes] even where [BodyLimit] allows more (413). Files are held in memory up to
// [Config.UploadMemoryBytes] per request and in temporary files beyond;
// those are removed once the response is written, whatever happened.
//
// # Dependencies
//
// A dependency ([Depends], [DependsCleanup]) is a value computed per
// request by a provider function from an input struct of its own, bound
// like an operation's: parameters, and other dependencies. Make it
// available with [Provide] on an operation or group, or [API.Provide];
// ask for it with a field of its type tagged `dep:""` in the handler's
// server struct (or in another provider's input); run it for its
// checks alone with [Requires]. Each provider runs at most once per
// request, after every parameter of the operation and its dependencies
// has been bound and validated (failures are reported together); its
// parameters are published on every operation that uses it, and so are
// the responses it declares with [Dep.Response] (a 503 while a database is
// down, say); a cleanup runs after the response. Missing providers and cycles are registration
// errors. Tests replace a provider with [Override].
//
// # Required and optional
//
// This rule is the one the published schema states:
//
//   - Path parameters are always required.
//   - Query, header and cookie parameters, and Form fields (files
//     included), are optional unless tagged `required:"true"`.
//   - A body member is required unless its field is a pointer or has
//     omitempty or omitzero in its json tag; `required:"true"` or
//     `required:"false"` overrides that.
//   - The body is required unless the Body field is a pointer.
//
// An absent optional value takes its `default:"..."` tag, if any, or
// stays the zero value, and is not validated; a value that was sent is
// validated, even when it is the zero value of its type. A default must
// itself satisfy the field's keywords: that is checked at registration.
// In the handler, a non-pointer field cannot tell "absent" from "sent as
// zero", and a pointer cannot tell "absent" from null; where that matters
// use an [Optional] body member (next section).
//
// # Partial updates: Optional and JSON Merge Patch
//
// An [Optional] body member records whether it was sent: absent (its
// zero value), or present with a value. It accepts null where its value
// type does, so an Optional[*string] is absent, null (a nil *string) or a
// string, while an Optional[string] is absent or a string and a null is a
// 422 failure. It is never required, is published as its value's schema,
// and must be tagged omitzero:
//
//	type DishPatch struct {
//		Name        roux.Optional[string]  `json:"name,omitzero" minLength:"1"`
//		Description roux.Optional[*string] `json:"description,omitzero"` // null clears it
//	}
//
//	roux.Patch(api, "/dishes/{id}", func(ctx context.Context, in *PatchDishInput) (*Dish, error) {
//		dish := load(in.ID)
//		if err := roux.ApplyMergePatch(&dish, &in.Body); err != nil {
//			return nil, err
//		}
//		...
//	}, roux.MergePatch())
//
// [ApplyMergePatch] applies such a struct to a stored value as RFC 7396
// applies a merge patch: absent members are left alone, null ones are
// deleted (set to a zero value that means absent), nested structs of
// Optional members merge, maps merge key by key, and everything else,
// arrays included, is replaced. [MergePatch] publishes the body as
// application/merge-patch+json (and application/json, which is accepted
// too).
//
// # Validation
//
// Tags named after JSON Schema keywords constrain values and appear, as
// the same words, in the published schema: minimum, maximum,
// exclusiveMinimum, exclusiveMaximum, multipleOf, minLength and
// maxLength (in characters), pattern, format (date-time, date, time,
// email, uuid, uri, ipv4, ipv6, hostname), enum, minItems, maxItems,
// uniqueItems, minProperties, maxProperties, required and default; doc,
// title, example and deprecated document. On a slice or map field the
// value keywords apply to its elements. Validators are compiled from the
// published schema, and every failure of a request — parameters and body
// together — is reported in one 422 response. Other packages' tags (db,
// yaml, validate, ...) are ignored, but a tag key one edit away from one
// of roux's of five letters or more (`minimun`, `maxlength`) is a
// registration error that names the keyword meant.
//
// A named string, number or boolean type lists its allowed values once,
// with a method returning them ([schema.Enumer]):
//
//	type Station string
//
//	func (Station) Enum() []Station { return []Station{"grill", "fry", "cold"} }
//
// Every field of that type — body members, parameters, slice elements,
// map values — is then published with that enum and validated against
// it, with no enum tag; an enum tag on such a field may only narrow it.
// A value that does not fit the type is a registration error.
//
// What a schema cannot say — relations between members, rules over a
// whole value — a [Validator] says: a method Validate(*roux.Checks) on
// the input type, on the Body type or any type inside the body, or on a
// parameter's type. It runs after the schema's checks, and only on a
// value that passed them: a type's rule runs when nothing failed at or
// below its value, the input type's once the whole request passed. Its
// failures, located by a JSON pointer (relative to the value) or a
// parameter name, are reported in the same 422 as the schema's. Such
// methods must be pure functions of the value; checks that need a
// database belong in the handler. The typed client's validation
// (client.Validation) runs them too.
//
// # Errors
//
// Every error roux sends is an RFC 9457 application/problem+json
// [Error]: 422 for invalid values (with an "errors" array of
// [ErrorDetail]s: a detail sentence, a JSON pointer for body members or
// parameter and in for parameters, the failing keyword as code, and the
// value where it is safe to echo), 400 for malformed syntax, 413, 415,
// 404, 405, and 500 for anything unexpected — logged with log/slog and
// never described to the client. Handlers return an *Error (see
// [NewError], [Errorf]) to choose the status and detail; any other error
// is a 500. [Config.ProblemHook] can change every problem before it is
// sent. An *Error is never changed once made: [Error.Wrap] and
// [Error.WithHeader] return copies, so one problem may be kept in a
// package-level variable and returned by many requests at once.
//
// A problem roux builds stays small whatever the request holds: it repeats
// at most 100 bytes of any name, pointer, path or header value (cut with
// "…"), lists at most 100 failures and counts the others in the extension
// member "omittedErrors", and names no package of roux or of the standard
// library. A body sent with a Content-Encoding other than identity, on any
// of its lines, is refused with 415 and Accept-Encoding: identity.
//
// Every response an [API] sends carries X-Content-Type-Options: nosniff.
//
// # Output
//
// Out is the JSON response body, or an envelope: a struct with a field
// named Body without a json tag (the body), fields tagged `header:"Name"`
// (response headers) and an int field named Status without a json tag
// (the status, when not zero). An output without a body — struct{} or an
// envelope without Body — answers 204 unless [Status] says otherwise.
// Responses carry Content-Type and Content-Length. Bodies are encoded as
// encoding/json would, omitempty included, except that nil slices and
// maps are [] and {} (their schemas do not admit null) and invalid UTF-8
// is replaced rather than failing the response.
//
// Other bodies: a Body with a `contentType:"text/csv"` tag that is a
// []byte or a string is sent as it is, and an io.Reader Body is copied
// out (application/octet-stream unless tagged; a `header:"Content-Type"`
// field overrides either); a [*File] body answers Range and conditional
// requests; a body type implementing [ResponseBody] writes the response
// itself — package sse streams events, package ws runs WebSocket
// sessions. With [Config.Formats], encoded bodies are also offered in
// other media types, chosen by the Accept header (406 when none fits).
//
// # Concurrency
//
// Operations are I/O-bound by default: each request runs on its own
// goroutine. An operation declared [CPUBound] runs its handler on the
// API's CPU pool ([CPUConfig]): a bounded set of low-priority worker
// threads with a spare P for everything else, so a flood of CPU-heavy
// requests cannot starve the I/O-bound ones; the excess waits in a
// bounded queue and is shed with 503 and Retry-After. The pool follows
// the container's CPU limit (the runtime's default GOMAXPROCS, with one
// P spare while it has work, or always on one CPU) and its threads stop
// at [API.Shutdown]. Work that can wait until the response is sent goes
// to [Tasks]. For fan-out inside a handler, use golang.org/x/sync/errgroup
// with the request context.
//
// # Webhooks and callbacks
//
// The requests an API sends to others are declared like operations, from
// a Go type: [NewWebhook] names a webhook and its JSON payload type.
// [API.Webhook] publishes it among the document's webhooks (OpenAPI 3.1;
// the 3.0 document has none), and [Callback] as a callback of an
// operation, sent to a URL a runtime expression takes from the request
// ("{$request.body#/callbackUrl}"); registration checks the expression
// against the operation's parameters and bodies.
//
//	var OrderReady = roux.NewWebhook[OrderReadyEvent]("orderReady", roux.Summary("An order is ready"))
//
//	api.Webhook(OrderReady)
//	res, err := OrderReady.Send(ctx, sender, roux.WebhookEndpoint{URL: url, Secret: secret}, eventID, &event)
//
// [Webhook.Send] makes one attempt: it signs the payload as Standard
// Webhooks do (headers webhook-id, webhook-timestamp and
// webhook-signature, an HMAC-SHA256 of id, timestamp and body) and
// returns the receiver's answer, or a [*WebhookError] that says whether
// to retry (no answer, 408, 429, 5xx) and after what Retry-After; the
// retries belong to a job queue, with the same message id. Receivers
// check messages with [VerifyWebhook].
//
// # Idempotency keys
//
// [Idempotent] makes a POST safe to retry: a request with an
// Idempotency-Key header (the IETF httpapi draft) claims the key, scoped
// by the request's credentials, in an [IdempotencyStore]; a retry with
// the same key and request gets the first answer again, marked
// Idempotent-Replayed: true, without running the handler; the same key
// with another request gets 422, and a retry while the first request
// runs 409. [NewMemoryIdempotencyStore] keeps keys in process; module
// github.com/roux-go/roux/idemsql in the service's SQLite or PostgreSQL.
// The typed client sends keys with client.IdempotencyKeys.
//
// # OpenAPI
//
// The document is served at /openapi.json and /openapi.yaml (see
// [Config.OpenAPIPath]) with an ETag, and returned by [API.OpenAPI].
// Named struct types become component schemas, under unique names even
// when two packages use the same type name; recursive types are
// described through $ref.
//
// What the document says about the API as a whole is configured in
// [Config]: Servers, TermsOfService, Contact, License, ExternalDocs, Tags
// (their descriptions, and their order) and SchemeDescriptions. What it
// says about one operation comes with its options, which declarations
// take too: [Summary], [Description], [Tags], [ExternalDocs], [Public]
// (the operation needs no credentials: "security": []) and named
// examples — [RequestExample], [ResponseExample], [ParamExample] — each
// checked when the operation is registered, as the server would read or
// send it.
package roux
