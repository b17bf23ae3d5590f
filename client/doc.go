// Package client calls the operations of a roux API from Go, typed by the
// very declarations the server implements (roux.NewOperation): the
// request is encoded by the tags the server binds with, and the response
// decoded into the output type, so client and server cannot disagree
// about either.
//
//	// in a package of declarations, shared by server and clients
//	var GetDish = roux.NewOperation[GetDishInput, Dish]("GET", "/dishes/{id}")
//
//	c := client.New("http://127.0.0.1:8080", client.WithHTTPClient(hc))
//	dish, err := client.Call(ctx, c, kitchenapi.GetDish, &GetDishInput{ID: 3})
//	var pe *roux.Error
//	if errors.As(err, &pe) && pe.Status == http.StatusNotFound { ... }
//
// A client needs the declaration alone: no *roux.API, no handler. The
// declarations returned by roux.Get and the other one-call forms work
// too. Each declaration compiles its client plan once, on first use.
//
// # Requests
//
// Each input field tagged path, query, header or cookie is formatted as
// its binder parses it: strings as they are, numbers in decimal, bool as
// true or false, time.Time in RFC 3339, []byte in standard base64,
// TextMarshalers by MarshalText; query slices as repeated keys (or
// comma-separated with `explode:"false"`), other slices comma-separated.
// Path values are percent-escaped; a {rest...} wildcard keeps its
// slashes. A header slice is one comma-separated header value; all
// cookie parameters go in one Cookie header.
//
// What is sent follows the schema's rule that a pointer is the optional
// form:
//   - a nil pointer or nil slice is not sent; a non-nil pointer is always
//     sent, even to a zero value;
//   - a path parameter, and one tagged `required:"true"`, is always sent;
//   - any other parameter is not sent when it holds its zero value, so
//     the server applies its `default` (or leaves the zero value): use a
//     pointer to send a zero explicitly, such as false for a parameter
//     whose default is true;
//   - a non-nil empty slice is sent as one empty value when it is
//     comma-separated, and not at all when it is exploded.
//
// A value that no request can carry so that the server reads it back
// unchanged — a comma in an item of a comma-separated list, an empty
// item, NaN or ±Inf, a control character or surrounding white space in a
// header, a cookie value outside printable ASCII, a path value that is
// empty or makes a "." or ".." segment — fails the call with an error
// wrapping [ErrInvalid] before anything is sent.
//
// A Body field is sent as JSON (application/json), encoded with the
// options the server encodes its responses with; a nil pointer Body sends
// no body. A Form field is sent as application/x-www-form-urlencoded,
// each field by the rules of a query parameter. Multipart bodies are not
// supported yet.
//
// Parameters that the operation's dependencies read (an API key, a
// bearer token) are not fields of the input; send them with [WithHeader]
// or [WithRequestEditor], or from the http.Client's transport or cookie
// jar.
//
// # Responses
//
// A 2xx response is decoded into the output type. A JSON body is decoded
// leniently: unknown members are ignored, so a client built against an
// older server keeps working with a newer one. For an envelope (an output
// with a Body field or header fields) the header fields are read from the
// response headers and an int Status field gets the response's status. A
// raw Body of a declared contentType is read whole into a []byte or
// string; an io.Reader Body gets the open response body, which the caller
// must read and close (it is an io.ReadCloser) — it stays tied to the
// call's context. Operations whose body is a roux.ResponseBody (event
// streams, WebSockets, files) cannot be called with this package: Call
// fails with [ErrUnsupported], as does one that takes file uploads
// (multipart/form-data).
//
// # Errors
//
// Any other status returns a *roux.Error: decoded from the problem the
// server sent (status, title, detail, the per-field Errors and the
// Extensions), or, for a body that is not a problem (a proxy's HTML page,
// say), with the status and a detail saying what came instead. Its
// Status is always the response's status.
//
// # Context, tracing and retries
//
// Each request is made with http.NewRequestWithContext on the context
// given to [Call]: its cancellation and deadline end the call, and a
// transport that propagates traces (such as otelhttp's) sees the
// caller's span. A Client retries nothing unless given [WithRetry], which
// retries idempotent methods only, with exponential backoff, jitter and
// the server's Retry-After.
//
// # Validation
//
// With [WithValidation] the client checks each input with the server's
// compiled validators before sending it, and reports failures as the
// server would, as a 422 *roux.Error, without a request.
package client
