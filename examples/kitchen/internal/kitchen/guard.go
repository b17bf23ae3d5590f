package kitchen

// This file holds the guard of webhook deliveries against server-side
// request forgery: the addresses the kitchen may connect to, by class,
// and the HTTP client whose dialer checks each connection's address —
// the one a name resolved to, just before connecting, so that neither a
// name that resolves to 127.0.0.1 nor one whose resolution changes
// between a check and the connection (DNS rebinding) gets through.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// AddressClass is a set of classes of IP addresses: those the kitchen
// sends webhooks to (Config.WebhookTo). Some addresses are in no class
// and are never connected to: unspecified (0.0.0.0, ::), link-local
// (169.254.0.0/16, where clouds serve their instances' metadata;
// fe80::/10), multicast and broadcast, and the reserved ranges
// (0.0.0.0/8, 192.0.0.0/24, the documentation and benchmarking ranges,
// 240.0.0.0/4, 6to4, Teredo, and IPv6 outside 2000::/3, IPv4-compatible
// addresses such as ::127.0.0.1 among them).
type AddressClass uint8

// The classes of addresses.
const (
	// Public addresses: global unicast addresses in none of the other
	// classes.
	Public AddressClass = 1 << iota
	// Loopback addresses: 127.0.0.0/8 and ::1 (and the names localhost
	// and *.localhost).
	Loopback
	// Private addresses: 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, the
	// shared address space 100.64.0.0/10, and fc00::/7.
	Private
)

var classNames = []struct {
	c    AddressClass
	name string
}{{Public, "public"}, {Loopback, "loopback"}, {Private, "private"}}

// ParseAddressClasses parses a comma-separated list of the names of
// classes: "public", "loopback", "private" ("public,loopback" for a
// demo that sends to a receiver on the same machine).
func ParseAddressClasses(s string) (AddressClass, error) {
	var c AddressClass
	for name := range strings.SplitSeq(s, ",") {
		name = strings.TrimSpace(name)
		i := 0
		for i < len(classNames) && classNames[i].name != name {
			i++
		}
		if i == len(classNames) {
			return 0, fmt.Errorf("address class %q: want public, loopback or private, or several separated by commas", name)
		}
		c |= classNames[i].c
	}
	return c, nil
}

// String returns the names of the classes in c, separated by commas.
func (c AddressClass) String() string {
	var names []string
	for _, n := range classNames {
		if c&n.c != 0 {
			names = append(names, n.name)
		}
	}
	return strings.Join(names, ",")
}

// allows reports whether c holds the class of an address (0 for none).
func (c AddressClass) allows(class AddressClass) bool { return class != 0 && c&class == class }

// only reports whether c is the one class x.
func (c AddressClass) only(x AddressClass) bool { return c == x }

var (
	shared = netip.MustParsePrefix("100.64.0.0/10")
	nat64  = netip.MustParsePrefix("64:ff9b::/96")
	// global is where IANA assigns IPv6 global unicast addresses; the
	// rest (IPv4-compatible ::/96 among it) is reserved.
	global = netip.MustParsePrefix("2000::/3")
	never  = []netip.Prefix{
		netip.MustParsePrefix("0.0.0.0/8"),
		netip.MustParsePrefix("192.0.0.0/24"),
		netip.MustParsePrefix("192.0.2.0/24"),
		netip.MustParsePrefix("198.18.0.0/15"),
		netip.MustParsePrefix("198.51.100.0/24"),
		netip.MustParsePrefix("203.0.113.0/24"),
		netip.MustParsePrefix("240.0.0.0/4"),
		netip.MustParsePrefix("64:ff9b:1::/48"),
		netip.MustParsePrefix("100::/64"),
		netip.MustParsePrefix("2001::/32"),
		netip.MustParsePrefix("2001:db8::/32"),
		netip.MustParsePrefix("2002::/16"),
	}
)

// classOf returns the class of ip, or 0 for an address of none, and
// what kind of address it is ("public", "loopback", "private",
// "unspecified", "link-local", "multicast" or "reserved"). An
// IPv4-mapped address and a NAT64 one (64:ff9b::/96) are of the class of
// the IPv4 address they hold.
func classOf(ip netip.Addr) (AddressClass, string) {
	ip = ip.Unmap()
	if nat64.Contains(ip) {
		b := ip.As16()
		ip = netip.AddrFrom4([4]byte(b[12:]))
	}
	switch {
	case ip.IsUnspecified():
		return 0, "unspecified"
	case ip.IsLinkLocalUnicast():
		return 0, "link-local"
	case ip.IsMulticast():
		return 0, "multicast"
	case ip.IsLoopback():
		return Loopback, "loopback"
	case ip.IsPrivate(), shared.Contains(ip):
		return Private, "private"
	}
	for _, p := range never {
		if p.Contains(ip) {
			return 0, "reserved"
		}
	}
	if ip.IsGlobalUnicast() && (ip.Is4() || global.Contains(ip)) {
		return Public, "public"
	}
	return 0, "reserved"
}

// hostClass returns the class of a URL's host when it is an IP address,
// or a name of loopback (localhost, and *.localhost as RFC 6761 reserves
// them), and false for another name, whose addresses are known only once
// it is resolved.
func hostClass(host string) (class AddressClass, kind string, ok bool) {
	if ip, err := netip.ParseAddr(host); err == nil {
		class, kind = classOf(ip)
		return class, kind, true
	}
	name := strings.ToLower(strings.TrimSuffix(host, "."))
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return Loopback, "loopback", true
	}
	return 0, "", false
}

// article returns kind with its indefinite article.
func article(kind string) string {
	if strings.IndexAny(kind[:1], "aeiou") == 0 {
		return "an " + kind
	}
	return "a " + kind
}

// errRefusedAddress is wrapped by the error of a connection the guard
// refused.
var errRefusedAddress = errors.New("kitchen: webhooks are not sent to this address")

// webhookClient returns the client webhook messages are sent with: its
// dialer connects only to addresses of the classes allow holds, it uses
// no proxy (which would connect on its behalf, unchecked) and follows no
// redirect (roux's sender takes a redirect for a failure). When allow is
// loopback only, it refuses every name but localhost before resolving
// it, so that it never asks DNS.
func webhookClient(allow AddressClass, dialTimeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second,
		// Control runs for each address the name resolved to, before
		// connecting to it.
		Control: func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: %q is not an address", errRefusedAddress, address)
			}
			if class, kind := classOf(ap.Addr()); !allow.allows(class) {
				return fmt.Errorf("%w: %s is %s address", errRefusedAddress, ap.Addr(), article(kind))
			}
			return nil
		}}
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		if allow.only(Loopback) {
			host, _, err := net.SplitHostPort(addr)
			if class, _, ok := hostClass(host); err != nil || !ok || class != Loopback {
				return nil, fmt.Errorf("%w: %s is not a loopback address, and this kitchen sends webhooks to loopback only", errRefusedAddress, addr)
			}
		}
		return d.DialContext(ctx, network, addr)
	}
	return &http.Client{
		Transport: &http.Transport{Proxy: nil, DialContext: dial, ForceAttemptHTTP2: true,
			MaxIdleConns: 100, MaxIdleConnsPerHost: 4, IdleConnTimeout: 90 * time.Second, TLSHandshakeTimeout: 10 * time.Second},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
