package main

import (
	"bytes"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestParseGC: what serveGC writes reads back, the counters of one field
// summed; a value that is not a number is an error.
func TestParseGC(t *testing.T) {
	w := httptest.NewRecorder()
	serveGC(w, nil)
	s, err := parseGC(w.Body.String())
	if err != nil {
		t.Fatal(err)
	}
	if s.goal <= 0 || s.scan <= 0 {
		t.Errorf("this process's stats %+v: want a heap goal and scannable bytes", s)
	}
	for _, tt := range []struct {
		name, text string
		want       gcStats
		wantErr    bool
	}{
		{"sums", "/gc/cycles/total:gc-cycles 7\n/gc/heap/allocs:bytes 5e6\n/cpu/classes/gc/mark/assist:cpu-seconds 0.5\n/cpu/classes/gc/mark/idle:cpu-seconds 0.25\n" +
			"/gc/scan/heap:bytes 100\n/gc/scan/globals:bytes 20\n/gc/heap/live:bytes 90\n/gc/heap/goal:bytes 4e6\n/other 1\n",
			gcStats{cycles: 7, alloc: 5e6, mark: 0.75, live: 90, scan: 120, goal: 4e6}, false},
		{"empty", "", gcStats{}, false},
		{"not a number", "/gc/heap/live:bytes many\n", gcStats{}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseGC(tt.text)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v, want one: %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(gcStats{})); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestGCWorkFormat(t *testing.T) {
	var g gcWork
	g.add(gcStats{cycles: 10, alloc: 1e6, mark: 1}, gcStats{cycles: 13, alloc: 5e6, mark: 1.002, live: 2e6, scan: 3e6, goal: 4e6})
	g.add(gcStats{cycles: 20, mark: 2}, gcStats{cycles: 21, mark: 2.002, live: 1e6, scan: 1e6, goal: 4e6})
	for _, tt := range []struct {
		n    int
		want string
	}{
		{1000, " 4000 B/req,  4.0 GCs/1k req, mark   4.0 µs/req, live  1500 kB, scan  2000 kB, goal  4000 kB"},
		{0, "unknown"},
	} {
		if got := g.format(tt.n); got != tt.want {
			t.Errorf("format(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestPrefixWriter(t *testing.T) {
	var out bytes.Buffer
	p := &prefixWriter{prefix: "kitchen: ", w: &out}
	for _, s := range []string{"gc 1 @0.1s", " 4 MB goal\ngc 2\n", "gc 3\nhalf"} {
		if n, err := p.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	want := "kitchen: gc 1 @0.1s 4 MB goal\nkitchen: gc 2\nkitchen: gc 3\n"
	if got := out.String(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
