package kitchen

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestClassOf(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		ip    string
		class AddressClass
		kind  string
	}{
		{"93.184.215.14", Public, "public"},
		{"2606:2800:21f:cb07:6820:80da:af6b:8b2c", Public, "public"},
		{"127.0.0.1", Loopback, "loopback"},
		{"127.8.9.10", Loopback, "loopback"},
		{"::1", Loopback, "loopback"},
		{"::ffff:127.0.0.1", Loopback, "loopback"}, // IPv4-mapped
		{"64:ff9b::7f00:1", Loopback, "loopback"},  // NAT64 of 127.0.0.1
		{"10.1.2.3", Private, "private"},
		{"172.16.0.1", Private, "private"},
		{"172.31.255.255", Private, "private"},
		{"192.168.1.1", Private, "private"},
		{"100.100.100.200", Private, "private"}, // the shared address space
		{"fd00:ec2::254", Private, "private"},
		{"::ffff:10.0.0.1", Private, "private"},
		{"0.0.0.0", 0, "unspecified"},
		{"::", 0, "unspecified"},
		{"169.254.169.254", 0, "link-local"},
		{"fe80::1", 0, "link-local"},
		{"fe80::1%eth0", 0, "link-local"},
		{"224.0.0.1", 0, "multicast"},
		{"ff02::1", 0, "multicast"},
		{"255.255.255.255", 0, "reserved"},
		{"0.1.2.3", 0, "reserved"},
		{"192.0.2.1", 0, "reserved"},
		{"198.18.0.1", 0, "reserved"},
		{"240.0.0.1", 0, "reserved"},
		{"2001:db8::1", 0, "reserved"},
		{"2002:7f00:1::1", 0, "reserved"}, // 6to4
		// IPv4-compatible (deprecated, RFC 4291 §2.5.5.1) and the rest of
		// ::/8, and IPv6 outside 2000::/3, where nothing is assigned.
		{"::127.0.0.1", 0, "reserved"},
		{"::7f00:1", 0, "reserved"},
		{"::93.184.215.14", 0, "reserved"},
		{"100::1", 0, "reserved"},
		{"4000::1", 0, "reserved"},
		{"fec0::1", 0, "reserved"}, // site-local, deprecated
		{"172.32.0.1", Public, "public"},
	} {
		class, kind := classOf(netip.MustParseAddr(tt.ip))
		if class != tt.class || kind != tt.kind {
			t.Errorf("%s: got %v %q, want %v %q", tt.ip, class, kind, tt.class, tt.kind)
		}
	}
}

func TestParseAddressClasses(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want AddressClass
		err  bool
	}{
		{"public", Public, false},
		{"public,loopback", Public | Loopback, false},
		{" loopback , private ", Loopback | Private, false},
		{"loopback,loopback", Loopback, false},
		{"", 0, true},
		{"public,", 0, true},
		{"everything", 0, true},
		{"Public", 0, true},
	} {
		got, err := ParseAddressClasses(tt.in)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("%q: got %v, %v; want %v (error %v)", tt.in, got, err, tt.want, tt.err)
		}
		if err == nil {
			if back, err := ParseAddressClasses(got.String()); back != got || err != nil {
				t.Errorf("%q: its String %q parses to %v, %v", tt.in, got, back, err)
			}
		}
	}
}

