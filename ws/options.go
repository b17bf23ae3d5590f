package ws

import (
	"slices"
	"time"
)

// Option configures a session (given to [Accept]). Without options a
// session accepts same-origin browsers only, messages up to 64 KiB, pings
// every 30 seconds and chooses no subprotocol. The interface is sealed:
// build options with the constructors below.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// config is what the options of a session add up to, defaults applied.
type config struct {
	originPatterns []string
	readLimit      int64
	pingInterval   time.Duration
	pongTimeout    time.Duration
	subprotocols   []string
}

// Defaults.
const (
	DefaultReadLimit    = 64 << 10
	DefaultPingInterval = 30 * time.Second
	DefaultPongTimeout  = 10 * time.Second
)

// newConfig applies opts to the defaults.
func newConfig(opts []Option) config {
	c := config{readLimit: DefaultReadLimit, pingInterval: DefaultPingInterval}
	for _, o := range opts {
		o.apply(&c)
	}
	if c.pongTimeout <= 0 {
		c.pongTimeout = DefaultPongTimeout
		if c.pingInterval > 0 && c.pingInterval < c.pongTimeout {
			c.pongTimeout = c.pingInterval
		}
	}
	return c
}

// OriginPatterns lists the browser origins allowed besides the endpoint's
// own. A browser sends the page's origin with every handshake; a
// handshake from an origin that is neither the request's Host nor matched
// by a pattern is refused with 403, so that a page on another site cannot
// open a socket with the user's cookies. A pattern is matched with
// [path.Match], case-insensitively, against the origin's host
// ("example.com", "*.example.com", "localhost:5173") or, when it holds
// "://", against scheme://host ("https://*.example.com"). "*" allows every
// origin: use it only for endpoints that do not authenticate with
// cookies. Clients that send no Origin (programs, not browsers) are not
// checked. The patterns of several OriginPatterns add up.
func OriginPatterns(patterns ...string) Option {
	patterns = slices.Clone(patterns)
	return optionFunc(func(c *config) { c.originPatterns = append(c.originPatterns, patterns...) })
}

// ReadLimit sets the largest message accepted, in bytes; a larger one
// closes the session with [StatusMessageTooBig], as soon as the header of
// the frame that goes past it arrives. It defaults to
// [DefaultReadLimit] (64 KiB); zero or less keeps the default.
func ReadLimit(n int64) Option {
	return optionFunc(func(c *config) {
		if n > 0 {
			c.readLimit = n
		}
	})
}

// PingInterval sets how often the server pings the client, which finds
// peers that vanished without closing and keeps proxies from dropping an
// idle connection. It defaults to [DefaultPingInterval] (30 seconds);
// zero or less turns pings off.
func PingInterval(d time.Duration) Option {
	return optionFunc(func(c *config) { c.pingInterval = max(d, 0) })
}

// PongTimeout sets how long the client has to answer a ping; one that
// does not is taken for dead and the connection is dropped
// ([StatusAbnormalClosure]). It defaults to [DefaultPongTimeout] (10
// seconds), or the ping interval if that is shorter; zero or less keeps
// the default.
func PongTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.pongTimeout = d })
}

// Subprotocols lists the subprotocols the server speaks, in order of
// preference; the first one the client also offers is chosen
// ([Conn.Subprotocol]). A client that offers none of them is accepted
// without a subprotocol; a handler that requires one returns a
// [CloseError] when Subprotocol is "". The subprotocols of several
// Subprotocols add up.
func Subprotocols(protocols ...string) Option {
	protocols = slices.Clone(protocols)
	return optionFunc(func(c *config) { c.subprotocols = append(c.subprotocols, protocols...) })
}
