// Package client calls the operations of a roux API from Go, typed by the
// very declarations the server implements (roux.NewOperation): the
// request is encoded by the tags the server binds with, and the response
// decoded into the output type, so client and server cannot disagree
// about either.
//
//	// in a package of declarations, shared by server and clients
//	var GetDish = roux.NewOperation[GetDishInput, Dish]("GET", "/dishes/{id}")
//
//	c := client.New("http://127.0.0.1:8080", client.HTTPClient(hc))
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
// each field by the rules of a query parameter, or, when it has file
// fields, as multipart/form-data (see Uploads).
//
// Parameters that the operation's dependencies read (an API key, a
// bearer token) are not fields of the input; send them with [Header]
// or [RequestEditor], or from the http.Client's transport or cookie
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
// must read and close (it is an io.ReadCloser; http.NoBody when the body
// is empty) — it stays tied to the call's context. A roux.File output is
// a download (see Downloads). Event streams and WebSocket sessions have
// calls of their own, [Events] and [Dial]; Call fails for them, and for
// any other roux.ResponseBody, with [ErrUnsupported].
//
// # Uploads
//
// A Form with file fields (*roux.FormFile, []*roux.FormFile) is sent as
// multipart/form-data: a part per value of each text field, then a part
// per file. Make the files to send with roux.FileUpload, which takes
// the file's name, its media type and a reader of its content:
//
//	in.Form.Photo = roux.FileUpload("sea.png", "image/png", f)
//	photo, err := client.Call(ctx, c, api.UploadPhoto, in)
//
// The body is streamed as the request is sent (chunked, its length
// unknown), each file read once from its reader, never held whole in
// memory; a call with files is not retried, and the call has stopped
// reading every reader when it returns, so the caller closes them then.
// A server that refuses the upload early — a file over its maxBytes, a
// 401 — ends the upload. A failing reader fails the call with its error.
// A *roux.FormFile a handler received can be sent on as it is.
//
// # Downloads
//
// An output whose body is a roux.File (or *roux.File) is filled from the
// response: Content is the open body, an io.ReadSeekCloser the caller
// must close; Name and Attachment come from Content-Disposition, ETag,
// ModTime (Last-Modified) and ContentType from their headers. The
// content reads from start to end over the one response; a Seek moves
// the offset, and the next Read that does not follow on asks for the rest
// with a range request (Range: bytes=N-, If-Range: the ETag or
// Last-Modified), where the operation is a GET whose response offered
// ranges with a validator. If the file changed meanwhile, the Read fails.
// Seeking to the end and back, to learn the size, costs no request.
//
// # Event streams
//
// [Events] calls an operation whose output is an sse.Stream[E] and
// returns its events as an iterator of sse.Message[E] ([EventsOf] for an
// envelope around one):
//
//	for m, err := range client.Events(ctx, c, kitchenapi.OrderEvents, &kitchenapi.EventsInput{ID: id}) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(m.ID, m.Event)
//	}
//
// It follows the stream as a browser's EventSource does: when the
// connection ends it waits the stream's retry delay and reconnects with
// the last event ID in Last-Event-ID, and it stops when the server
// answers a reconnection with 204 No Content. Failed reconnections back
// off exponentially and are bounded, and a connection that stays silent
// can be dropped ([Reconnect], [ReconnectDelay], [IdleTimeout]). A problem — before the first event or
// on a reconnection — ends the iteration with a *roux.Error, as Call
// returns it.
//
// # WebSockets
//
// [Dial] opens a session of an operation whose output is a
// ws.Session[In, Out]: the handshake carries the input as a Call's
// request would, a refused handshake is a *roux.Error, and the [Conn]
// sends In and receives Out, each one JSON text message. A message is
// checked before it is sent as the server will check it
// (ws.EncodeMessage), so an invalid one fails Send with [ErrInvalid] and
// the session goes on. A message received is held to the same rules as
// the server holds the client's (ws.DecodeMessage): unknown members, a
// broken schema or a failed Validate method close the session with 1008
// and the failure as the reason. How the session ended — the server's
// close code and reason, a lost connection (1006), a message over the
// read limit (1009), a message refused — is returned by Send and Receive
// as a *ws.CloseError.
//
// # Options
//
// [New] takes options for every call of the client, and [Call],
// [Events], [EventsOf] and [Dial] take options for one call, applied
// after the client's. They are built by constructors named for what they
// set:
//
//	c := client.New(url,
//		client.Header("X-Staff-Key", key), // what a dependency reads
//		client.Validation(),               // invalid inputs fail before a request
//		client.Retry(3),                   // idempotent calls, three attempts in all
//		client.IdempotencyKeys(),          // and POSTs, with a key
//		client.IdleTimeout(45*time.Second),
//	)
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
// caller's span. A Client retries nothing unless given [Retry], which
// retries idempotent methods only, with exponential backoff, jitter
// ([RetryBackoff]) and the server's Retry-After ([MaxRetryAfter]).
//
// # Validation
//
// With [Validation] the client checks each input with the server's
// compiled validators before sending it, and reports failures as the
// server would, as a 422 *roux.Error, without a request.
package client
