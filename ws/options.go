package ws

import "time"

// Options configure a session. The zero value is ready to use: same-origin
// browsers only, messages up to 64 KiB, a ping every 30 seconds.
type Options struct {
	// OriginPatterns lists the browser origins allowed besides the
	// endpoint's own. A browser sends the page's origin with every
	// handshake; a handshake from an origin that is neither the request's
	// Host nor matched by a pattern is refused with 403, so that a page on
	// another site cannot open a socket with the user's cookies. A
	// pattern is matched with [path.Match], case-insensitively, against
	// the origin's host ("example.com", "*.example.com",
	// "localhost:5173") or, when it holds "://", against scheme://host
	// ("https://*.example.com"). "*" allows every origin: use it only for
	// endpoints that do not authenticate with cookies. Clients that send
	// no Origin (programs, not browsers) are not checked.
	OriginPatterns []string

	// ReadLimit is the largest message accepted, in bytes; a larger one
	// closes the session with [StatusMessageTooBig], as soon as the
	// header of the frame that goes past it arrives. Zero or less means
	// 64 KiB.
	ReadLimit int64

	// PingInterval is how often the server pings the client, which
	// finds peers that vanished without closing and keeps proxies from
	// dropping an idle connection. Zero means 30 seconds; a negative
	// value turns pings off.
	PingInterval time.Duration

	// PongTimeout is how long the client has to answer a ping; one that
	// does not is taken for dead and the connection is dropped
	// ([StatusAbnormalClosure]). Zero means 10 seconds, or PingInterval
	// if that is shorter.
	PongTimeout time.Duration

	// Subprotocols lists the subprotocols the server speaks, in order of
	// preference; the first one the client also offers is chosen
	// ([Conn.Subprotocol]). A client that offers none of them is
	// accepted without a subprotocol; a handler that requires one
	// returns a [CloseError] when Subprotocol is "".
	Subprotocols []string
}

// Defaults.
const (
	DefaultReadLimit    = 64 << 10
	DefaultPingInterval = 30 * time.Second
	DefaultPongTimeout  = 10 * time.Second
)

// withDefaults returns o with its zero values replaced by the defaults.
func (o Options) withDefaults() Options {
	if o.ReadLimit <= 0 {
		o.ReadLimit = DefaultReadLimit
	}
	if o.PingInterval == 0 {
		o.PingInterval = DefaultPingInterval
	}
	if o.PongTimeout <= 0 {
		o.PongTimeout = DefaultPongTimeout
		if o.PingInterval > 0 && o.PingInterval < o.PongTimeout {
			o.PongTimeout = o.PingInterval
		}
	}
	return o
}
