package roux

import (
	"strings"
	"testing"
)

func TestNegotiate(t *testing.T) {
	offers := []string{"application/json", "application/cbor", "text/plain"}
	for _, tt := range []struct {
		accept []string
		want   int // -1: nothing acceptable
	}{
		{nil, 0},
		{[]string{""}, 0},
		{[]string{"*/*"}, 0},
		{[]string{"application/json"}, 0},
		{[]string{"application/cbor"}, 1},
		{[]string{"APPLICATION/CBOR"}, 1},
		{[]string{"text/*"}, 2},
		{[]string{"text/plain;q=0.5, application/cbor;q=0.4"}, 2},
		{[]string{"application/*;q=0.3", "text/plain;q=0.2"}, 0},
		{[]string{"*/*;q=0.1, application/json;q=0"}, 1},
		{[]string{"application/*;q=0, text/plain;q=0"}, -1},
		{[]string{"image/png"}, -1},
		{[]string{"application/cbor;q=1.0"}, 1},
		{[]string{"application/cbor;q=1.5"}, -1},    // malformed quality: 0
		{[]string{"application/cbor;q=0.1234"}, -1}, // more than three decimals
		{[]string{"application/cbor;q=.5"}, -1},
		{[]string{`application/cbor;x="a,b";q=0.9, text/plain;q=0.8`}, 1}, // a quoted comma
		{[]string{"application/cbor ; Q=0.7 , text/plain;q=0.6"}, 1},
		{[]string{"nonsense, application/cbor"}, 1},
		{[]string{"*/*;q=0.5, text/plain;q=0.9, application/json;q=0.5"}, 2},
		// More ranges than are parsed at once: scanned per offer.
		{[]string{strings.Repeat("image/png, ", 20) + "application/cbor;q=0.5, text/plain;q=0.4"}, 1},
	} {
		got, ok := negotiate(tt.accept, offers)
		if !ok {
			got = -1
		}
		if got != tt.want {
			t.Errorf("negotiate(%q) = %d, want %d", tt.accept, got, tt.want)
		}
	}
}

func TestParseQuality(t *testing.T) {
	for in, want := range map[string]int{
		"1": 1000, "1.": 1000, "1.000": 1000, "1.001": 0, "0": 0, "0.": 0, "0.5": 500, "0.05": 50,
		"0.005": 5, "0.0005": 0, "": 0, "2": 0, "-1": 0, "0.x": 0, "00.5": 0,
	} {
		if got := parseQuality(in); got != want {
			t.Errorf("parseQuality(%q) = %d, want %d", in, got, want)
		}
	}
}

func TestNegotiateAllocs(t *testing.T) {
	offers := []string{"application/json", "application/cbor"}
	accept := []string{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
	if n := testing.AllocsPerRun(100, func() { negotiate(accept, offers) }); n != 0 {
		t.Errorf("negotiate allocates %v times per call, want 0", n)
	}
}

func FuzzNegotiate(f *testing.F) {
	for _, s := range []string{"", "*/*", "application/json;q=0.5, application/cbor", `a/b;x="q=1,";q=0`, "text/*;q=0.001"} {
		f.Add(s)
	}
	offers := []string{"application/json", "application/cbor", "text/plain"}
	f.Fuzz(func(t *testing.T, accept string) {
		lines := strings.Split(accept, "\n")
		i, ok := negotiate(lines, offers)
		if !ok {
			for _, o := range offers {
				if offerQuality(lines, o) > 0 && len(lines) > 0 {
					t.Fatalf("nothing acceptable, but %s has quality %d", o, offerQuality(lines, o))
				}
			}
			return
		}
		if i < 0 || i >= len(offers) {
			t.Fatalf("offer %d out of range", i)
		}
		// Parsing once agrees with scanning per offer.
		var buf [16]mediaRange
		if ranges, fits := parseAccept(lines, buf[:0]); fits {
			for _, o := range offers {
				if a, b := rangesQuality(ranges, o), offerQuality(lines, o); a != b {
					t.Fatalf("%s: quality %d from parsed ranges, %d from scanning", o, a, b)
				}
			}
		}
		// No other offer is strictly better.
		if len(lines) > 1 || !(lines[0] == "" || lines[0] == "*/*" || lines[0] == offers[0]) {
			q := offerQuality(lines, offers[i])
			for _, o := range offers {
				if offerQuality(lines, o) > q {
					t.Fatalf("chose %s (q %d) over %s (q %d)", offers[i], q, o, offerQuality(lines, o))
				}
			}
		}
	})
}

func BenchmarkNegotiate(b *testing.B) {
	offers := []string{"application/json", "application/cbor"}
	for _, bc := range []struct{ name, accept string }{
		{"none", ""},
		{"json", "application/json"},
		{"cbor", "application/cbor"},
		{"browser", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var accept []string
			if bc.accept != "" {
				accept = []string{bc.accept}
			}
			b.ReportAllocs()
			for b.Loop() {
				negotiate(accept, offers)
			}
		})
	}
}