func TestCheckEndpoint(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		url   string
		allow AddressClass
		err   string // a substring; "" for none
	}{
		{"https://example.com/hooks", Public, ""},
		{"http://93.184.215.14:8080/h?x=1", Public, ""},
		{"http://127.0.0.1:9000/hook", Public, "127.0.0.1 is a loopback address"},
		{"http://[::1]/hook", Public, "::1 is a loopback address"},
		{"http://[::ffff:127.0.0.1]/", Public, "is a loopback address"},
		{"http://localhost:9000/", Public, "localhost is a loopback address"},
		{"http://LOCALHOST./", Public, "is a loopback address"},
		{"http://api.localhost/", Public, "is a loopback address"},
		{"http://10.0.0.7/", Public, "10.0.0.7 is a private address"},
		{"http://169.254.169.254/latest/meta-data", Public | Private | Loopback, "is a link-local address"},
		{"http://0.0.0.0:80/", Public | Loopback, "is an unspecified address"},
		{"http://127.0.0.1:9000/hook", Public | Loopback, ""},
		{"http://10.0.0.7/", Public | Private, ""},
		{"http://localhost:9000/", Loopback, ""},
		{"https://example.com/hooks", Loopback, "loopback addresses only"},
		{"http://93.184.215.14/", Loopback, "is a public address"},
		{"ftp://example.com/", Public, "http or https"},
		{"https://user:pw@example.com/", Public, "credentials"},
		{"https:///path", Public, "no host"},
		{"https://example.com/#frag", Public, "fragment"},
		{"https://example.com:0/", Public, "port"},
		{"https://example.com:70000/", Public, "port"},
		{"https://exa mple.com/", Public, "not a URL"},
		{"/relative", Public, "http or https"},
	} {
		err := checkEndpoint(tt.url, tt.allow)
		if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%s (%v): got %v, want %q", tt.url, tt.allow, err, tt.err)
		}
	}
}

// FuzzCheckEndpoint: an endpoint accepted for public addresses only is
// an http(s) URL whose host, when it is an address, is a public one.
func FuzzCheckEndpoint(f *testing.F) {
	for _, s := range []string{"https://example.com/x", "http://127.0.0.1/", "http://[::ffff:a00:1]/", "http://0x7f.1/", "http://[fe80::1%25eth0]/", "http://2130706433/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if checkEndpoint(s, Public) != nil {
			return
		}
		u, err := url.Parse(s)
		if err != nil || u.Scheme != "http" && u.Scheme != "https" {
			t.Fatalf("%q accepted: %v", s, err)
		}
		if ip, err := netip.ParseAddr(u.Hostname()); err == nil {
			if class, kind := classOf(ip); class != Public {
				t.Fatalf("%q accepted, its host %s %s", s, ip, kind)
			}
		}
	})
}

// TestWebhookClientGuard: the guard's client connects to an address only
// if its class is allowed — the address a name resolved to, as well as
// one in the URL — and, when loopback alone is, to no name but localhost.
func TestWebhookClientGuard(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	port := srv.URL[strings.LastIndexByte(srv.URL, ':')+1:]
	for _, tt := range []struct {
		name    string
		allow   AddressClass
		url     string
		refused string // a substring of the error; "" for a connection
	}{
		{"an address of a class not allowed", Public, "http://127.0.0.1:" + port, "127.0.0.1 is a loopback address"},
		{"a name that resolves to one", Public | Private, "http://localhost:" + port, "is a loopback address"},
		{"loopback allowed", Public | Loopback, "http://127.0.0.1:" + port, ""},
		{"localhost when loopback is allowed", Public | Loopback, "http://localhost:" + port, ""},
		{"loopback only", Loopback, "http://127.0.0.1:" + port, ""},
		{"a name when loopback only is allowed", Loopback, "http://example.invalid:" + port, "sends webhooks to loopback only"},
		{"an unspecified address", Public | Loopback | Private, "http://0.0.0.0:" + port, "0.0.0.0 is an unspecified address"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := hits.Load()
			c := webhookClient(tt.allow, 5*time.Second)
			res, err := c.Post(tt.url, "application/json", strings.NewReader("{}"))
			if res != nil {
				res.Body.Close()
			}
			switch {
			case tt.refused == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.refused == "" && hits.Load() == before:
				t.Fatal("connected, but the server saw no request")
			case tt.refused != "" && (!errors.Is(err, errRefusedAddress) || !strings.Contains(err.Error(), tt.refused)):
				t.Fatalf("got %v, want a refusal mentioning %q", err, tt.refused)
			case tt.refused != "" && hits.Load() != before:
				t.Fatal("refused, yet the server saw a request")
			}
		})
	}
}
