// Package ws serves typed WebSocket sessions from roux operations.
//
// A WebSocket endpoint is an ordinary GET operation whose output is a
// [Session]. roux binds and validates the handshake's path, query, header
// and cookie inputs, applies security and dependencies and runs the
// operation's handler, so a bad request is refused with a problem before
// anything is upgraded; the handler returns [Accept]'s session, which
// upgrades the connection and runs a [Handler] over a typed [Conn]:
//
//	type JoinInput struct {
//		Room string `path:"room" pattern:"^[a-z]+$"`
//		Name string `query:"name" required:"true" maxLength:"20"`
//	}
//	type ClientMsg struct {
//		Text string `json:"text" minLength:"1" maxLength:"500"`
//	}
//	type ServerMsg struct {
//		From string `json:"from"`
//		Text string `json:"text"`
//	}
//
//	roux.Get(api, "/rooms/{room}/ws", func(ctx context.Context, in *JoinInput) (*ws.Session[ClientMsg, ServerMsg], error) {
//		return ws.Accept(func(ctx context.Context, c *ws.Conn[ClientMsg, ServerMsg]) error {
//			for {
//				m, err := c.Receive(ctx)
//				if err != nil {
//					return err
//				}
//				if err := c.Send(ctx, &ServerMsg{From: in.Name, Text: m.Text}); err != nil {
//					return err
//				}
//			}
//		}), nil
//	})
//
// # Messages
//
// Every message is one JSON text message. [Conn.Receive] takes a message
// as roux takes a request body: it decodes it with roux's strict body
// decoder (unknown and duplicate members refused), validates it against
// the schema of its type, struct tags and all, then runs the Validate
// methods of the type and of the types inside it ([roux.Validator]). A
// message that fails closes the session with 1008 (policy violation) and
// a reason naming the first failure, such as "/text: must be at least 1
// character long"; a binary message closes it with 1003, a text message
// that is not UTF-8 with 1007, and a message over the read limit ([ReadLimit]) with
// 1009 — at once, as soon as a frame's header declares more than the
// limit allows, before any of its payload is read. Package client holds
// the server to the same rules ([EncodeMessage], [DecodeMessage]).
//
// # Options
//
// [Accept] takes options built by plain constructors: [OriginPatterns],
// [ReadLimit], [PingInterval], [PongTimeout] and [Subprotocols]:
//
//	ws.Accept(handle, ws.OriginPatterns("app.example.com"), ws.ReadLimit(1<<20))
//
// # Origins
//
// Browsers let any page open a WebSocket to any site, with that site's
// cookies, and tell the server the page's origin. By default a session
// accepts only handshakes from its own origin (the Origin's host equals
// the request's Host) and from clients that send no Origin, which are not
// browsers; [OriginPatterns] allows others. Refused handshakes
// get 403.
//
// # Liveness and shutdown
//
// The server pings the client every [PingInterval] and drops a
// connection whose pong does not come within [PongTimeout].
// Hijacked connections are not waited for by http.Server.Shutdown, so a
// session ends itself when the API shuts down: [roux.API.Drain] closes
// every session with 1001 (going away) and cancels its handler's context,
// and handshakes that arrive after it get 503.
// Whatever ends a session, its goroutines are gone when the operation
// returns.
//
// # OpenAPI
//
// OpenAPI 3.1 has no words for messages over a socket. The operation is
// documented with its inputs, a 101 Switching Protocols response, the
// problems of a refused handshake and an "x-roux-websocket" extension
// holding the schemas of the messages each way (see
// [Session.DescribeBody]); the schemas are components like any other.
// Options are given per session, at request time, so the document does
// not list subprotocols or origins.
package ws
