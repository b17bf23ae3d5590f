package middleware

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ClientIP works out the client's address and stores it for
// [ClientIPFrom]. Forwarding headers are believed only from trusted
// proxies: when the connection comes from an address in trusted, the
// X-Forwarded-For list is read from right to left, skipping trusted
// addresses, and the first untrusted one is the client. Anything a client
// writes into the header itself lies to the left of that and is ignored.
// With no trusted proxies, the client is the connection's peer.
//
// trusted holds CIDR prefixes or single addresses ("10.0.0.0/8",
// "127.0.0.1"); ClientIP panics on one that does not parse.
func ClientIP(trusted ...string) func(http.Handler) http.Handler {
	prefixes := make([]netip.Prefix, 0, len(trusted))
	for _, t := range trusted {
		p, err := parsePrefix(t)
		if err != nil {
			panic(fmt.Sprintf("middleware: ClientIP: trusted proxy %q: %v", t, err))
		}
		prefixes = append(prefixes, p)
	}
	isTrusted := func(a netip.Addr) bool {
		a = a.Unmap()
		for _, p := range prefixes {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ip := clientAddr(r, isTrusted)
			if ip.IsValid() {
				var c *requestContext
				c, r = requestContextFor(r, clientIPKey{})
				c.ip = ip
				c.hasIP.Store(true)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// ClientIPFrom returns the address [ClientIP] stored in ctx, or the zero
// Addr when there is none.
func ClientIPFrom(ctx context.Context) netip.Addr {
	if c := lookup(ctx, clientIPKey{}); c != nil {
		return c.ip
	}
	return netip.Addr{}
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
}

// clientAddr returns the peer, or the rightmost untrusted address of the
// forwarding chain when the peer is a trusted proxy.
func clientAddr(r *http.Request, trusted func(netip.Addr) bool) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	peer = peer.Unmap()
	if !trusted(peer) {
		return peer
	}
	client := peer
	hops := r.Header.Values("X-Forwarded-For")
	for i := len(hops) - 1; i >= 0; i-- {
		parts := strings.Split(hops[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			a, err := netip.ParseAddr(strings.TrimSpace(parts[j]))
			if err != nil {
				return client // a malformed hop: stop at the last good one
			}
			client = a.Unmap()
			if !trusted(client) {
				return client
			}
		}
	}
	return client
}
